"""Reading teams, their members' load and presence, SLA policies, and who can take a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialdesk.core.types import CaseStatus, Priority
from socialdesk.store.models import (
    Agent,
    Case,
    ServiceLevelPolicy,
    SlaAttainment,
    Team,
    TeamHoliday,
    Workspace,
    team_members,
)

OPEN = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)


@dataclass(frozen=True, slots=True)
class MemberView:
    agent_id: int
    name: str
    email: str
    presence: str
    max_open_cases: int
    open_cases: int
    last_seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class TeamView:
    id: int
    name: str
    is_default: bool
    languages: str
    regions: str
    products: str
    assignment_mode: str
    time_zone: str
    business_hours: dict[str, Any] | None
    holidays: list[tuple[date, str]]
    members: list[MemberView]


@dataclass(frozen=True, slots=True)
class PolicyView:
    priority: Priority
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    business_hours: bool
    configured: bool  # False: the workspace's defaults apply


@dataclass(frozen=True, slots=True)
class AgentOption:
    agent_id: int
    name: str
    presence: str
    open_cases: int
    max_open_cases: int


@dataclass(frozen=True, slots=True)
class AssignmentPanel:
    """What the case page's assignment panel shows and offers."""

    case_id: int
    assignee_id: int | None
    assignee_name: str | None
    assigned_at: datetime | None
    team_id: int | None
    team_name: str | None
    agents: list[AgentOption]
    teams: list[tuple[int, str]]


def open_loads(session: Session, workspace_id: int) -> dict[int, int]:
    rows = session.execute(
        select(Case.assignee_id, func.count())
        .where(Case.workspace_id == workspace_id, Case.assignee_id.is_not(None), Case.status.in_(OPEN))
        .group_by(Case.assignee_id)
    ).all()
    return {int(a): int(n) for a, n in rows if a is not None}


def list_teams(session: Session, workspace_id: int) -> list[TeamView]:
    loads = open_loads(session, workspace_id)
    teams = session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)).all()
    holidays: dict[int, list[tuple[date, str]]] = {}
    for team_id, day, name in session.execute(
        select(TeamHoliday.team_id, TeamHoliday.day, TeamHoliday.name)
        .where(TeamHoliday.workspace_id == workspace_id)
        .order_by(TeamHoliday.day)
    ):
        holidays.setdefault(team_id, []).append((day, name))
    members: dict[int, list[MemberView]] = {}
    for team_id, agent in session.execute(
        select(team_members.c.team_id, Agent)
        .join(Agent, Agent.id == team_members.c.agent_id)
        .where(Agent.workspace_id == workspace_id)
        .order_by(Agent.name, Agent.id)
    ):
        members.setdefault(team_id, []).append(
            MemberView(
                agent.id,
                agent.name,
                agent.email,
                agent.presence,
                agent.max_open_cases,
                loads.get(agent.id, 0),
                agent.last_seen_at,
            )
        )
    return [
        TeamView(
            t.id,
            t.name,
            t.is_default,
            t.languages,
            t.regions,
            t.products,
            t.assignment_mode,
            t.time_zone,
            t.business_hours,
            holidays.get(t.id, []),
            members.get(t.id, []),
        )
        for t in teams
    ]


def list_policies(session: Session, workspace_id: int) -> list[PolicyView]:
    """One policy per priority, most urgent first; the workspace's defaults where none is set."""
    workspace = session.get_one(Workspace, workspace_id)
    rows = {
        p.priority: p
        for p in session.scalars(
            select(ServiceLevelPolicy).where(ServiceLevelPolicy.workspace_id == workspace_id)
        )
    }
    views = []
    for priority in (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW):
        row = rows.get(priority)
        if row is not None:
            views.append(
                PolicyView(
                    priority,
                    row.first_response_minutes,
                    row.next_response_minutes,
                    row.resolution_minutes,
                    row.business_hours,
                    True,
                )
            )
        else:
            first = workspace.sla_first_response_minutes
            views.append(PolicyView(priority, first, first, workspace.sla_resolution_minutes, False, False))
    return views


def target_minutes(session: Session, workspace_id: int) -> dict[Priority, tuple[int, int, int]]:
    """(first response, next response, resolution) minutes per priority, for breach-risk badges."""
    return {
        p.priority: (p.first_response_minutes, p.next_response_minutes, p.resolution_minutes)
        for p in list_policies(session, workspace_id)
    }


def assignment_panel(session: Session, workspace_id: int, case_id: int) -> AssignmentPanel | None:
    case = session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)).first()
    if case is None:
        return None
    loads = open_loads(session, workspace_id)
    agents = session.scalars(
        select(Agent)
        .where(Agent.workspace_id == workspace_id, Agent.is_active.is_(True))
        .order_by(Agent.name, Agent.id)
    ).all()
    teams = session.execute(
        select(Team.id, Team.name).where(Team.workspace_id == workspace_id).order_by(Team.id)
    ).all()
    names = {a.id: a.name for a in agents}
    team_names = {t.id: t.name for t in teams}
    return AssignmentPanel(
        case_id=case.id,
        assignee_id=case.assignee_id,
        assignee_name=names.get(case.assignee_id) if case.assignee_id else None,
        assigned_at=case.assigned_at,
        team_id=case.team_id,
        team_name=team_names.get(case.team_id) if case.team_id else None,
        agents=[AgentOption(a.id, a.name, a.presence, loads.get(a.id, 0), a.max_open_cases) for a in agents],
        teams=[(t.id, t.name) for t in teams],
    )


def presence_of(session: Session, workspace_id: int, agent_id: int) -> str:
    presence = session.scalar(
        select(Agent.presence).where(Agent.workspace_id == workspace_id, Agent.id == agent_id)
    )
    return presence or "offline"


def attainment_summary(session: Session, workspace_id: int) -> dict[str, dict[str, int]]:
    """Per target: promises recorded, kept and broken (the figure analytics reads)."""
    summary: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(SlaAttainment.target, SlaAttainment.met, func.count())
        .where(SlaAttainment.workspace_id == workspace_id)
        .group_by(SlaAttainment.target, SlaAttainment.met)
    ).all()
    for target in ("first_response", "next_response", "resolution"):
        summary[target] = {"recorded": 0, "met": 0, "breached": 0}
    for target, met, count in rows:
        entry = summary.setdefault(target, {"recorded": 0, "met": 0, "breached": 0})
        entry["recorded"] += int(count)
        entry["met" if met else "breached"] += int(count)
    return summary
