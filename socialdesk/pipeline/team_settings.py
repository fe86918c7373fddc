"""What admins set for teams (skills, assignment mode, business hours, holidays) and SLA policies.

A change that moves clocks (hours, holidays, a policy) recomputes the due times of the unresolved
cases it touches in the same transaction, so the inbox never shows a due time from the old rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import Priority
from socialdesk.pipeline.assignment import assign_waiting
from socialdesk.pipeline.service_levels import UNRESOLVED, forget_settings, refresh_sla
from socialdesk.routing.assignment import AssignmentMode
from socialdesk.routing.sla import check_time_zone, parse_hours_text
from socialdesk.store.db import Database
from socialdesk.store.models import Case, ServiceLevelPolicy, Team, TeamHoliday

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_MINUTES = 90 * 24 * 60  # 90 days: beyond that a target is no promise
_RECOMPUTE = 2000  # unresolved cases re-clocked per change; older ones keep theirs until they move


@dataclass(frozen=True, slots=True)
class TeamSettings:
    languages: str = ""
    regions: str = ""
    products: str = ""
    assignment_mode: str = "manual"
    time_zone: str = "UTC"
    hours: str = ""  # "mon 09:00-17:00" lines; empty: around the clock
    holidays: str = ""  # "2026-12-25 Christmas" lines


def _codes(text: str, pattern: re.Pattern[str], what: str, upper: bool) -> str:
    codes = [c.upper() if upper else c.lower() for c in re.split(r"[\s,]+", text.strip()) if c]
    for code in codes:
        if not pattern.match(code):
            raise InvalidAction(f"{code!r} is not {what}")
    return " ".join(dict.fromkeys(codes))


def _holidays(text: str) -> dict[date, str]:
    days: dict[date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        first, _, name = line.partition(" ")
        try:
            day = date.fromisoformat(first)
        except ValueError:
            raise InvalidAction(f"holiday line {number}: start with a date such as 2026-12-25") from None
        days[day] = name.strip()[:100]
    return days


def update_team(db: Database, workspace_id: int, team_id: int, settings: TeamSettings) -> None:
    """Validate and store a team's settings; refuses the whole change with one readable reason."""
    languages = _codes(settings.languages, _LANGUAGE, "an ISO 639-1 language code such as es", upper=False)
    regions = _codes(settings.regions, _COUNTRY, "an ISO country code such as ES", upper=True)
    products = ", ".join(dict.fromkeys(p.strip() for p in settings.products.split(",") if p.strip()))
    if len(products) > 1000 or len(regions) > 200 or len(languages) > 200:
        raise InvalidAction("too many skills for one team")
    try:
        mode = AssignmentMode(settings.assignment_mode)
    except ValueError:
        raise InvalidAction("assignment mode must be manual, round_robin or least_load") from None
    zone = check_time_zone(settings.time_zone.strip() or "UTC")
    hours = parse_hours_text(settings.hours) if settings.hours.strip() else None
    holidays = _holidays(settings.holidays)
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        team = _team(session, workspace_id, team_id)
        team.languages, team.regions, team.products = languages, regions, products
        team.assignment_mode = mode.value
        team.time_zone = zone
        team.business_hours = hours
        session.execute(delete(TeamHoliday).where(TeamHoliday.team_id == team.id))
        for day, name in sorted(holidays.items()):
            session.add(TeamHoliday(workspace_id=workspace_id, team_id=team.id, day=day, name=name))
        session.flush()
        _reclock(session, workspace_id, team_id=team.id)
        assign_waiting(session, workspace_id)


def _team(session: Session, workspace_id: int, team_id: int) -> Team:
    team = session.scalars(select(Team).where(Team.workspace_id == workspace_id, Team.id == team_id)).first()
    if team is None:
        raise NotFound(f"team {team_id} not found")
    return team


@dataclass(frozen=True, slots=True)
class PolicyInput:
    priority: str
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    business_hours: bool


def save_policies(db: Database, workspace_id: int, policies: list[PolicyInput]) -> None:
    """Store the workspace's SLA policies (one per priority given) and re-clock their open cases."""
    checked: list[tuple[Priority, PolicyInput]] = []
    for policy in policies:
        try:
            priority = Priority(policy.priority)
        except ValueError:
            raise InvalidAction(f"{policy.priority!r} is not a priority") from None
        minutes = (policy.first_response_minutes, policy.next_response_minutes, policy.resolution_minutes)
        if not all(0 < m <= MAX_MINUTES for m in minutes):
            raise InvalidAction(f"{priority.value}: every target is 1 to {MAX_MINUTES} minutes")
        if policy.resolution_minutes < policy.first_response_minutes:
            raise InvalidAction(f"{priority.value}: resolution cannot be due before the first response")
        checked.append((priority, policy))
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        for priority, policy in checked:
            row = session.scalars(
                select(ServiceLevelPolicy).where(
                    ServiceLevelPolicy.workspace_id == workspace_id, ServiceLevelPolicy.priority == priority
                )
            ).first()
            if row is None:
                row = ServiceLevelPolicy(workspace_id=workspace_id, priority=priority)
                session.add(row)
            row.first_response_minutes = policy.first_response_minutes
            row.next_response_minutes = policy.next_response_minutes
            row.resolution_minutes = policy.resolution_minutes
            row.business_hours = policy.business_hours
            row.updated_at = utcnow()
        session.flush()
        _reclock(session, workspace_id)


def _reclock(session: Session, workspace_id: int, team_id: int | None = None) -> None:
    forget_settings(session)
    query = select(Case).where(Case.workspace_id == workspace_id, Case.status.in_(UNRESOLVED))
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    for case in session.scalars(query.order_by(Case.last_activity_at.desc()).limit(_RECOMPUTE)):
        refresh_sla(session, case)
