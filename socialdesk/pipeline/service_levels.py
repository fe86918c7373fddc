"""SLA clocks on cases: due times per priority and team calendar, breaches, escalation, attainment.

Due times are recomputed from the thread's posts (`refresh_sla`), so they follow the same rule as
every derived field of a case: the posts decide, not the order they arrived in. Attainment rows are
written when a promise is met (an answer, a resolution) and when the periodic check finds it broken
(`check_breaches`); both are keyed by the promise, so running either twice writes nothing new.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.types import CaseStatus, Direction, Priority
from socialdesk.routing.rules import ACKNOWLEDGEMENT_KEY
from socialdesk.routing.sla import (
    BusinessCalendar,
    SlaPolicy,
    add_minutes,
    parse_weekly,
    response_due,
    response_waits,
)
from socialdesk.store.db import Database
from socialdesk.store.models import (
    Case,
    Note,
    Post,
    ServiceLevelPolicy,
    SlaAttainment,
    Tag,
    Team,
    TeamHoliday,
    Workspace,
)

log = logging.getLogger(__name__)

FIRST_RESPONSE = "first_response"
NEXT_RESPONSE = "next_response"
RESOLUTION = "resolution"
TARGETS = (FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION)
BREACH_TAG = "sla-breach"
UNRESOLVED = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)
_ESCALATION = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
    Priority.URGENT: Priority.URGENT,
}


_CACHE = "socialdesk.sla_settings"


def _cache(session: Session) -> dict[tuple[str, int, str], Any]:
    """Policies and calendars read once per transaction: an import refreshes a case per post."""
    cache: dict[tuple[str, int, str], Any] = session.info.setdefault(_CACHE, {})
    return cache


def forget_settings(session: Session) -> None:
    """Call after changing policies, hours or holidays in this transaction, before re-clocking."""
    session.info.pop(_CACHE, None)


def policy_for(session: Session, workspace_id: int, priority: Priority) -> SlaPolicy:
    """The workspace's policy for `priority`; without one, the workspace's defaults around the clock."""
    key = ("policy", workspace_id, priority.value)
    cache = _cache(session)
    if key not in cache:
        cache[key] = _read_policy(session, workspace_id, priority)
    policy: SlaPolicy = cache[key]
    return policy


def _read_policy(session: Session, workspace_id: int, priority: Priority) -> SlaPolicy:
    row = session.scalars(
        select(ServiceLevelPolicy).where(
            ServiceLevelPolicy.workspace_id == workspace_id, ServiceLevelPolicy.priority == priority
        )
    ).first()
    if row is not None:
        return SlaPolicy(
            row.first_response_minutes, row.resolution_minutes, row.next_response_minutes, row.business_hours
        )
    workspace = session.get_one(Workspace, workspace_id)
    return SlaPolicy(workspace.sla_first_response_minutes, workspace.sla_resolution_minutes)


def calendar_for(session: Session, team_id: int | None) -> BusinessCalendar | None:
    """The team's business calendar; None when it works around the clock (or there is no team)."""
    if team_id is None:
        return None
    key = ("calendar", team_id, "")
    cache = _cache(session)
    if key not in cache:
        cache[key] = _read_calendar(session, team_id)
    calendar: BusinessCalendar | None = cache[key]
    return calendar


def _read_calendar(session: Session, team_id: int) -> BusinessCalendar | None:
    team = session.get(Team, team_id)
    if team is None or not team.business_hours:
        return None
    holidays = session.scalars(select(TeamHoliday.day).where(TeamHoliday.team_id == team.id)).all()
    return BusinessCalendar(team.time_zone, parse_weekly(team.business_hours), frozenset(holidays))


def _timeline(session: Session, conversation_id: int) -> list[tuple[bool, datetime]]:
    rows = session.execute(
        select(Post.direction, Post.created_at, Post.external_id, Post.id).where(
            Post.conversation_id == conversation_id,
            # A routing rule's automatic acknowledgement is no response: the promise is still owed.
            or_(Post.idempotency_key.is_(None), ~Post.idempotency_key.startswith(ACKNOWLEDGEMENT_KEY)),
        )
    ).all()
    # The same order as pipeline.cases: by time, then the network's id, never the arrival order.
    rows = sorted(
        rows, key=lambda r: (as_utc(r.created_at), r.external_id is None, r.external_id or "", r.id)
    )
    return [(Direction(r.direction) is Direction.INBOUND, as_utc(r.created_at)) for r in rows]


def refresh_sla(
    session: Session, case: Case, timeline: Sequence[tuple[bool, datetime]] | None = None
) -> None:
    """Recompute the case's due times and record the promises its posts show were kept (or late).

    Call in the write transaction that changed the case's posts, priority, team or status;
    `timeline` is the thread as (is_inbound, created_at) in order, when the caller has it already.
    """
    if case.id is None:
        session.flush()  # attainment rows need the case's id
    waits = response_waits(timeline if timeline is not None else _timeline(session, case.conversation_id))
    if not waits:
        return
    policy = policy_for(session, case.workspace_id, case.priority)
    calendar = calendar_for(session, case.team_id) if policy.business_hours else None
    opened_at = waits[0].since
    case.first_response_due_at = response_due(waits[0], policy, calendar)
    case.resolution_due_at = add_minutes(opened_at, policy.resolution_minutes, calendar)
    last = waits[-1]
    owed = last.target == NEXT_RESPONSE and last.answered_at is None and case.status != CaseStatus.RESOLVED
    case.next_response_due_at = response_due(last, policy, calendar) if owed else None
    resolved = case.status == CaseStatus.RESOLVED and case.resolved_at is not None
    if not resolved and not any(w.answered_at for w in waits):
        return  # nothing met yet: spare the look-up on every new post of an unanswered case
    known = _attainments(session, case.id)
    if owed:
        # A next response is owed afresh each time the customer writes again; the flag tells of this one.
        row = known.get((NEXT_RESPONSE, last.since))
        case.next_response_breached = row is not None and not row.met
    for wait in waits:
        if wait.answered_at is not None:
            due = response_due(wait, policy, calendar)
            _record(session, case, wait.target, wait.since, due, wait.answered_at, known)
    if resolved and case.resolved_at is not None:
        _record(session, case, RESOLUTION, opened_at, case.resolution_due_at, as_utc(case.resolved_at), known)


