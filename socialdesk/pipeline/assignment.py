"""Who works on a case: auto-assignment, claiming, reassignment with a note, and agents' presence.

Every function here runs with the workspace locked (`Database.lock_workspace`: BEGIN IMMEDIATE on
SQLite, a transaction-scoped advisory lock on PostgreSQL), the same lock ingest and the job worker
take. An agent's load is counted and their new case written under that one lock, so two workers
can never give one case twice or push an agent past their capacity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus
from socialdesk.pipeline.service_levels import refresh_sla
from socialdesk.routing.assignment import AssignmentMode, Candidate, Presence, choose_agent
from socialdesk.routing.queues import QueueEntry, order_key
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Note, Team, team_members

# Cases that count against an agent's capacity: every unresolved case assigned to them.
OPEN = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)
# Cases waiting in a team's queue: the customer wrote last and nobody holds the case.
WAITING = (CaseStatus.NEW, CaseStatus.OPEN)
MAX_NOTE = 2000
_QUEUE_SCAN = 500  # waiting cases read per team when an agent frees capacity


@dataclass(frozen=True, slots=True)
class Assigned:
    case_id: int
    agent_id: int


def _mode(team: Team) -> AssignmentMode:
    try:
        return AssignmentMode(team.assignment_mode)
    except ValueError:
        return AssignmentMode.MANUAL


def _loads(session: Session, workspace_id: int, agent_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(
        select(Case.assignee_id, func.count())
        .where(
            Case.workspace_id == workspace_id,
            Case.assignee_id.in_(agent_ids),
            Case.status.in_(OPEN),
        )
        .group_by(Case.assignee_id)
    ).all()
    return {int(agent_id): int(count) for agent_id, count in rows if agent_id is not None}


def _candidates(session: Session, team: Team, exclude: int | None = None) -> list[Candidate]:
    members = session.execute(
        select(Agent.id, Agent.presence, Agent.max_open_cases)
        .join(team_members, team_members.c.agent_id == Agent.id)
        .where(
            team_members.c.team_id == team.id,
            Agent.workspace_id == team.workspace_id,
            Agent.is_active.is_(True),
        )
    ).all()
    loads = _loads(session, team.workspace_id, [m.id for m in members])
    return [
        Candidate(m.id, _presence(m.presence), loads.get(m.id, 0), m.max_open_cases)
        for m in members
        if m.id != exclude
    ]


def _presence(value: str) -> Presence:
    try:
        return Presence(value)
    except ValueError:
        return Presence.OFFLINE


def _give(case: Case, team: Team | None, agent_id: int) -> None:
    case.assignee_id = agent_id
    case.assigned_at = utcnow()
    if team is not None:
        team.round_robin_after = agent_id


def auto_assign(session: Session, case: Case, exclude: int | None = None) -> int | None:
    """Give a waiting, unassigned case of an auto-assigning team to its next agent; returns who.

    Call with the workspace locked, after the rules have set the case's team.
    """
    if case.assignee_id is not None or case.status not in WAITING or case.team_id is None:
        return None
    team = session.get(Team, case.team_id)
    if team is None or team.workspace_id != case.workspace_id:
        return None
    mode = _mode(team)
    if mode is AssignmentMode.MANUAL:
        return None
    agent_id = choose_agent(_candidates(session, team, exclude), mode, team.round_robin_after)
    if agent_id is not None:
        _give(case, team, agent_id)
        session.flush()
    return agent_id


def assign_routed(session: Session, conversation_ids: Iterable[int]) -> list[Assigned]:
    """After triage and the routing rules: due times for the final priority and team, then
    auto-assignment of the cases, most pressing first (the job worker holds the workspace locks)."""
    cases = session.scalars(select(Case).where(Case.conversation_id.in_(set(conversation_ids)))).all()
    given: list[Assigned] = []
    for case in sorted(cases, key=lambda c: order_key(queue_entry(c))):
        refresh_sla(session, case)
        agent_id = auto_assign(session, case)
        if agent_id is not None:
            given.append(Assigned(case.id, agent_id))
    return given


def _queue(session: Session, workspace_id: int, team_ids: Sequence[int]) -> list[Case]:
    """The teams' waiting, unassigned cases in queue order (`routing.queues.order_key`)."""
    cases = session.scalars(
        select(Case)
        .where(
            Case.workspace_id == workspace_id,
            Case.team_id.in_(team_ids),
            Case.assignee_id.is_(None),
            Case.status.in_(WAITING),
        )
        .order_by(Case.last_inbound_at)
        .limit(_QUEUE_SCAN)
    ).all()
    return sorted(cases, key=lambda c: order_key(queue_entry(c)))


