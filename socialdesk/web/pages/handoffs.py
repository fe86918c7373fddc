"""The agents' side of the public-to-private hand-off: "Move to private" on a case, and the
workspace's wording of the public reply (docs/private-handoff.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.core.errors import ConfigError, InvalidAction, NotFound
from socialdesk.pipeline.handoffs import (
    check_template,
    move_to_private,
    public_reply_template,
    set_public_reply,
    withdraw_link,
)
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent, require_admin
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/private", dependencies=[Depends(verify_csrf)])
def move_case_to_private(request: Request, context: Context, agent: PageAgent, case_id: int) -> Response:
    base_url = context.settings.public_url or str(request.base_url)
    try:
        move_to_private(
            context.db,
            context.vault,
            agent.workspace_id,
            case_id,
            agent.agent_id,
            key=context.signing_key,
            base_url=base_url,
            hours=context.settings.handoff_link_hours,
        )
    except NotFound:
        raise HTTPException(404, "There is no such case in your workspace.") from None
    except (InvalidAction, ConfigError) as exc:
        raise HTTPException(422, f"The case was not moved to private: {exc}") from None
    return RedirectResponse(f"/cases/{case_id}#handoff", status_code=303)


@router.post("/cases/{case_id}/private/withdraw", dependencies=[Depends(verify_csrf)])
def withdraw_private_link(request: Request, context: Context, agent: PageAgent, case_id: int) -> Response:
    try:
        withdraw_link(context.db, agent.workspace_id, case_id, agent.agent_id)
    except NotFound:
        raise HTTPException(404, "This case has no private link in your workspace.") from None
    return RedirectResponse(f"/cases/{case_id}#handoff", status_code=303)


@router.get("/settings/private-handoff")
def handoff_settings(request: Request, context: Context, agent: PageAgent) -> Response:
    return _settings_page(request, context, agent)


@router.post("/settings/private-handoff", dependencies=[Depends(verify_csrf)])
def save_handoff_settings(
    request: Request,
    context: Context,
    agent: PageAgent,
    public_reply: Annotated[str, Form(max_length=1000)],
) -> Response:
    require_admin(agent, "Only an admin can change the public reply.")
    try:
        set_public_reply(context.db, agent.workspace_id, public_reply)
    except InvalidAction as exc:
        return _settings_page(request, context, agent, error=str(exc), draft=public_reply, status_code=422)
    return _settings_page(request, context, agent, notice="Saved.")


def _settings_page(
    request: Request,
    context: Context,
    agent: PageAgent,
    error: str | None = None,
    notice: str | None = None,
    draft: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        template = public_reply_template(session, agent.workspace_id)
        workspace = workspace_name(session, agent.workspace_id)
    return render(
        request,
        "private/settings.html",
        {
            "agent": agent,
            "workspace": workspace,
            "template": draft if draft is not None else template,
            "example": check_template(template).replace("{link}", "https://…/private/…"),
            "hours": context.settings.handoff_link_hours,
            "error": error,
            "notice": notice,
        },
        status_code=status_code,
    )
