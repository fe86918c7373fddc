"""Approvals: trainees' reply drafts. Supervisors (and admins) approve, edit and approve, or reject them
here or on the case page; a trainee sees their own drafts and what the supervisor said."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.accounts.training import ASSIGNABLE_ROLES, set_training
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.approvals import MAX_COMMENT, approve_draft, is_supervisor, reject_draft
from socialdesk.store.repos.approvals import author_drafts, pending_drafts, training_roster
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent, require_admin
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/approvals")
def approvals_page(
    request: Request, context: Context, agent: PageAgent, error: str | None = None
) -> Response:
    supervisor = is_supervisor(agent.role)
    with context.db.read() as session:
        drafts = (
            pending_drafts(session, agent.workspace_id)
            if supervisor
            else author_drafts(session, agent.workspace_id, agent.agent_id)
        )
        workspace = workspace_name(session, agent.workspace_id)
        roster = training_roster(session, agent.workspace_id) if agent.role == "admin" else []
    return render(
        request,
        "approvals.html",
        {
            "agent": agent,
            "workspace": workspace,
            "drafts": drafts,
            "supervisor": supervisor,
            "roster": roster,
            "roles": ASSIGNABLE_ROLES,
        },
    )


@router.post("/approvals/agents/{agent_id}", dependencies=[Depends(verify_csrf)])
def set_agent_training(
    context: Context,
    agent: PageAgent,
    agent_id: int,
    role: Annotated[str, Form(max_length=16)] = "agent",
    trainee: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Admins decide who is a supervisor and who is in training."""
    require_admin(agent, "Only admins decide who is in training.")
    try:
        with context.db.write() as session:
            set_training(session, agent.workspace_id, agent_id, role, trainee == "on")
    except NotFound:
        raise HTTPException(404, "There is no such agent in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, f"Not changed: {exc}.") from None
    return RedirectResponse(f"/approvals#agent-{agent_id}", status_code=303)


def _back(case_id: str, anchor: str) -> str:
    return f"/cases/{case_id}#{anchor}" if case_id.isdigit() else "/approvals"


@router.post("/approvals/{draft_id}/approve", dependencies=[Depends(verify_csrf)])
def approve(
    context: Context,
    agent: PageAgent,
    draft_id: int,
    text: Annotated[str, Form(max_length=20000)] = "",
    case_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if not is_supervisor(agent.role):
        raise HTTPException(403, "Only admins and supervisors approve a trainee's reply.")
    try:
        post_id = approve_draft(context.db, agent.workspace_id, draft_id, agent.agent_id, text or None)
    except NotFound:
        raise HTTPException(404, "There is no such draft in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, f"The draft was not approved: {exc}.") from None
    return RedirectResponse(_back(case_id, f"post-{post_id}"), status_code=303)


@router.post("/approvals/{draft_id}/reject", dependencies=[Depends(verify_csrf)])
def reject(
    context: Context,
    agent: PageAgent,
    draft_id: int,
    comment: Annotated[str, Form(max_length=MAX_COMMENT * 2)] = "",
    case_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if not is_supervisor(agent.role):
        raise HTTPException(403, "Only admins and supervisors reject a trainee's reply.")
    try:
        reject_draft(context.db, agent.workspace_id, draft_id, agent.agent_id, comment)
    except NotFound:
        raise HTTPException(404, "There is no such draft in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, f"The draft was not rejected: {exc}.") from None
    return RedirectResponse(_back(case_id, f"draft-{draft_id}"), status_code=303)
