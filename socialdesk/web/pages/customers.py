"""Customer pages: the searchable list, a profile with its history, editing, merging and splitting."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.channels import NETWORKS
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.profiles import clean_country, clean_label, clean_language
from socialdesk.pipeline.profiles import merge_customers, record_satisfaction, split_identity, update_profile
from socialdesk.store.repos.customers import (
    CustomerQuery,
    customer_options,
    get_profile,
    list_customers,
    survivor_id,
)
from socialdesk.store.repos.segments import list_segments
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent, ReadSession
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
_NO_CUSTOMER = "There is no such customer in your workspace."


def customer_query(
    q: str | None,
    segment: str | None,
    network: str | None,
    language: str | None,
    country: str | None,
    tag: str | None,
    open_cases: str | None,
    page: int = 1,
    limit: int = PAGE_SIZE,
) -> CustomerQuery:
    """The list's query parameters (the same for the page and the API), or a 422 that says what is wrong."""
    try:
        segment_id = int(segment) if segment else None
    except ValueError:
        raise HTTPException(422, "segment must be a segment's number") from None
    if network and network not in NETWORKS:
        raise HTTPException(422, f"unknown network {network!r}; networks: {', '.join(NETWORKS)}")
    if open_cases not in (None, "", "yes", "no", "true", "false"):
        raise HTTPException(422, "open must be yes or no")
    try:
        return CustomerQuery(
            q=q.strip()[:200] if q and q.strip() else None,
            segment_id=segment_id,
            network=network or None,
            language=clean_language(language),
            country=clean_country(country),
            tag=clean_label(tag) if tag and tag.strip() else None,
            has_open_case=None if not open_cases else open_cases in ("yes", "true"),
            limit=max(1, min(limit, 200)),
            page=max(1, page),
        )
    except InvalidAction as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/customers")
def customers(
    request: Request,
    agent: PageAgent,
    session: ReadSession,
    q: str | None = None,
    segment: str | None = None,
    network: str | None = None,
    language: str | None = None,
    country: str | None = None,
    tag: str | None = None,
    open: str | None = None,
    page: int = 1,
) -> Response:
    query = customer_query(q, segment, network, language, country, tag, open, page)
    rows = list_customers(session, agent.workspace_id, query)
    selected = {
        "q": q or "",
        "segment": segment or "",
        "network": network or "",
        "language": language or "",
        "country": country or "",
        "tag": tag or "",
        "open": open or "",
    }
    given = {k: v for k, v in selected.items() if v}
    return render(
        request,
        "customers/list.html",
        {
            "agent": agent,
            "workspace": workspace_name(session, agent.workspace_id),
            "rows": rows,
            "selected": selected,
            "segments": list_segments(session, agent.workspace_id, with_counts=False),
            "networks": NETWORKS.values(),
            "page": query.page,
            "next_page": urlencode({**given, "page": query.page + 1}) if len(rows) >= query.limit else None,
            "previous_page": urlencode({**given, "page": query.page - 1}) if query.page > 1 else None,
        },
    )