def queue_entry(case: Case) -> QueueEntry:
    owed = case.first_response_due_at if case.first_responded_at is None else case.next_response_due_at
    return QueueEntry(
        case_id=case.id,
        waiting_since=as_utc(case.last_inbound_at),
        priority=case.priority,
        urgency=case.urgency,
        due_at=as_utc(owed) if owed is not None else None,
        is_complaint=case.is_complaint,
        sentiment=case.sentiment,
        intent=case.intent,
    )


def fill_agent(session: Session, workspace_id: int, agent_id: int) -> list[Assigned]:
    """Give an agent who has room the next waiting cases of their auto-assigning teams, in queue order.

    Called when an agent frees capacity: resolves a case, comes online, gets a higher limit.
    """
    agent = session.get(Agent, agent_id)
    if agent is None or agent.workspace_id != workspace_id or not agent.is_active:
        return []
    if _presence(agent.presence) is not Presence.ONLINE:
        return []
    teams = {t.id: t for t in agent.teams if _mode(t) is not AssignmentMode.MANUAL}
    if not teams:
        return []
    room = agent.max_open_cases - _loads(session, workspace_id, [agent_id]).get(agent_id, 0)
    given: list[Assigned] = []
    for case in _queue(session, workspace_id, sorted(teams))[: max(room, 0)]:
        assert case.team_id is not None  # the queue holds only cases of these teams
        _give(case, teams[case.team_id], agent_id)
        given.append(Assigned(case.id, agent_id))
    session.flush()
    return given


def assign_waiting(session: Session, workspace_id: int) -> list[Assigned]:
    """Assign every waiting case of the workspace's auto-assigning teams that someone has room for.

    The periodic catch-up: cases that came in while nobody was online, or before a limit was raised.
    """
    given: list[Assigned] = []
    teams = session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)).all()
    for team in teams:
        if _mode(team) is AssignmentMode.MANUAL:
            continue
        for case in _queue(session, workspace_id, [team.id]):
            agent_id = auto_assign(session, case)
            if agent_id is None:
                break  # nobody in the team has room: the rest of the queue waits too
            given.append(Assigned(case.id, agent_id))
    return given


def assign_all_waiting(db: Database) -> int:
    """`assign_waiting` for every workspace with waiting cases and an online agent with room.

    The worker calls it every round, so the common cases (nothing waits; nobody has room) cost one
    read and never take a workspace's write lock.
    """
    auto = Team.assignment_mode != AssignmentMode.MANUAL.value
    with db.read() as session:
        waiting = set(
            session.scalars(
                select(Case.workspace_id)
                .join(Team, Team.id == Case.team_id)
                .where(Case.assignee_id.is_(None), Case.status.in_(WAITING), auto)
                .distinct()
            )
        )
        if not waiting:
            return 0
        online = session.execute(
            select(Agent.id, Agent.workspace_id, Agent.max_open_cases)
            .join(team_members, team_members.c.agent_id == Agent.id)
            .join(Team, Team.id == team_members.c.team_id)
            .where(
                Agent.workspace_id.in_(waiting),
                Agent.presence == Presence.ONLINE.value,
                Agent.is_active.is_(True),
                auto,
            )
            .distinct()
        ).all()
        with_room = sorted(
            {
                a.workspace_id
                for a in online
                if _loads(session, a.workspace_id, [a.id]).get(a.id, 0) < a.max_open_cases
            }
        )
    total = 0
    for workspace_id in with_room:
        with db.write() as session:
            db.lock_workspace(session, workspace_id)
            total += len(assign_waiting(session, workspace_id))
    return total


def _case(session: Session, workspace_id: int, case_id: int) -> Case:
    case = session.scalars(
        select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id).with_for_update()
    ).first()
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def _agent(session: Session, workspace_id: int, agent_id: int) -> Agent:
    agent = session.scalars(
        select(Agent).where(Agent.workspace_id == workspace_id, Agent.id == agent_id)
    ).first()
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    return agent


def claim(db: Database, workspace_id: int, case_id: int, agent_id: int) -> None:
    """The agent takes an unassigned case (or one already theirs). Capacity is for auto-assignment:
    an agent who chooses to take one more may."""
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        case = _case(session, workspace_id, case_id)
        agent = _agent(session, workspace_id, agent_id)
        if case.assignee_id == agent.id:
            return
        if case.assignee_id is not None:
            holder = session.get(Agent, case.assignee_id)
            name = holder.name if holder else "another agent"
            raise InvalidAction(f"{name} already has this case; reassign it instead")
        _give(case, None, agent.id)


