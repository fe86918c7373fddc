"""The inbox: a workspace's cases, filtered and ordered; saved views in the sidebar; bulk actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.accounts.agents import Principal
from socialdesk.channels import NETWORKS
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus, Intent, Priority, Sentiment
from socialdesk.pipeline.bulk import BulkChange, BulkRefused, RowProblem, apply_bulk
from socialdesk.pipeline.merges import DifferentCustomers, merge_many
from socialdesk.pipeline.saved_views import ViewChange, create_view, delete_view, update_view
from socialdesk.store.repos.cases import SORTS, list_inbox
from socialdesk.store.repos.saved_views import list_views
from socialdesk.store.repos.workspace import (
    agent_options,
    channel_options,
    tag_names,
    team_options,
    workspace_name,
)
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent
from socialdesk.web.filters import STATUS_CHOICES, VIEW_FILTERS, has_next_page, inbox_filter, view_filters
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)

# Every query parameter the inbox understands; the page number and the active view besides the filters.
PARAMS = (*VIEW_FILTERS, "sort", "page", "view")


@router.get("/")
def home(agent: PageAgent) -> Response:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/inbox")
def inbox(request: Request, context: Context, agent: PageAgent) -> Response:
    return _inbox_page(request, context, agent, request.query_params)


def _page_number(value: str | None) -> int:
    if not value:
        return 1
    try:
        return max(1, int(value))
    except ValueError:
        raise HTTPException(422, "page must be a number") from None


def _inbox_page(
    request: Request,
    context: Context,
    agent: Principal,
    params: Mapping[str, str],
    *,
    problems: list[RowProblem] | None = None,
    error: str | None = None,
    confirm_merge: list[int] | None = None,
    status_code: int = 200,
) -> Response:
    given = {k: params.get(k) or "" for k in PARAMS}
    page = _page_number(given["page"])
    flt = inbox_filter(
        given["status"] or None,
        given["channel"] or None,
        given["team"] or None,
        given["network"] or None,
        sentiment=given["sentiment"] or None,
        intent=given["intent"] or None,
        language=given["language"] or None,
        place=given["place"] or None,
        min_urgency=given["min_urgency"] or None,
        assignee=given["assignee"] or None,
        priority=given["priority"] or None,
        complaint=given["complaint"] or None,
        q=given["q"] or None,
        tag=given["tag"] or None,
        segment=given["segment"] or None,
        sort=given["sort"] or None,
        page=page,
        me=agent.agent_id,
    )
    with context.db.read() as session:
        rows = list_inbox(session, agent.workspace_id, flt)
        views = list_views(session, agent.workspace_id, agent.agent_id)
        options = {
            "channels": channel_options(session, agent.workspace_id),
            "teams": team_options(session, agent.workspace_id),
            "agents": agent_options(session, agent.workspace_id),
            "tags": tag_names(session, agent.workspace_id),
        }
        workspace = workspace_name(session, agent.workspace_id)
    selected = {**{k: v for k, v in given.items() if k != "page"}, "status": given["status"] or "unresolved"}
    selected["sort"] = selected["sort"] or "newest"
    query = {k: v for k, v in selected.items() if v}
    here = "/inbox" + (f"?{urlencode({**query, 'page': page})}" if query or page > 1 else "")
    return render(
        request,
        "inbox.html",
        {
            "agent": agent,
            "workspace": workspace,
            "rows": rows,
            "page": flt.page,
            "next_page": urlencode({**query, "page": flt.page + 1})
            if has_next_page(rows, flt.limit)
            else None,
            "previous_page": urlencode({**query, "page": flt.page - 1}) if flt.page > 1 else None,
            "here": here,
            "selected": selected,
            # What "Save view" keeps: the filters that differ from the inbox's defaults.
            "view_fields": {
                k: v
                for k, v in selected.items()
                if k in (*VIEW_FILTERS, "sort")
                and v
                and (k, v) not in (("status", "unresolved"), ("sort", "newest"))
            },
            "views": views,
            "active_view": next((v for v in views if str(v.id) == given["view"]), None),
            "status_choices": STATUS_CHOICES,
            "sorts": SORTS,
            "sentiments": [s.value for s in Sentiment],
            "intents": [i.value for i in Intent],
            "priorities": [p.value for p in Priority],
            "networks": NETWORKS.values(),
            "problems": problems or [],
            "error": error,
            "confirm_merge": confirm_merge,
            **options,
        },
        status_code=status_code,
    )


def _back(value: str) -> str:
    """Where a form on the inbox returns to: an inbox URL of this site, never another site."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path != "/inbox":
        return "/inbox"
    return f"/inbox?{parts.query}" if parts.query else "/inbox"


def _params_of(back: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(back).query))


# Saved views -------------------------------------------------------------------------------------


