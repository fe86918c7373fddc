"""Macros, internal notes and trainees' drafts over the API: what the case page's tools do."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Response
from pydantic import BaseModel, Field

from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.approvals import (
    MAX_COMMENT,
    approve_draft,
    is_supervisor,
    reject_draft,
    submit_draft,
)
from socialdesk.pipeline.notes import MAX_NOTE, add_note
from socialdesk.store.repos.approvals import DraftView, author_drafts, pending_drafts
from socialdesk.store.repos.cases import get_case
from socialdesk.store.repos.macros import MacroView, list_macros
from socialdesk.store.repos.mentions import MentionView, agent_mentions
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.deps import ApiAgent, Context
from socialdesk.web.pages.case_tools import macro_choices

router = APIRouter(prefix="/api/v1")

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not in the caller's workspace."}}


class MacroChoice(BaseModel):
    id: int
    name: str
    shortcut: str
    team: str | None
    text: str = Field(description="The body filled in for this case and the calling agent.")
    length: int = Field(description="As the case's network counts it.")
    limit: int | None = Field(description="The network's limit for this case; null: none.")
    problem: str | None = Field(description="Why it is too long here; null when it fits.")
    resolves: bool
    tag: str | None


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=MAX_NOTE)


class NoteOut(BaseModel):
    id: int
    mentioned: list[int] = Field(description="Ids of the agents of the workspace the note mentions.")


class DraftIn(BaseModel):
    text: str = Field(min_length=1, max_length=20000)


class DraftOut(BaseModel):
    id: int
    created: bool = Field(description="False when the Idempotency-Key had already submitted it.")


class ApproveIn(BaseModel):
    text: str | None = Field(default=None, max_length=20000, description="An edit; null: as written.")


class ApproveOut(BaseModel):
    post_id: int = Field(description="The outbound post now queued for delivery.")


class RejectIn(BaseModel):
    comment: str = Field(min_length=1, max_length=MAX_COMMENT)


@router.get("/macros", tags=["macros"], response_model=list[MacroView])
def read_macros(agent: ApiAgent, context: Context) -> list[MacroView]:
    """The workspace's macros, bodies with their {{variables}}."""
    with context.db.read() as session:
        return list_macros(session, agent.workspace_id)


@router.get(
    "/cases/{case_id}/macros", tags=["macros"], response_model=list[MacroChoice], responses=_NOT_FOUND
)
def case_macros(case_id: int, agent: ApiAgent, context: Context) -> list[MacroChoice]:
    """The macros offered on the case, filled in and measured against the case's network."""
    with context.db.read() as session:
        case = get_case(session, agent.workspace_id, case_id)
        if case is None:
            raise HTTPException(404, "No such case in your workspace.")
        choices = macro_choices(session, agent, case, workspace_name(session, agent.workspace_id))
    return [MacroChoice(**c) for c in choices]


@router.post(
    "/cases/{case_id}/notes", tags=["notes"], response_model=NoteOut, status_code=201, responses=_NOT_FOUND
)
def create_note(case_id: int, body: NoteIn, agent: ApiAgent, context: Context) -> NoteOut:
    """An internal note; every @handle of an agent of the workspace in it becomes a mention."""
    try:
        added = add_note(context.db, agent.workspace_id, case_id, agent.agent_id, body.body)
    except NotFound:
        raise HTTPException(404, "No such case in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return NoteOut(id=added.note_id, mentioned=list(added.mentioned))


@router.get("/mentions", tags=["notes"], response_model=list[MentionView])
def read_mentions(agent: ApiAgent, context: Context) -> list[MentionView]:
    """The notes that mention the calling agent, unread first."""
    with context.db.read() as session:
        return agent_mentions(session, agent.workspace_id, agent.agent_id)


@router.post(
    "/cases/{case_id}/drafts",
    tags=["approvals"],
    response_model=DraftOut,
    status_code=201,
    responses=_NOT_FOUND,
)
def create_draft(
    case_id: int,
    body: DraftIn,
    agent: ApiAgent,
    context: Context,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> DraftOut:
    """A reply held for a supervisor's approval (how a trainee answers; anyone may ask for a review)."""
    try:
        submitted = submit_draft(
            context.db, agent.workspace_id, case_id, agent.agent_id, body.text, idempotency_key
        )
    except NotFound:
        raise HTTPException(404, "No such case in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    if not submitted.created:
        response.status_code = 200
    return DraftOut(id=submitted.draft_id, created=submitted.created)


@router.get("/drafts", tags=["approvals"], response_model=list[DraftView])
def read_drafts(agent: ApiAgent, context: Context) -> list[DraftView]:
    """For a supervisor or admin, the drafts waiting for approval; for anyone else, their own drafts."""
    with context.db.read() as session:
        if is_supervisor(agent.role):
            return pending_drafts(session, agent.workspace_id)
        return author_drafts(session, agent.workspace_id, agent.agent_id)


def _review(action: str) -> None:
    raise HTTPException(403, f"Only admins and supervisors {action} a draft.")


@router.post(
    "/drafts/{draft_id}/approve", tags=["approvals"], response_model=ApproveOut, responses=_NOT_FOUND
)
def approve(draft_id: int, body: ApproveIn, agent: ApiAgent, context: Context) -> ApproveOut:
    """Approve a pending draft (optionally edited): its reply is queued for delivery."""
    if not is_supervisor(agent.role):
        _review("approve")
    try:
        post_id = approve_draft(context.db, agent.workspace_id, draft_id, agent.agent_id, body.text)
    except NotFound:
        raise HTTPException(404, "No such draft in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return ApproveOut(post_id=post_id)


@router.post("/drafts/{draft_id}/reject", tags=["approvals"], status_code=204, responses=_NOT_FOUND)
def reject(draft_id: int, body: RejectIn, agent: ApiAgent, context: Context) -> Response:
    """Reject a pending draft with a comment the trainee reads; nothing is sent."""
    if not is_supervisor(agent.role):
        _review("reject")
    try:
        reject_draft(context.db, agent.workspace_id, draft_id, agent.agent_id, body.comment)
    except NotFound:
        raise HTTPException(404, "No such draft in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return Response(status_code=204)
