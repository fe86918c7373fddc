"""Customer profiles and segments over the API: the same operations as the customer and segment pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from socialdesk.accounts.agents import Principal
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.pipeline.profiles import merge_customers, record_satisfaction, split_identity, update_profile
from socialdesk.pipeline.segments import create_segment, delete_segment, segment_ids_for, update_segment
from socialdesk.store.repos.customer_views import CustomerProfile, CustomerRow, SegmentStats, SegmentView
from socialdesk.store.repos.customers import CustomerQuery, get_profile, list_customers, survivor_id
from socialdesk.store.repos.segments import get_segment, list_segments, segment_stats
from socialdesk.web.deps import ApiAgent, Context, docs_principal
from socialdesk.web.pages.customers import customer_query

router = APIRouter(prefix="/api/v1")
# Analytics pages fetch the figures with the agent's browser session; scripts use a token.
analytics = APIRouter(prefix="/api", include_in_schema=False)
AgentOrToken = Annotated[Principal, Depends(docs_principal)]

_NO_CUSTOMER: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such customer in the caller's workspace."}
}
_NO_SEGMENT: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such segment in the caller's workspace."}
}


class CustomerPage(BaseModel):
    items: list[CustomerRow]
    next_page: int | None = Field(description="The next page's number; null on the last page.")


class ProfileIn(BaseModel):
    """Only the fields sent are changed; `tags`, `products` and `attributes` replace the whole set."""

    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    language: str | None = Field(default=None, max_length=8)
    country: str | None = Field(default=None, max_length=2)
    location: str | None = Field(default=None, max_length=200)
    tags: list[str] | None = Field(default=None, max_length=30)
    products: list[str] | None = Field(default=None, max_length=30)
    attributes: dict[str, Any] | None = Field(
        default=None,
        description='A flat object of short scalars, e.g. {"tier": "gold", "member_since": 2019}.',
    )


class MergeIn(BaseModel):
    other_id: int = Field(description="The customer merged into this one; it stays as a tombstone.")


class MergeOut(BaseModel):
    survivor_id: int
    merged_id: int
    changed: bool = Field(description="False when this merge had already been done.")
    identities: int
    cases: int


class SplitOut(BaseModel):
    customer_id: int = Field(description="The new customer the identity now belongs to.")
    conversations: int


class SatisfactionIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    source: Literal["agent", "customer"] = "agent"
    comment: str | None = Field(default=None, max_length=1000)


class SegmentIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    filter: dict[str, Any] = Field(
        default_factory=dict,
        description="countries, location, languages, products, intents, complaint, tags, attributes, "
        "networks, has_open_case, active_within_days (see docs/customers.md).",
    )


class SegmentPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    filter: dict[str, Any] | None = None


class SegmentIds(BaseModel):
    segment_ids: list[int]


def _profile(context: Context, workspace_id: int, customer_id: int) -> CustomerProfile:
    with context.db.read() as session:
        profile = get_profile(session, workspace_id, customer_id)
    if profile is None:
        raise HTTPException(404, "No such customer in your workspace.")
    return profile


@router.get("/customers", tags=["customers"], response_model=CustomerPage)
def customers(
    agent: ApiAgent,
    context: Context,
    q: Annotated[str | None, Query(description="Part of a name, handle or e-mail address.")] = None,
    segment: Annotated[int | None, Query(description="Only members of this segment.")] = None,
    network: Annotated[str | None, Query(description="Has an identity on this network.")] = None,
    language: Annotated[str | None, Query(description="ISO 639-1 code.")] = None,
    country: Annotated[str | None, Query(description="ISO 3166 two-letter code.")] = None,
    tag: str | None = None,
    open: Annotated[str | None, Query(description="yes: has an unresolved case; no: has none.")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CustomerPage:
    """Live customers of the caller's workspace (merged ones never), most recently active first."""
    query = customer_query(
        q, str(segment) if segment is not None else None, network, language, country, tag, open, page, limit
    )
    with context.db.read() as session:
        rows = list_customers(session, agent.workspace_id, query)
    return CustomerPage(items=rows, next_page=query.page + 1 if len(rows) >= query.limit else None)


@router.get(
    "/customers/{customer_id}",
    tags=["customers"],
    response_model=CustomerProfile,
    responses={**_NO_CUSTOMER, 308: {"description": "The customer was merged: the survivor's URL."}},
)
def read_customer(customer_id: int, agent: ApiAgent, context: Context) -> Any:
    """One customer's whole profile: identities, attributes, cases, history, satisfaction, segments."""
    with context.db.read() as session:
        live = survivor_id(session, agent.workspace_id, customer_id)
    if live is None:
        raise HTTPException(404, "No such customer in your workspace.")
    if live != customer_id:
        return RedirectResponse(f"/api/v1/customers/{live}", status_code=308)
    return _profile(context, agent.workspace_id, customer_id)


