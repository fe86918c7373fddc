"""Cases over the API: the same operations as the inbox and case pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Response

from socialdesk.accounts.agents import Principal
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus
from socialdesk.pipeline.case_actions import change_status, correct_triage, record_reply
from socialdesk.pipeline.outbox import retry_failed
from socialdesk.store.repos.cases import SORTS, get_case, list_inbox
from socialdesk.store.repos.views import CaseDetail, PostView
from socialdesk.web.api.schemas import CorrectionIn, InboxPage, ReplyIn, StatusIn
from socialdesk.web.deps import ApiAgent, Context
from socialdesk.web.filters import STATUS_CHOICES, has_next_page, inbox_filter

router = APIRouter(prefix="/api/v1")

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such case in the caller's workspace."}
}


@router.get("/me", response_model=Principal, tags=["agents"])
def me(agent: ApiAgent) -> Principal:
    """The agent the token acts as, and the workspace every call is scoped to."""
    return agent


@router.get("/cases", tags=["cases"], response_model=InboxPage)
def list_cases(
    agent: ApiAgent,
    context: Context,
    status: Annotated[str, Query(description=f"One of {', '.join(STATUS_CHOICES)}.")] = "unresolved",
    channel: Annotated[int | None, Query(description="Channel account id.")] = None,
    team: Annotated[int | None, Query(description="Team id.")] = None,
    network: Annotated[str | None, Query(description="Network name, e.g. x, facebook.")] = None,
    sentiment: Annotated[str | None, Query(description="negative, neutral or positive.")] = None,
    intent: Annotated[
        str | None, Query(description="complaint, question, request, praise, feedback, other.")
    ] = None,
    language: Annotated[str | None, Query(description="ISO 639-1 code of the customer's language.")] = None,
    place: Annotated[str | None, Query(description="ISO country code, or part of a place name.")] = None,
    min_urgency: Annotated[
        float | None, Query(ge=0, le=1, description="Only cases at least this urgent.")
    ] = None,
    assignee: Annotated[str | None, Query(description="An agent id, me, or none (unassigned).")] = None,
    priority: Annotated[str | None, Query(description="low, normal, high or urgent.")] = None,
    complaint: Annotated[str | None, Query(description="yes or no.")] = None,
    q: Annotated[str | None, Query(description="Words in a post of the case or the customer name.")] = None,
    tag: Annotated[str | None, Query(description="Only cases with this tag.")] = None,
    segment: Annotated[int | None, Query(description="Only cases of customers in this segment.")] = None,
    sort: Annotated[str, Query(description=f"One of {', '.join(SORTS)}.")] = "newest",
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InboxPage:
    """Cases of the caller's workspace, filtered and ordered as asked (newest activity first by default)."""
    flt = inbox_filter(
        status,
        str(channel) if channel is not None else None,
        str(team) if team is not None else None,
        network,
        sentiment=sentiment,
        intent=intent,
        language=language,
        place=place,
        min_urgency=str(min_urgency) if min_urgency is not None else None,
        assignee=assignee,
        priority=priority,
        complaint=complaint,
        q=q,
        tag=tag,
        segment=str(segment) if segment is not None else None,
        sort=sort,
        page=page,
        limit=limit,
        me=agent.agent_id,
    )
    with context.db.read() as session:
        rows = list_inbox(session, agent.workspace_id, flt)
    return InboxPage(items=rows, next_page=flt.page + 1 if has_next_page(rows, flt.limit) else None)


def _case_out(context: Context, workspace_id: int, case_id: int) -> CaseDetail:
    with context.db.read() as session:
        case = get_case(session, workspace_id, case_id)
    if case is None:
        raise HTTPException(404, "No such case in your workspace.")
    return case


@router.get("/cases/{case_id}", tags=["cases"], response_model=CaseDetail, responses=_NOT_FOUND)
def read_case(case_id: int, agent: ApiAgent, context: Context) -> CaseDetail:
    """One case with its whole conversation and the customer."""
    return _case_out(context, agent.workspace_id, case_id)


@router.post(
    "/cases/{case_id}/replies", tags=["cases"], response_model=PostView, status_code=201, responses=_NOT_FOUND
)
def reply(
    case_id: int,
    body: ReplyIn,
    agent: ApiAgent,
    context: Context,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=128, description="Repeat a request safely: the same key records one reply."),
    ] = None,
) -> PostView:
    """Record a reply on the case's network (queued for delivery) and move the case to pending."""
    try:
        recorded = record_reply(
            context.db, agent.workspace_id, case_id, agent.agent_id, body.text, idempotency_key
        )
    except NotFound:
        raise HTTPException(404, "No such case in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    case = _case_out(context, agent.workspace_id, case_id)
    if not recorded.created:
        response.status_code = 200  # a replay: the reply was recorded by the first request
    return next(p for p in case.posts if p.id == recorded.post_id)


@router.post("/cases/{case_id}/status", tags=["cases"], response_model=CaseDetail, responses=_NOT_FOUND)
def set_status(case_id: int, body: StatusIn, agent: ApiAgent, context: Context) -> CaseDetail:
    """Resolve the case, or reopen it."""
    try:
        change_status(context.db, agent.workspace_id, case_id, CaseStatus(body.status))
    except NotFound:
        raise HTTPException(404, "No such case in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _case_out(context, agent.workspace_id, case_id)


@router.post("/posts/{post_id}/triage", tags=["cases"], status_code=204, responses=_NOT_FOUND)
def correct_post_triage(post_id: int, body: CorrectionIn, agent: ApiAgent, context: Context) -> Response:
    """Correct a customer post's sentiment, intent or topic; kept as feedback for retraining."""
    try:
        correct_triage(context.db, agent.workspace_id, post_id, agent.agent_id, body.field, body.value)
    except NotFound:
        raise HTTPException(404, "No such customer post in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return Response(status_code=204)


@router.post("/posts/{post_id}/retry", tags=["cases"], status_code=204, responses=_NOT_FOUND)
def retry_reply(post_id: int, agent: ApiAgent, context: Context) -> Response:
    """Queue a reply the network refused for another try (its `delivery_status` was `failed`)."""
    try:
        retry_failed(context.db, agent.workspace_id, post_id)
    except NotFound:
        raise HTTPException(404, "No such reply in your workspace.") from None
    return Response(status_code=204)
