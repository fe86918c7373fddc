"""Segment pages: the list with live member counts, one segment's members, and the filter form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from socialdesk.channels import NETWORKS
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import Intent
from socialdesk.pipeline.segments import create_segment, delete_segment, update_segment
from socialdesk.store.repos.customers import CustomerQuery, list_customers
from socialdesk.store.repos.segments import get_segment, list_segments, segment_stats
from socialdesk.store.repos.workspace import workspace_name
from socialdesk.web.csrf import verify_csrf
from socialdesk.web.deps import Context, PageAgent
from socialdesk.web.templating import render

router = APIRouter(include_in_schema=False)
MEMBERS_SHOWN = 100
_NO_SEGMENT = "There is no such segment in your workspace."


class SegmentForm:
    """The filter form's fields, as typed: turned into the filter object `parse_filter` validates."""

    def __init__(
        self,
        name: Annotated[str, Form(max_length=400)] = "",
        description: Annotated[str, Form(max_length=2000)] = "",
        countries: Annotated[str, Form(max_length=400)] = "",
        location: Annotated[str, Form(max_length=400)] = "",
        languages: Annotated[str, Form(max_length=400)] = "",
        products: Annotated[str, Form(max_length=2000)] = "",
        intents: Annotated[list[str] | None, Form()] = None,
        complaint: Annotated[str, Form(max_length=8)] = "",
        tags: Annotated[str, Form(max_length=2000)] = "",
        attributes: Annotated[str, Form(max_length=4000)] = "",
        networks: Annotated[list[str] | None, Form()] = None,
        has_open_case: Annotated[str, Form(max_length=8)] = "",
        active_within_days: Annotated[str, Form(max_length=8)] = "",
    ) -> None:
        self.values: dict[str, Any] = {
            "name": name,
            "description": description,
            "countries": countries,
            "location": location,
            "languages": languages,
            "products": products,
            "intents": intents or [],
            "complaint": complaint,
            "tags": tags,
            "attributes": attributes,
            "networks": networks or [],
            "has_open_case": has_open_case,
            "active_within_days": active_within_days,
        }

    def filter(self) -> dict[str, Any]:
        v = self.values
        raw: dict[str, Any] = {
            key: v[key]
            for key in (
                "countries",
                "location",
                "languages",
                "products",
                "tags",
                "complaint",
                "has_open_case",
            )
            if v[key].strip()
        }
        if v["intents"]:
            raw["intents"] = v["intents"]
        if v["networks"]:
            raw["networks"] = v["networks"]
        if v["active_within_days"].strip():
            raw["active_within_days"] = v["active_within_days"].strip()
        pairs: dict[str, str] = {}
        for line in v["attributes"].splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise InvalidAction(
                    f"write each attribute condition as name=value, not {line.strip()[:40]!r}"
                )
            pairs[key.strip()] = value.strip()
        if pairs:
            raw["attributes"] = pairs
        return raw


def form_values(flt: dict[str, Any], name: str = "", description: str = "") -> dict[str, Any]:
    """A stored filter as the form shows it."""
    return {
        "name": name,
        "description": description,
        "countries": ", ".join(flt.get("countries", [])),
        "location": flt.get("location", ""),
        "languages": ", ".join(flt.get("languages", [])),
        "products": ", ".join(flt.get("products", [])),
        "intents": flt.get("intents", []),
        "complaint": {True: "true", False: "false"}.get(flt.get("complaint"), ""),  # type: ignore[arg-type]
        "tags": ", ".join(flt.get("tags", [])),
        "attributes": "\n".join(f"{k}={v}" for k, v in flt.get("attributes", {}).items()),
        "networks": flt.get("networks", []),
        "has_open_case": {True: "true", False: "false"}.get(flt.get("has_open_case"), ""),  # type: ignore[arg-type]
        "active_within_days": str(flt.get("active_within_days", "")),
    }


def describe(flt: dict[str, Any]) -> str:
    """A stored filter in one line, for the list of segments."""
    parts = []
    for key, value in flt.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            shown = ", ".join(map(str, value))
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = str(value)
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return " · ".join(parts) or "everyone"


def _choices() -> dict[str, Any]:
    return {"intents": [i.value for i in Intent], "networks": NETWORKS.values()}


def _list_page(
    request: Request,
    context: Context,
    agent: PageAgent,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        segments = list_segments(session, agent.workspace_id)
        workspace = workspace_name(session, agent.workspace_id)
    return render(
        request,
        "customers/segments.html",
        {
            "agent": agent,
            "workspace": workspace,
            "segments": segments,
            "summaries": {s.id: describe(s.filter) for s in segments},
            "form": form or form_values({}),
            "error": error,
            **_choices(),
        },
        status_code=status_code,
    )


@router.get("/segments")
def segments(request: Request, context: Context, agent: PageAgent) -> Response:
    return _list_page(request, context, agent)


@router.post("/segments", dependencies=[Depends(verify_csrf)])
def create(
    request: Request, context: Context, agent: PageAgent, form: Annotated[SegmentForm, Depends()]
) -> Response:
    try:
        segment_id = create_segment(
            context.db, agent.workspace_id, form.values["name"], form.filter(), form.values["description"]
        )
    except InvalidAction as exc:
        return _list_page(request, context, agent, form.values, str(exc), 422)
    return RedirectResponse(f"/segments/{segment_id}", status_code=303)


def _segment_page(
    request: Request,
    context: Context,
    agent: PageAgent,
    segment_id: int,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.db.read() as session:
        segment = get_segment(session, agent.workspace_id, segment_id)
        if segment is None:
            raise HTTPException(404, _NO_SEGMENT)
        stats = segment_stats(session, agent.workspace_id, segment_id)
        members = list_customers(
            session, agent.workspace_id, CustomerQuery(segment_id=segment_id, limit=MEMBERS_SHOWN)
        )
        workspace = workspace_name(session, agent.workspace_id)
    return render(
        request,
        "customers/segment.html",
        {
            "agent": agent,
            "workspace": workspace,
            "segment": segment,
            "stats": stats,
            "members": members,
            "members_shown": MEMBERS_SHOWN,
            "form": form or form_values(segment.filter, segment.name, segment.description or ""),
            "error": error,
            **_choices(),
        },
        status_code=status_code,
    )


@router.get("/segments/{segment_id}")
def segment_page(request: Request, context: Context, agent: PageAgent, segment_id: int) -> Response:
    return _segment_page(request, context, agent, segment_id)


@router.post("/segments/{segment_id}", dependencies=[Depends(verify_csrf)])
def edit(
    request: Request,
    context: Context,
    agent: PageAgent,
    segment_id: int,
    form: Annotated[SegmentForm, Depends()],
) -> Response:
    try:
        update_segment(
            context.db,
            agent.workspace_id,
            segment_id,
            {"name": form.values["name"], "description": form.values["description"], "filter": form.filter()},
        )
    except NotFound:
        raise HTTPException(404, _NO_SEGMENT) from None
    except InvalidAction as exc:
        return _segment_page(request, context, agent, segment_id, form.values, str(exc), 422)
    return RedirectResponse(f"/segments/{segment_id}", status_code=303)


@router.post("/segments/{segment_id}/delete", dependencies=[Depends(verify_csrf)])
def remove(context: Context, agent: PageAgent, segment_id: int) -> Response:
    try:
        delete_segment(context.db, agent.workspace_id, segment_id)
    except NotFound:
        raise HTTPException(404, _NO_SEGMENT) from None
    return RedirectResponse("/segments", status_code=303)
