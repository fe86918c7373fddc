"""Turning inbox query parameters (the same for pages and API) into a repository filter."""

from __future__ import annotations

from datetime import datetime

from fastapi import HTTPException

from socialdesk.channels import NETWORKS
from socialdesk.core.clock import as_utc
from socialdesk.core.types import CaseStatus
from socialdesk.store.repos.cases import UNRESOLVED, InboxFilter
from socialdesk.store.repos.views import InboxRow

STATUS_CHOICES = ("unresolved", "new", "open", "pending", "resolved", "all")


def _optional_int(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise HTTPException(422, f"{name} must be a number") from None


def inbox_filter(
    status: str | None,
    channel: str | None,
    team: str | None,
    network: str | None,
    before: str | None,
    limit: int = 50,
) -> InboxFilter:
    status = status or "unresolved"
    if status not in STATUS_CHOICES:
        raise HTTPException(422, f"status must be one of {', '.join(STATUS_CHOICES)}")
    statuses: tuple[CaseStatus, ...]
    if status == "unresolved":
        statuses = UNRESOLVED
    elif status == "all":
        statuses = tuple(CaseStatus)
    else:
        statuses = (CaseStatus(status),)
    if network and network not in NETWORKS:
        raise HTTPException(422, f"unknown network {network!r}")
    return InboxFilter(
        statuses=statuses,
        channel_id=_optional_int(channel, "channel"),
        team_id=_optional_int(team, "team"),
        network=network or None,
        limit=max(1, min(limit, 200)),
        before=parse_cursor(before) if before else None,
    )


def parse_cursor(value: str) -> tuple[datetime, int]:
    try:
        stamp, case_id = value.rsplit("_", 1)
        return as_utc(datetime.fromisoformat(stamp)), int(case_id)
    except ValueError:
        raise HTTPException(422, "before must be a cursor from a previous page") from None


def next_cursor(rows: list[InboxRow], limit: int) -> str | None:
    if len(rows) < limit:
        return None
    last = rows[-1]
    return f"{last.last_activity_at.isoformat()}_{last.case_id}"