@router.post("/inbox/views", dependencies=[Depends(verify_csrf)])
async def save_view(request: Request, context: Context, agent: PageAgent) -> Response:
    """Save the filters the inbox shows now (sent as hidden fields) under a name."""
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    filters, sort = view_filters(fields)
    back = _back(fields.get("back", ""))
    try:
        view_id = create_view(
            context.db,
            agent.workspace_id,
            agent.agent_id,
            fields.get("name", ""),
            filters,
            sort,
            shared=fields.get("shared") == "on",
        )
    except InvalidAction as exc:
        return _inbox_page(
            request,
            context,
            agent,
            _params_of(back),
            error=f"The view was not saved: {exc}.",
            status_code=422,
        )
    query = {**filters, **({"sort": sort} if sort != "newest" else {}), "view": str(view_id)}
    return RedirectResponse(f"/inbox?{urlencode(query)}", status_code=303)


@router.post("/inbox/views/{view_id}", dependencies=[Depends(verify_csrf)])
def change_view(
    request: Request,
    context: Context,
    agent: PageAgent,
    view_id: int,
    name: Annotated[str, Form(max_length=300)],
    shared: Annotated[str, Form()] = "",
    back: Annotated[str, Form(max_length=2000)] = "/inbox",
) -> Response:
    """Rename a view, or share or unshare it."""
    try:
        update_view(
            context.db,
            agent.workspace_id,
            agent.agent_id,
            view_id,
            ViewChange(name=name, shared=shared == "on"),
        )
    except NotFound:
        raise HTTPException(404, "There is no such view.") from None
    except InvalidAction as exc:
        return _inbox_page(
            request,
            context,
            agent,
            _params_of(_back(back)),
            error=f"The view was not changed: {exc}.",
            status_code=422,
        )
    return RedirectResponse(_back(back), status_code=303)


@router.post("/inbox/views/{view_id}/delete", dependencies=[Depends(verify_csrf)])
def remove_view(
    request: Request,
    context: Context,
    agent: PageAgent,
    view_id: int,
) -> Response:
    try:
        delete_view(context.db, agent.workspace_id, agent.agent_id, view_id)
    except NotFound:
        raise HTTPException(404, "There is no such view.") from None
    except InvalidAction as exc:
        return _inbox_page(
            request, context, agent, {}, error=f"The view was not deleted: {exc}.", status_code=422
        )
    return RedirectResponse("/inbox", status_code=303)


# Bulk actions ------------------------------------------------------------------------------------


def _case_ids(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise HTTPException(422, "case ids must be numbers") from None


def _optional_id(value: str, name: str) -> int | None:
    if not value or value == "none":
        return None
    try:
        return int(value)
    except ValueError:
        raise HTTPException(422, f"{name} must be a number") from None


def bulk_change(status: str, team: str, assignee: str, tag: str, priority: str) -> BulkChange:
    """The bulk bar's fields as a change; an empty field leaves that field alone, "none" clears it."""
    if status and status not in (CaseStatus.RESOLVED.value, CaseStatus.OPEN.value):
        raise HTTPException(422, "status must be resolved or open")
    if priority and priority not in {p.value for p in Priority}:
        raise HTTPException(422, f"priority must be one of {', '.join(p.value for p in Priority)}")
    return BulkChange(
        status=CaseStatus(status) if status else None,
        team_id=_optional_id(team, "team"),
        clear_team=team == "none",
        assignee_id=_optional_id(assignee, "assignee"),
        unassign=assignee == "none",
        tag=tag.strip() or None,
        priority=Priority(priority) if priority else None,
    )


@router.post("/inbox/bulk", dependencies=[Depends(verify_csrf)])
async def bulk(request: Request, context: Context, agent: PageAgent) -> Response:
    """Apply the bulk bar's change (or merge) to the selected cases, then return to the same inbox."""
    form = await request.form()
    field = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    ids = _case_ids([str(v) for v in form.getlist("case_id")])
    back = _back(field.get("back", ""))
    params = _params_of(back)
    try:
        if field.get("action") == "merge":
            merge_many(
                context.db,
                agent.workspace_id,
                agent.agent_id,
                ids,
                confirm_different_customers=field.get("confirm") == "yes",
            )
        else:
            change = bulk_change(
                field.get("status", ""),
                field.get("team", ""),
                field.get("assignee", ""),
                field.get("tag", ""),
                field.get("priority", ""),
            )
            apply_bulk(context.db, agent.workspace_id, agent.agent_id, ids, change)
    except BulkRefused as refused:
        return _inbox_page(
            request,
            context,
            agent,
            params,
            problems=refused.problems,
            error="Nothing was changed: some selected cases cannot take this change.",
            status_code=422,
        )
    except DifferentCustomers as exc:
        return _inbox_page(
            request, context, agent, params, error=f"{exc}.", confirm_merge=ids, status_code=409
        )
    except NotFound as exc:
        return _inbox_page(
            request, context, agent, params, error=f"Nothing was changed: {exc}.", status_code=404
        )
    except InvalidAction as exc:
        return _inbox_page(
            request, context, agent, params, error=f"Nothing was changed: {exc}.", status_code=422
        )
    return RedirectResponse(back, status_code=303)
