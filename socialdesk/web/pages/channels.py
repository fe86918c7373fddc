"""Settings → Channels (admins): connect a network account, test it, pause it, and see its health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from socialdesk.accounts.agents import Principal
from socialdesk.channels import NETWORKS, connector
from socialdesk.channels.http import client as http_client
from socialdesk.core.errors import InvalidAction, NotFound, SocialDeskError
from socialdesk.pipeline.channel_accounts import connect_channel, load_account, record_health, set_paused
from socialdesk.store.repos.channels import list_channels
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent, require_admin
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_FIELD = 4000
_MESSAGES = {"connected": "Channel connected.", "paused": "Channel paused.", "resumed": "Channel resumed."}


def admin(agent: PageAgent) -> Principal:
    return require_admin(agent, "Only admins manage channels.")


Admin = Annotated[Principal, Depends(admin)]


def _page(
    request: Request,
    context: Context,
    agent: Principal,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        channels = list_channels(session, agent.workspace_id)
        workspace = workspace_name(session, agent.workspace_id)
    forms = [
        {"network": n.name, "label": n.label, "fields": connector(n.name).credential_fields}
        for n in NETWORKS.values()
    ]
    return render(
        request,
        "channels.html",
        {
            "agent": agent,
            "workspace": workspace,
            "channels": channels,
            "forms": forms,
            "notice": notice,
            "error": error,
            "configured": context.vault is not None,
            "base_url": str(request.base_url).rstrip("/"),
        },
        status_code=status_code,
    )


@router.get("/settings/channels")
def channels_page(request: Request, context: Context, agent: Admin, done: str | None = None) -> Response:
    return _page(request, context, agent, notice=_MESSAGES.get(done or ""))


@router.post("/settings/channels/connect", dependencies=[Depends(verify_csrf)])
async def connect(request: Request, context: Context, agent: Admin) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= MAX_FIELD}
    network = values.get("network", "")
    if network not in NETWORKS:
        return _page(request, context, agent, error="Choose a network.", status_code=422)
    if context.vault is None:
        return _page(
            request,
            context,
            agent,
            error="Set SOCIALDESK_CREDENTIALS_KEY on the server first.",
            status_code=422,
        )
    prefix = f"{network}."
    credentials = {
        name.removeprefix(prefix + "cred."): value
        for name, value in values.items()
        if name.startswith(prefix + "cred.")
    }
    settings: dict[str, Any] = {}
    if values.get(prefix + "api_base", "").strip():
        settings["api_base"] = values[prefix + "api_base"].strip()
    queries = [q.strip() for q in values.get(prefix + "queries", "").split(",") if q.strip()]
    if queries:
        settings["queries"] = queries
    try:
        await run_in_threadpool(
            connect_channel,
            context.db,
            context.vault,
            agent.workspace_id,
            network,
            values.get(prefix + "handle", ""),
            credentials,
            settings,
            values.get(prefix + "external_id", "").strip() or None,
        )
    except InvalidAction as exc:
        return _page(request, context, agent, error=str(exc), status_code=422)
    return RedirectResponse("/settings/channels?done=connected", status_code=303)


def _own_channel(context: Context, agent: Principal, channel_id: int) -> None:
    with context.db.read() as session:
        if not any(c.id == channel_id for c in list_channels(session, agent.workspace_id)):
            raise HTTPException(404, "There is no such channel in your workspace.")


@router.post("/settings/channels/{channel_id}/pause", dependencies=[Depends(verify_csrf)])
def pause(context: Context, agent: Admin, channel_id: int) -> Response:
    return _pause(context, agent, channel_id, True)


@router.post("/settings/channels/{channel_id}/resume", dependencies=[Depends(verify_csrf)])
def resume(context: Context, agent: Admin, channel_id: int) -> Response:
    return _pause(context, agent, channel_id, False)


def _pause(context: Context, agent: Principal, channel_id: int, paused: bool) -> Response:
    try:
        set_paused(context.db, agent.workspace_id, channel_id, paused)
    except NotFound:
        raise HTTPException(404, "There is no such channel in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse(f"/settings/channels?done={'paused' if paused else 'resumed'}", status_code=303)


@router.post("/settings/channels/{channel_id}/test", dependencies=[Depends(verify_csrf)])
def test(request: Request, context: Context, agent: Admin, channel_id: int) -> Response:
    _own_channel(context, agent, channel_id)
    if context.vault is None:
        return _page(request, context, agent, error="Set SOCIALDESK_CREDENTIALS_KEY on the server first.")
    try:
        channel = load_account(context.db, context.vault, channel_id)
        with http_client(timeout=15) as http:
            name = connector(channel.network).check(http, channel.account)
    except SocialDeskError as exc:
        record_health(context.db, channel_id, str(exc))
        return _page(request, context, agent, error=f"Test failed: {exc}")
    record_health(context.db, channel_id, None)
    return _page(request, context, agent, notice=f"Test passed: the network knows this account as {name}.")