def _profile_page(
    request: Request,
    context: Context,
    agent: PageAgent,
    customer_id: int,
    *,
    merge_q: str = "",
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        live = survivor_id(session, agent.workspace_id, customer_id)
        if live is None:
            raise HTTPException(404, _NO_CUSTOMER)
        if live != customer_id:
            # A merged customer's old link: the profile lives on under the survivor's id.
            return RedirectResponse(f"/customers/{live}", status_code=301)
        profile = get_profile(session, agent.workspace_id, customer_id)
        if profile is None:
            raise HTTPException(404, _NO_CUSTOMER)
        candidates = (
            customer_options(session, agent.workspace_id, customer_id, merge_q) if merge_q.strip() else []
        )
        workspace = workspace_name(session, agent.workspace_id)
    values = form or {
        "display_name": profile.display_name,
        "email": profile.email or "",
        "language": profile.language or "",
        "country": profile.country or "",
        "location": profile.location or "",
        "tags": ", ".join(profile.tags),
        "products": ", ".join(profile.products),
        "attributes": json.dumps(profile.attributes, ensure_ascii=False, indent=1)
        if profile.attributes
        else "",
    }
    return render(
        request,
        "customers/profile.html",
        {
            "agent": agent,
            "workspace": workspace,
            "profile": profile,
            "form": values,
            "error": error,
            "merge_q": merge_q,
            "candidates": candidates,
        },
        status_code=status_code,
    )


@router.get("/customers/{customer_id}")
def profile_page(
    request: Request, context: Context, agent: PageAgent, customer_id: int, merge_q: str = ""
) -> Response:
    return _profile_page(request, context, agent, customer_id, merge_q=merge_q[:200])


def _attributes(text: str) -> Any:
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidAction(
            f'attributes are not valid JSON ({exc.msg}); write them like {{"tier": "gold"}}'
        ) from None


@router.post("/customers/{customer_id}", dependencies=[Depends(verify_csrf)])
def edit_profile(
    request: Request,
    context: Context,
    agent: PageAgent,
    customer_id: int,
    display_name: Annotated[str, Form(max_length=400)],
    email: Annotated[str, Form(max_length=400)] = "",
    language: Annotated[str, Form(max_length=20)] = "",
    country: Annotated[str, Form(max_length=20)] = "",
    location: Annotated[str, Form(max_length=400)] = "",
    tags: Annotated[str, Form(max_length=4000)] = "",
    products: Annotated[str, Form(max_length=4000)] = "",
    attributes: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    form = {
        "display_name": display_name,
        "email": email,
        "language": language,
        "country": country,
        "location": location,
        "tags": tags,
        "products": products,
        "attributes": attributes,
    }
    try:
        update_profile(
            context.db,
            agent.workspace_id,
            customer_id,
            {**{k: v for k, v in form.items() if k != "attributes"}, "attributes": _attributes(attributes)},
        )
    except NotFound:
        raise HTTPException(404, _NO_CUSTOMER) from None
    except InvalidAction as exc:
        return _profile_page(request, context, agent, customer_id, error=str(exc), form=form, status_code=422)
    return RedirectResponse(f"/customers/{customer_id}?saved=1", status_code=303)


@router.post("/customers/{customer_id}/merge", dependencies=[Depends(verify_csrf)])
def merge(
    request: Request,
    context: Context,
    agent: PageAgent,
    customer_id: int,
    other_id: Annotated[str, Form(max_length=20)],
) -> Response:
    """Merge customer `other_id` into this one (this profile survives)."""
    try:
        other = int(other_id.strip().lstrip("#"))
    except ValueError:
        return _profile_page(
            request,
            context,
            agent,
            customer_id,
            error="Give the number of the customer to merge in.",
            status_code=422,
        )
    try:
        merge_customers(context.db, agent.workspace_id, customer_id, other)
    except NotFound:
        return _profile_page(
            request,
            context,
            agent,
            customer_id,
            error=f"There is no customer {other} in your workspace.",
            status_code=404,
        )
    except InvalidAction as exc:
        return _profile_page(request, context, agent, customer_id, error=str(exc), status_code=422)
    return RedirectResponse(f"/customers/{customer_id}?merged={other}", status_code=303)


@router.post("/customers/{customer_id}/identities/{identity_id}/split", dependencies=[Depends(verify_csrf)])
def split(
    request: Request, context: Context, agent: PageAgent, customer_id: int, identity_id: int
) -> Response:
    try:
        result = split_identity(context.db, agent.workspace_id, customer_id, identity_id)
    except NotFound:
        raise HTTPException(404, "There is no such identity of this customer in your workspace.") from None
    except InvalidAction as exc:
        return _profile_page(request, context, agent, customer_id, error=str(exc), status_code=422)
    return RedirectResponse(f"/customers/{result.customer_id}?split_from={customer_id}", status_code=303)


@router.post("/customers/{customer_id}/cases/{case_id}/satisfaction", dependencies=[Depends(verify_csrf)])
def rate(
    request: Request,
    context: Context,
    agent: PageAgent,
    customer_id: int,
    case_id: int,
    rating: Annotated[str, Form(max_length=2)],
) -> Response:
    """An agent records how satisfied the customer was with a case (1-5)."""
    try:
        record_satisfaction(
            context.db,
            agent.workspace_id,
            case_id,
            int(rating) if rating.isdigit() else 0,
            agent_id=agent.agent_id,
        )
    except NotFound:
        raise HTTPException(404, "There is no such case in your workspace.") from None
    except InvalidAction as exc:
        return _profile_page(request, context, agent, customer_id, error=str(exc), status_code=422)
    return RedirectResponse(f"/customers/{customer_id}#case-{case_id}", status_code=303)
