"""Saved views, bulk actions and merges over the API: the same operations as the inbox page."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus, Priority
from socialdesk.pipeline.bulk import BulkChange, BulkRefused, apply_bulk
from socialdesk.pipeline.merges import DifferentCustomers, merge_cases
from socialdesk.pipeline.saved_views import ViewChange, create_view, delete_view, update_view
from socialdesk.store.repos.merges import MergeState, merge_state
from socialdesk.store.repos.saved_views import SavedViewRow, get_view, list_views
from socialdesk.web.deps import ApiAgent, Context
from socialdesk.web.filters import VIEW_FILTERS, view_filters

router = APIRouter(prefix="/api/v1")

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not in the caller's workspace."}}


class ViewIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    filters: dict[str, str] = Field(
        default_factory=dict,
        description="Inbox query parameters: status, network, channel, team, assignee (id, me, none), "
        "priority, sentiment, intent, language, complaint (yes, no), place, min_urgency, q, tag.",
    )
    sort: str = "newest"
    shared: bool = False


class ViewPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    filters: dict[str, str] | None = None
    sort: str | None = None
    shared: bool | None = None


class ViewOut(BaseModel):
    id: int
    name: str
    shared: bool
    owner_name: str
    mine: bool
    filters: dict[str, str]
    sort: str
    inbox_query: str = Field(description="The query string of /inbox and /api/v1/cases that applies it.")


def _out(view: SavedViewRow) -> ViewOut:
    return ViewOut(
        id=view.id,
        name=view.name,
        shared=view.shared,
        owner_name=view.owner_name,
        mine=view.mine,
        filters=view.filters,
        sort=view.sort,
        inbox_query=view.query,
    )


def _known(filters: dict[str, str]) -> None:
    unknown = sorted(set(filters) - set(VIEW_FILTERS))
    if unknown:
        raise HTTPException(422, f"unknown filters: {', '.join(unknown)}; known: {', '.join(VIEW_FILTERS)}")


def _view(context: Context, workspace_id: int, agent_id: int, view_id: int) -> ViewOut:
    with context.db.read() as session:
        view = get_view(session, workspace_id, agent_id, view_id)
    if view is None:
        raise HTTPException(404, "No such view.")
    return _out(view)


@router.get("/views", tags=["views"], response_model=list[ViewOut])
def views(agent: ApiAgent, context: Context) -> list[ViewOut]:
    """The caller's saved views, then the views shared with the workspace."""
    with context.db.read() as session:
        return [_out(v) for v in list_views(session, agent.workspace_id, agent.agent_id)]


@router.post("/views", tags=["views"], response_model=ViewOut, status_code=201)
def add_view(body: ViewIn, agent: ApiAgent, context: Context) -> ViewOut:
    """Save inbox filters and a sort under a name (checked as the inbox checks them)."""
    _known(body.filters)
    filters, sort = view_filters({**body.filters, "sort": body.sort})
    try:
        view_id = create_view(
            context.db, agent.workspace_id, agent.agent_id, body.name, filters, sort, shared=body.shared
        )
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _view(context, agent.workspace_id, agent.agent_id, view_id)


@router.get("/views/{view_id}", tags=["views"], response_model=ViewOut, responses=_NOT_FOUND)
def read_view(view_id: int, agent: ApiAgent, context: Context) -> ViewOut:
    return _view(context, agent.workspace_id, agent.agent_id, view_id)


@router.patch("/views/{view_id}", tags=["views"], response_model=ViewOut, responses=_NOT_FOUND)
def change_view(view_id: int, body: ViewPatch, agent: ApiAgent, context: Context) -> ViewOut:
    """Rename, share or unshare a view, or replace its filters or sort (owner or admin)."""
    filters: dict[str, str] | None = None
    sort = body.sort
    if body.filters is not None or body.sort is not None:
        current = _view(context, agent.workspace_id, agent.agent_id, view_id)
        _known(body.filters or {})
        filters, sort = view_filters(
            {
                **(body.filters if body.filters is not None else current.filters),
                "sort": body.sort or current.sort,
            }
        )
    try:
        update_view(
            context.db,
            agent.workspace_id,
            agent.agent_id,
            view_id,
            ViewChange(name=body.name, shared=body.shared, filters=filters, sort=sort),
        )
    except NotFound:
        raise HTTPException(404, "No such view.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _view(context, agent.workspace_id, agent.agent_id, view_id)


@router.delete("/views/{view_id}", tags=["views"], status_code=204, responses=_NOT_FOUND)
def remove_view(view_id: int, agent: ApiAgent, context: Context) -> Response:
    try:
        delete_view(context.db, agent.workspace_id, agent.agent_id, view_id)
    except NotFound:
        raise HTTPException(404, "No such view.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return Response(status_code=204)


class BulkIn(BaseModel):
    case_ids: list[int] = Field(min_length=1, max_length=200)
    status: Literal["resolved", "open"] | None = None
    team_id: int | None = Field(default=None, description="A team of the workspace.")
    clear_team: bool = False
    assignee_id: int | None = Field(default=None, description="An active agent of the workspace.")
    unassign: bool = False
    tag: str | None = Field(default=None, min_length=1, max_length=100, description="Added to every case.")
    priority: Priority | None = None


class BulkOut(BaseModel):
    changed: int


@router.post(
    "/cases/bulk",
    tags=["cases"],
    response_model=BulkOut,
    responses={422: {"description": "Nothing changed; `detail.problems` lists each case's problem."}},
)
def bulk(body: BulkIn, agent: ApiAgent, context: Context) -> BulkOut:
    """Apply one change to many cases in one transaction: all of them, or none."""
    change = BulkChange(
        status=CaseStatus(body.status) if body.status else None,
        team_id=body.team_id,
        clear_team=body.clear_team,
        assignee_id=body.assignee_id,
        unassign=body.unassign,
        tag=body.tag,
        priority=body.priority,
    )
    try:
        changed = apply_bulk(context.db, agent.workspace_id, agent.agent_id, body.case_ids, change)
    except BulkRefused as refused:
        problems = [{"case_id": p.case_id, "reason": p.reason} for p in refused.problems]
        raise HTTPException(422, {"message": "nothing was changed", "problems": problems}) from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return BulkOut(changed=changed)


class MergeIn(BaseModel):
    source_case_id: int = Field(description="The duplicate, merged into the case of the path.")
    confirm_different_customers: bool = False


class MergeOut(BaseModel):
    case_id: int
    merged_into: int | None
    merged_cases: list[int]
    changed: bool = Field(description="False when the duplicate had already been merged into this case.")


@router.post(
    "/cases/{case_id}/merge",
    tags=["cases"],
    response_model=MergeOut,
    responses={**_NOT_FOUND, 409: {"description": "The customers differ: repeat with confirmation."}},
)
def merge(case_id: int, body: MergeIn, agent: ApiAgent, context: Context) -> MergeOut:
    """Merge a duplicate case into this one (idempotent)."""
    try:
        merged = merge_cases(
            context.db,
            agent.workspace_id,
            agent.agent_id,
            case_id,
            body.source_case_id,
            confirm_different_customers=body.confirm_different_customers,
        )
    except NotFound:
        raise HTTPException(404, "No such case in your workspace.") from None
    except DifferentCustomers as exc:
        raise HTTPException(409, str(exc)) from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    with context.db.read() as session:
        state: MergeState = merge_state(session, agent.workspace_id, case_id)
    return MergeOut(
        case_id=case_id,
        merged_into=state.merged_into,
        merged_cases=state.merged_cases,
        changed=merged.changed,
    )
