"""The inbox's SLA badges: which answer a case owes, when it is due, and whether that is close.

"Close" (breach risk) is within a quarter of the target, or within 15 minutes, whichever is longer:
a quarter of a 4-hour target is an hour's warning, while a 20-minute target still warns 15 minutes
ahead, time enough to reach the case.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.types import CaseStatus
from socialdesk.store.models import Agent
from socialdesk.store.repos.teams import target_minutes
from socialdesk.store.repos.views import InboxRow

RISK_FLOOR = timedelta(minutes=15)
RISK_SHARE = 0.25


def breach_risk(due_at: datetime | None, target_minutes: int, now: datetime) -> bool:
    """True when the due time is within a quarter of the target or 15 minutes (or already past)."""
    if due_at is None:
        return False
    return due_at - now <= max(timedelta(minutes=target_minutes * RISK_SHARE), RISK_FLOOR)


def owed(row: InboxRow) -> tuple[str, datetime] | None:
    """The target the case must meet next and its due time; None once resolved or nothing is due."""
    if row.status == CaseStatus.RESOLVED:
        return None
    if row.first_responded_at is None and row.first_response_due_at is not None:
        return "first_response", as_utc(row.first_response_due_at)
    if row.next_response_due_at is not None:
        return "next_response", as_utc(row.next_response_due_at)
    if row.resolution_due_at is not None:
        return "resolution", as_utc(row.resolution_due_at)
    return None


_INDEX = {"first_response": 0, "next_response": 1, "resolution": 2}


def with_sla_badges(
    session: Session, workspace_id: int, rows: list[InboxRow], now: datetime | None = None
) -> list[InboxRow]:
    if not rows:
        return rows
    now = now or utcnow()
    targets = target_minutes(session, workspace_id)
    assignees = {r.assignee_id for r in rows if r.assignee_id is not None}
    names: dict[int, str] = {}
    if assignees:
        query = select(Agent.id, Agent.name).where(
            Agent.workspace_id == workspace_id, Agent.id.in_(assignees)
        )
        # Not dict(result): a Result has keys(), so dict() would take it for a mapping.
        names = {agent_id: name for agent_id, name in session.execute(query)}  # noqa: C416
    badged = []
    for row in rows:
        due = owed(row)
        state = None
        if due is not None:
            minutes = targets[row.priority][_INDEX[due[0]]]
            state = "breached" if due[1] < now else "risk" if breach_risk(due[1], minutes, now) else "ok"
        badged.append(
            dataclasses.replace(
                row,
                assignee_name=names.get(row.assignee_id) if row.assignee_id else None,
                sla_target=due[0] if due else None,
                sla_due_at=due[1] if due else None,
                sla_state=state,
            )
        )
    return badged
