"""Jinja2 templates and the filters that present times and statuses to agents."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from socialdesk.channels import NETWORKS
from socialdesk.core.clock import utcnow
from socialdesk.web.csrf import csrf_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _ago(value: datetime | None) -> str:
    if value is None:
        return ""
    return _span((utcnow() - value).total_seconds()) + " ago"


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return "just now" if seconds < 5 else f"{int(seconds)} s"


def _due(value: datetime | None) -> str:
    if value is None:
        return ""
    remaining = (value - utcnow()).total_seconds()
    return f"due in {_span(remaining)}" if remaining >= 0 else f"overdue by {_span(remaining)}"


def _overdue(value: datetime | None) -> bool:
    return value is not None and value < utcnow()


def _utc(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _network_label(name: str) -> str:
    known = NETWORKS.get(name)
    return known.label if known else name


templates.env.filters.update(ago=_ago, due=_due, overdue=_overdue, utc=_utc, network=_network_label)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    context = {"csrf_token": csrf_token(request), **context}
    return templates.TemplateResponse(request, name, context, status_code=status_code)
