"""The case page: the whole conversation, the customer, and the reply box."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.channels import NETWORKS, connector
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus, Intent, Sentiment
from socialdesk.pipeline.approvals import DraftSubmitted, submit_reply
from socialdesk.pipeline.case_actions import change_status, correct_triage
from socialdesk.pipeline.macros import apply_after_reply
from socialdesk.pipeline.outbox import retry_failed
from socialdesk.store.repos.cases import get_case
from socialdesk.store.repos.handoffs import handoff_for_case
from socialdesk.store.repos.rules import case_runs
from socialdesk.store.repos.teams import assignment_panel
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent
from socialdesk.web.pages.case_merges import merge_context
from socialdesk.web.pages.case_tools import case_tools
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)


def render_case(
    request: Request,
    context: Context,
    agent: PageAgent,
    case_id: int,
    error: str | None = None,
    draft: str = "",
    status_code: int = 200,
    note_error: str | None = None,
    note_draft: str = "",
) -> Response:
    """The case page; a refused reply or note comes back with its error and the text as typed."""
    with context.db.read() as session:
        case = get_case(session, agent.workspace_id, case_id)
        if case is None:
            raise HTTPException(404, "There is no such case in your workspace.")
        workspace = workspace_name(session, agent.workspace_id)
        assignment = assignment_panel(session, agent.workspace_id, case_id)
        tools = case_tools(session, agent, case, workspace)
        handoff = handoff_for_case(session, agent.workspace_id, case_id)
        merges = merge_context(session, agent.workspace_id, case_id)
        routing_runs = case_runs(session, agent.workspace_id, case_id)
    network = NETWORKS.get(case.network)
    return render(
        request,
        "case.html",
        {
            "agent": agent,
            "workspace": workspace,
            "case": case,
            "error": error,
            "draft": draft,
            "note_error": note_error,
            "note_draft": note_draft,
            "max_length": _limit(case.network, case.is_private) if network else None,
            "sentiments": [s.value for s in Sentiment],
            "intents": [i.value for i in Intent],
            # A fresh key per rendered form: submitting the same form twice records one reply.
            "idempotency_key": secrets.token_urlsafe(16),
            "assignment": assignment,
            **tools,
            "handoff": handoff,
            **merges,
            "routing_runs": routing_runs,
        },
        status_code=status_code,
    )


def _limit(network: str, private: bool) -> int | None:
    limits = connector(network).limits
    return limits.max_private_text if private else limits.max_text


@router.get("/cases/{case_id}")
def case_page(request: Request, context: Context, agent: PageAgent, case_id: int) -> Response:
    return render_case(request, context, agent, case_id)


@router.post("/cases/{case_id}/reply", dependencies=[Depends(verify_csrf)])
def reply(
    request: Request,
    context: Context,
    agent: PageAgent,
    case_id: int,
    text: Annotated[str, Form(max_length=20000)],
    idempotency_key: Annotated[str, Form(max_length=128)] = "",
    macro_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        recorded = submit_reply(
            context.db, agent.workspace_id, case_id, agent.agent_id, text, idempotency_key or None
        )
    except NotFound:
        raise HTTPException(404, "There is no such case in your workspace.") from None
    except InvalidAction as exc:
        return render_case(request, context, agent, case_id, error=str(exc), draft=text, status_code=422)
    if isinstance(recorded, DraftSubmitted):  # a trainee's: it waits for a supervisor
        return RedirectResponse(f"/cases/{case_id}#draft-{recorded.draft_id}", status_code=303)
    if macro_id.isdigit() and recorded.created:
        apply_after_reply(context.db, agent.workspace_id, case_id, int(macro_id))
    return RedirectResponse(f"/cases/{case_id}#post-{recorded.post_id}", status_code=303)


@router.post("/cases/{case_id}/posts/{post_id}/retry", dependencies=[Depends(verify_csrf)])
def retry(context: Context, agent: PageAgent, case_id: int, post_id: int) -> Response:
    """Send a reply the network refused once more (after an admin fixed the channel, say)."""
    try:
        retry_failed(context.db, agent.workspace_id, post_id)
    except NotFound:
        raise HTTPException(404, "There is no such reply in your workspace.") from None
    return RedirectResponse(f"/cases/{case_id}#post-{post_id}", status_code=303)


@router.post("/cases/{case_id}/status", dependencies=[Depends(verify_csrf)])
def set_status(
    request: Request,
    context: Context,
    agent: PageAgent,
    case_id: int,
    status: Annotated[str, Form()],
) -> Response:
    if status not in {CaseStatus.RESOLVED.value, CaseStatus.OPEN.value}:
        raise HTTPException(422, "status must be resolved or open")
    try:
        change_status(context.db, agent.workspace_id, case_id, CaseStatus(status))
    except NotFound:
        raise HTTPException(404, "There is no such case in your workspace.") from None
    except InvalidAction as exc:  # e.g. reopening a merged duplicate
        return render_case(request, context, agent, case_id, error=str(exc), status_code=422)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/posts/{post_id}/triage", dependencies=[Depends(verify_csrf)])
def correct(
    request: Request,
    context: Context,
    agent: PageAgent,
    case_id: int,
    post_id: int,
    field: Annotated[str, Form()],
    value: Annotated[str, Form(max_length=100)],
) -> Response:
    try:
        correct_triage(context.db, agent.workspace_id, post_id, agent.agent_id, field, value)
    except NotFound:
        raise HTTPException(404, "There is no such customer post in your workspace.") from None
    except InvalidAction as exc:
        return render_case(request, context, agent, case_id, error=str(exc), status_code=422)
    return RedirectResponse(f"/cases/{case_id}#post-{post_id}", status_code=303)