def reassign(
    db: Database,
    workspace_id: int,
    case_id: int,
    by_agent_id: int,
    note: str,
    *,
    to_agent_id: int | None = None,
    to_team_id: int | None = None,
) -> int | None:
    """Hand a case to another agent, or back to a team's queue (`to_agent_id` None), with a note.

    Back in the queue, an auto-assigning team gives it to its next agent at once, never to the one
    who just gave it back. Returns the new assignee.
    """
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidAction(f"a note has at most {MAX_NOTE} characters")
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        case = _case(session, workspace_id, case_id)
        by = _agent(session, workspace_id, by_agent_id)
        before = session.get(Agent, case.assignee_id) if case.assignee_id else None
        if to_team_id is not None:
            team = session.scalars(
                select(Team).where(Team.workspace_id == workspace_id, Team.id == to_team_id)
            ).first()
            if team is None:
                raise NotFound(f"team {to_team_id} not found")
            case.team_id = team.id
            case.routed_by = f"reassigned by {by.name}"[:64]
        if to_agent_id is not None:
            target = _agent(session, workspace_id, to_agent_id)
            if not target.is_active:
                raise InvalidAction(f"{target.name}'s account is disabled")
            _give(case, None, target.id)
            where = target.name
        else:
            case.assignee_id = None
            case.assigned_at = None
            team = session.get(Team, case.team_id) if case.team_id else None
            where = f"the {team.name} queue" if team else "the queue"
        moved = f"Reassigned from {before.name if before else 'nobody'} to {where}"
        session.add(
            Note(
                workspace_id=workspace_id,
                case_id=case.id,
                agent_id=by.id,
                body=f"{moved}: {note}" if note else f"{moved}.",
            )
        )
        session.flush()
        if to_agent_id is None:
            auto_assign(session, case, exclude=before.id if before else None)
        return case.assignee_id


def set_presence(db: Database, workspace_id: int, agent_id: int, presence: str) -> list[Assigned]:
    """Online, away or offline. Coming online takes the next waiting cases the agent has room for."""
    try:
        chosen = Presence(presence)
    except ValueError:
        raise InvalidAction("presence must be online, away or offline") from None
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        agent = _agent(session, workspace_id, agent_id)
        agent.presence = chosen.value
        agent.last_seen_at = utcnow()
        session.flush()
        return fill_agent(session, workspace_id, agent_id) if chosen is Presence.ONLINE else []


# An open page tells us the agent is there at most this often (a write per agent per minute, not per
# heartbeat).
SEEN_EVERY = timedelta(minutes=1)


def note_seen(db: Database, workspace_id: int, agent_id: int, now: datetime | None = None) -> None:
    """The agent has a SocialDesk page open (its live stream is connected)."""
    now = now or utcnow()
    with db.write() as session:
        session.execute(
            update(Agent)
            .where(Agent.workspace_id == workspace_id, Agent.id == agent_id)
            .values(last_seen_at=now)
        )


def set_idle_agents_away(db: Database, idle_after: timedelta, now: datetime | None = None) -> int:
    """Online agents whose pages have all been closed for `idle_after` are set away, so that
    auto-assignment stops giving cases to someone who closed the tab without signing out. Their
    cases stay theirs. Agents never seen by a page (set online by the API or a script) are left alone."""
    now = now or utcnow()
    with db.write() as session:
        result = session.execute(
            update(Agent)
            .where(
                Agent.presence == Presence.ONLINE.value,
                Agent.last_seen_at.is_not(None),
                Agent.last_seen_at < now - idle_after,
            )
            .values(presence=Presence.AWAY.value)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


MAX_CAPACITY = 500


def set_capacity(db: Database, workspace_id: int, agent_id: int, max_open_cases: int) -> list[Assigned]:
    """How many unresolved cases auto-assignment may give the agent (0: none)."""
    if not 0 <= max_open_cases <= MAX_CAPACITY:
        raise InvalidAction(f"capacity is a number from 0 to {MAX_CAPACITY}")
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        agent = _agent(session, workspace_id, agent_id)
        agent.max_open_cases = max_open_cases
        session.flush()
        return fill_agent(session, workspace_id, agent_id)