_Known = dict[tuple[str, datetime], SlaAttainment]


def _attainments(session: Session, case_id: int) -> _Known:
    rows = session.scalars(select(SlaAttainment).where(SlaAttainment.case_id == case_id))
    return {(row.target, as_utc(row.started_at)): row for row in rows}


def _record(
    session: Session,
    case: Case,
    target: str,
    started_at: datetime,
    due_at: datetime,
    met_at: datetime | None,
    known: _Known | None = None,
) -> None:
    """Write the attainment of one promise once; a late answer to a recorded breach fills in met_at."""
    known = known if known is not None else _attainments(session, case.id)
    row = known.get((target, started_at))
    if row is None:
        row = SlaAttainment(
            workspace_id=case.workspace_id,
            case_id=case.id,
            target=target,
            priority=case.priority,
            team_id=case.team_id,
            started_at=started_at,
            due_at=due_at,
            met_at=met_at,
            met=met_at is not None and met_at <= due_at,
        )
        session.add(row)
        known[(target, started_at)] = row
    elif row.met_at is None and met_at is not None:
        row.met_at = met_at


@dataclass(frozen=True, slots=True)
class BreachReport:
    breaches: int = 0
    escalated: int = 0


def check_breaches(db: Database, now: datetime | None = None, limit: int = 500) -> BreachReport:
    """Mark the unresolved cases whose due times passed, escalate them, and record the breaches.

    Cheap when nothing is late: one read; the write transaction (with the workspaces locked, so it
    never races an ingest or an agent's reply) opens only when there is something to mark.
    """
    now = now or utcnow()
    with db.read() as session:
        ids = _late_cases(now).with_only_columns(Case.id, Case.workspace_id).limit(limit)
        late = session.execute(ids).all()
    if not late:
        return BreachReport()
    breaches = escalated = 0
    with db.write() as session:
        for workspace_id in sorted({row.workspace_id for row in late}):
            db.lock_workspace(session, workspace_id)
        cases = session.scalars(
            _late_cases(now).where(Case.id.in_([row.id for row in late])).order_by(Case.id).with_for_update()
        ).all()
        for case in cases:
            found = _mark(session, case, now)
            if found:
                breaches += len(found)
                _escalate(session, case, found, now)
                escalated += 1
    log.info("SLA check: %d breaches on %d cases", breaches, escalated)
    return BreachReport(breaches, escalated)


def _late_cases(now: datetime):  # type: ignore[no-untyped-def]  # a Select whose columns callers choose
    return select(Case).where(
        Case.status.in_(UNRESOLVED),
        or_(
            (Case.first_response_breached.is_(False))
            & Case.first_responded_at.is_(None)
            & (Case.first_response_due_at < now),
            (Case.next_response_breached.is_(False)) & (Case.next_response_due_at < now),
            (Case.resolution_breached.is_(False)) & (Case.resolution_due_at < now),
        ),
    )


def _mark(session: Session, case: Case, now: datetime) -> list[str]:
    found: list[str] = []
    waits = response_waits(_timeline(session, case.conversation_id))
    if not waits:
        return found
    due = case.first_response_due_at
    if not case.first_response_breached and case.first_responded_at is None and due and as_utc(due) < now:
        case.first_response_breached = True
        _record(session, case, FIRST_RESPONSE, waits[0].since, as_utc(due), None)
        found.append(FIRST_RESPONSE)
    due = case.next_response_due_at
    if not case.next_response_breached and due and as_utc(due) < now:
        case.next_response_breached = True
        _record(session, case, NEXT_RESPONSE, waits[-1].since, as_utc(due), None)
        found.append(NEXT_RESPONSE)
    due = case.resolution_due_at
    if not case.resolution_breached and due and as_utc(due) < now:
        case.resolution_breached = True
        _record(session, case, RESOLUTION, waits[0].since, as_utc(due), None)
        found.append(RESOLUTION)
    return found


def _escalate(session: Session, case: Case, targets: Sequence[str], now: datetime) -> None:
    """Priority one step up, the "sla-breach" tag, and a note that says which promise was broken."""
    before = case.priority
    case.priority = _ESCALATION[case.priority]
    case.escalated_at = now
    tag = session.scalars(
        select(Tag).where(Tag.workspace_id == case.workspace_id, Tag.name == BREACH_TAG)
    ).first()
    if tag is None:
        tag = Tag(workspace_id=case.workspace_id, name=BREACH_TAG)
        session.add(tag)
        session.flush()
    if tag not in case.tags:
        case.tags.append(tag)
    names = ", ".join(t.replace("_", " ") for t in targets)
    raised = f"; priority {before.value} → {case.priority.value}" if case.priority != before else ""
    body = f"SLA breached: {names}{raised}."
    session.add(Note(workspace_id=case.workspace_id, case_id=case.id, agent_id=None, body=body))
    # The breached targets keep their recorded due times; the owed ones follow the new priority.
    refresh_sla(session, case)