@router.patch(
    "/customers/{customer_id}", tags=["customers"], response_model=CustomerProfile, responses=_NO_CUSTOMER
)
def edit_customer(customer_id: int, body: ProfileIn, agent: ApiAgent, context: Context) -> CustomerProfile:
    """Change the profile fields sent."""
    try:
        update_profile(
            context.db, agent.workspace_id, customer_id, {k: getattr(body, k) for k in body.model_fields_set}
        )
    except NotFound:
        raise HTTPException(404, "No such customer in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _profile(context, agent.workspace_id, customer_id)


@router.post(
    "/customers/{customer_id}/merge", tags=["customers"], response_model=MergeOut, responses=_NO_CUSTOMER
)
def merge(customer_id: int, body: MergeIn, agent: ApiAgent, context: Context) -> MergeOut:
    """Merge `other_id` into this customer; repeating it changes nothing."""
    try:
        result = merge_customers(context.db, agent.workspace_id, customer_id, body.other_id)
    except NotFound:
        raise HTTPException(404, "No such customer in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return MergeOut(
        survivor_id=result.survivor_id,
        merged_id=result.merged_id,
        changed=result.changed,
        identities=result.identities,
        cases=result.cases,
    )


@router.post(
    "/customers/{customer_id}/identities/{identity_id}/split",
    tags=["customers"],
    response_model=SplitOut,
    status_code=201,
    responses=_NO_CUSTOMER,
)
def split(customer_id: int, identity_id: int, agent: ApiAgent, context: Context) -> SplitOut:
    """Give one of the customer's identities a new customer of its own, with its conversations."""
    try:
        result = split_identity(context.db, agent.workspace_id, customer_id, identity_id)
    except NotFound:
        raise HTTPException(404, "No such identity of this customer in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return SplitOut(customer_id=result.customer_id, conversations=result.conversations)


@router.get("/customers/{customer_id}/segments", tags=["customers"], response_model=SegmentIds)
def customer_segments(customer_id: int, agent: ApiAgent, context: Context) -> SegmentIds:
    """The segments the customer is in now (what routing rules see as `segment_ids`)."""
    with context.db.read() as session:
        if survivor_id(session, agent.workspace_id, customer_id) is None:
            raise HTTPException(404, "No such customer in your workspace.")
        ids = segment_ids_for(session, agent.workspace_id, customer_id)
    return SegmentIds(segment_ids=sorted(ids))


@router.post("/cases/{case_id}/satisfaction", tags=["customers"], status_code=204)
def rate_case(case_id: int, body: SatisfactionIn, agent: ApiAgent, context: Context) -> Response:
    """Record the case's CSAT rating (1-5); the customer's own (`source: customer`) has the last word."""
    try:
        record_satisfaction(
            context.db,
            agent.workspace_id,
            case_id,
            body.rating,
            source=body.source,
            agent_id=agent.agent_id,
            comment=body.comment,
        )
    except NotFound:
        raise HTTPException(404, "No such case in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return Response(status_code=204)


def _segment(context: Context, workspace_id: int, segment_id: int) -> SegmentView:
    with context.db.read() as session:
        segment = get_segment(session, workspace_id, segment_id)
    if segment is None:
        raise HTTPException(404, "No such segment in your workspace.")
    return segment


@router.get("/segments", tags=["segments"], response_model=list[SegmentView])
def segments(agent: ApiAgent, context: Context) -> list[SegmentView]:
    """The workspace's segments with their live member counts."""
    with context.db.read() as session:
        return list_segments(session, agent.workspace_id)


@router.post("/segments", tags=["segments"], response_model=SegmentView, status_code=201)
def new_segment(body: SegmentIn, agent: ApiAgent, context: Context) -> SegmentView:
    try:
        segment_id = create_segment(context.db, agent.workspace_id, body.name, body.filter, body.description)
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _segment(context, agent.workspace_id, segment_id)


@router.get("/segments/{segment_id}", tags=["segments"], response_model=SegmentView, responses=_NO_SEGMENT)
def read_segment(segment_id: int, agent: ApiAgent, context: Context) -> SegmentView:
    return _segment(context, agent.workspace_id, segment_id)


@router.patch("/segments/{segment_id}", tags=["segments"], response_model=SegmentView, responses=_NO_SEGMENT)
def edit_segment(segment_id: int, body: SegmentPatch, agent: ApiAgent, context: Context) -> SegmentView:
    """Change the fields sent; a filter sent replaces the old one."""
    try:
        update_segment(
            context.db, agent.workspace_id, segment_id, {k: getattr(body, k) for k in body.model_fields_set}
        )
    except NotFound:
        raise HTTPException(404, "No such segment in your workspace.") from None
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None
    return _segment(context, agent.workspace_id, segment_id)


@router.delete("/segments/{segment_id}", tags=["segments"], status_code=204, responses=_NO_SEGMENT)
def remove_segment(segment_id: int, agent: ApiAgent, context: Context) -> Response:
    try:
        delete_segment(context.db, agent.workspace_id, segment_id)
    except NotFound:
        raise HTTPException(404, "No such segment in your workspace.") from None
    return Response(status_code=204)


@router.get(
    "/segments/{segment_id}/members", tags=["segments"], response_model=CustomerPage, responses=_NO_SEGMENT
)
def members(
    segment_id: int,
    agent: ApiAgent,
    context: Context,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CustomerPage:
    _segment(context, agent.workspace_id, segment_id)
    with context.db.read() as session:
        rows = list_customers(
            session, agent.workspace_id, CustomerQuery(segment_id=segment_id, page=page, limit=limit)
        )
    return CustomerPage(items=rows, next_page=page + 1 if len(rows) >= limit else None)


def _stats(segment_id: int, agent: Principal, context: Context) -> SegmentStats:
    with context.db.read() as session:
        stats = segment_stats(session, agent.workspace_id, segment_id)
    if stats is None:
        raise HTTPException(404, "No such segment in your workspace.")
    return stats


@router.get(
    "/segments/{segment_id}/stats", tags=["segments"], response_model=SegmentStats, responses=_NO_SEGMENT
)
def stats(segment_id: int, agent: AgentOrToken, context: Context) -> SegmentStats:
    """Members, their open cases, mean sentiment (-1..1), CSAT, complaints of the last 7 and 30 days."""
    return _stats(segment_id, agent, context)


@analytics.get("/segments/{segment_id}/stats", response_model=SegmentStats)
def stats_alias(segment_id: int, agent: AgentOrToken, context: Context) -> SegmentStats:
    return _stats(segment_id, agent, context)
