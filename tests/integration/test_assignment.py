"""Auto-assignment on ingest, capacity, presence, claiming and reassignment, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus, Geo
from socialdesk.pipeline import jobs
from socialdesk.pipeline.assignment import (
    Assigned,
    assign_all_waiting,
    assign_waiting,
    claim,
    note_seen,
    queue_entry,
    reassign,
    set_capacity,
    set_idle_agents_away,
    set_presence,
)
from socialdesk.pipeline.case_actions import change_status
from socialdesk.pipeline.enrichment import HANDLERS
from socialdesk.pipeline.team_settings import TeamSettings, update_team
from socialdesk.routing.queues import order_key
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Note, Team
from tests import factories as f


def support(db: Database, workspace_id: int) -> int:
    with db.read() as s:
        return s.scalars(select(Team.id).where(Team.workspace_id == workspace_id, Team.is_default)).one()


def desk(db: Database, mode: str, *emails: str, name: str = "Acme") -> tuple[int, int, list[int]]:
    """A workspace whose default team assigns in `mode`, with its agents (all offline)."""
    ws = f.workspace(db, name)
    agents = [f.agent(db, name, e) for e in emails]
    team = support(db, ws)
    update_team(db, ws, team, TeamSettings(assignment_mode=mode))
    return ws, team, agents


def new_cases(db: Database, ws: int, count: int, start: int = 0, channel: str = "AcmeHelp") -> list[int]:
    """`count` new cases from different customers, triaged (as the worker would) and returned in order."""
    posts = [
        f.post(text=f"@{channel} my bag {i} never arrived", author=f"cust{i}", minutes=i, channel=channel)
        for i in range(start, start + count)
    ]
    f.ingest(db, ws, *posts)
    jobs.drain(db, HANDLERS)
    with db.read() as s:
        return list(
            s.scalars(
                select(Case.id)
                .where(Case.workspace_id == ws, Case.status == CaseStatus.NEW)
                .order_by(Case.opened_at)
            )
        )[-count:]


def assignees(db: Database, case_ids: list[int]) -> list[int | None]:
    with db.read() as s:
        by_id = {c.id: c.assignee_id for c in s.scalars(select(Case).where(Case.id.in_(case_ids)))}
    return [by_id[i] for i in case_ids]


def test_new_cases_go_round_robin_to_online_agents_only(db: Database) -> None:
    ws, _, (ana, bob, cat) = desk(
        db, "round_robin", "ana@acme.example", "bob@acme.example", "cat@acme.example"
    )
    set_presence(db, ws, ana, "online")
    set_presence(db, ws, bob, "online")
    set_presence(db, ws, cat, "away")
    cases = new_cases(db, ws, 5)
    given = assignees(db, cases)
    assert cat not in given
    assert given.count(ana) == 3
    assert given.count(bob) == 2
    with db.read() as s:
        first = s.get_one(Case, cases[0])
        assert first.assigned_at is not None


def test_nobody_online_leaves_cases_waiting_until_someone_comes_online(db: Database) -> None:
    ws, _, (ana,) = desk(db, "least_load", "ana@acme.example")
    cases = new_cases(db, ws, 3)
    assert assignees(db, cases) == [None, None, None]
    set_capacity(db, ws, ana, 2)
    given = set_presence(db, ws, ana, "online")
    assert len(given) == 2
    assert assignees(db, cases).count(ana) == 2


def test_an_agent_whose_pages_closed_long_ago_is_set_away_and_gets_no_new_cases(db: Database) -> None:
    ws, _, (ana, ben) = desk(db, "round_robin", "ana@acme.example", "ben@acme.example")
    for agent in (ana, ben):
        set_capacity(db, ws, agent, 5)
        set_presence(db, ws, agent, "online")
    later = utcnow() + timedelta(minutes=11)
    note_seen(db, ws, ben, now=later - timedelta(minutes=2))  # Ben's inbox is still open
    assert set_idle_agents_away(db, timedelta(minutes=10), now=later) == 1
    with db.read() as s:
        presence = {a.id: a.presence for a in s.scalars(select(Agent).where(Agent.workspace_id == ws))}
    assert presence == {ana: "away", ben: "online"}
    assert assignees(db, new_cases(db, ws, 2)) == [ben, ben]
    assert set_idle_agents_away(db, timedelta(minutes=10), now=later) == 0  # nothing more to do
    # An agent set online by the API and never seen by a page is not second-guessed.
    with db.write() as s:
        s.get_one(Agent, ana).last_seen_at = None
        s.get_one(Agent, ana).presence = "online"
    assert set_idle_agents_away(db, timedelta(minutes=10), now=later + timedelta(hours=1)) == 1  # Ben only


def test_capacity_is_respected_and_freed_capacity_takes_the_next_case_in_queue_order(db: Database) -> None:
    ws, _, (ana,) = desk(db, "round_robin", "ana@acme.example")
    set_capacity(db, ws, ana, 1)
    set_presence(db, ws, ana, "online")
    cases = new_cases(db, ws, 4)
    mine = [c for c, a in zip(cases, assignees(db, cases), strict=True) if a == ana]
    assert len(mine) == 1
    with db.read() as s:
        waiting = s.scalars(select(Case).where(Case.id.in_(cases), Case.assignee_id.is_(None))).all()
        expected = min(waiting, key=lambda c: order_key(queue_entry(c))).id
    change_status(db, ws, mine[0], CaseStatus.RESOLVED)
    assert assignees(db, [expected]) == [ana]
    with db.read() as s:
        open_cases = s.scalars(
            select(Case.id).where(Case.assignee_id == ana, Case.status != CaseStatus.RESOLVED)
        ).all()
    assert open_cases == [expected]


def test_least_load_gives_the_case_to_the_agent_with_most_room(db: Database) -> None:
    ws, _, (ana, bob) = desk(db, "least_load", "ana@acme.example", "bob@acme.example")
    set_capacity(db, ws, ana, 10)
    set_capacity(db, ws, bob, 2)
    set_presence(db, ws, ana, "online")
    set_presence(db, ws, bob, "online")
    given = assignees(db, new_cases(db, ws, 6))
    # Shares of capacity stay level: bob (2) takes one case for every five of ana's (10).
    assert given.count(ana) == 5
    assert given.count(bob) == 1


def test_manual_teams_wait_for_a_claim(db: Database) -> None:
    ws, _, (ana, bob) = desk(db, "manual", "ana@acme.example", "bob@acme.example")
    set_presence(db, ws, ana, "online")
    (case,) = new_cases(db, ws, 1)
    assert assignees(db, [case]) == [None]
    claim(db, ws, case, ana)
    claim(db, ws, case, ana)  # claiming one's own case again changes nothing
    assert assignees(db, [case]) == [ana]
    with pytest.raises(InvalidAction, match="Ana already has this case"):
        claim(db, ws, case, bob)


def test_reassign_to_an_agent_or_back_to_the_queue_with_a_note(db: Database) -> None:
    ws, team, (ana, bob) = desk(db, "round_robin", "ana@acme.example", "bob@acme.example")
    set_presence(db, ws, ana, "online")
    (case,) = new_cases(db, ws, 1)
    assert assignees(db, [case]) == [ana]
    reassign(db, ws, case, ana, "Bob knows this customer", to_agent_id=bob)
    assert assignees(db, [case]) == [bob]
    # Back to the queue: the auto-assigning team hands it on, never to the one who gave it back.
    set_presence(db, ws, bob, "online")
    assert reassign(db, ws, case, bob, "  Out sick this afternoon  ") == ana
    assert reassign(db, ws, case, ana, "") == bob
    with db.read() as s:
        notes = [n.body for n in s.scalars(select(Note).where(Note.case_id == case).order_by(Note.id))]
    assert notes[0] == "Reassigned from Ana to Bob: Bob knows this customer"
    assert notes[1] == "Reassigned from Bob to the Support queue: Out sick this afternoon"
    assert notes[2] == "Reassigned from Ana to the Support queue."
    with pytest.raises(InvalidAction, match="at most"):
        reassign(db, ws, case, ana, "x" * 2001, to_agent_id=bob)
    with pytest.raises(NotFound):
        reassign(db, ws, case, ana, "", to_team_id=team + 999)


def test_reassign_back_to_the_queue_picks_another_agent(db: Database) -> None:
    ws, _, (ana, bob) = desk(db, "round_robin", "ana@acme.example", "bob@acme.example")
    set_presence(db, ws, ana, "online")
    set_presence(db, ws, bob, "online")
    (case,) = new_cases(db, ws, 1)
    holder = assignees(db, [case])[0]
    other = bob if holder == ana else ana
    assert holder is not None
    assert reassign(db, ws, case, holder, "over to you") == other


def test_presence_and_capacity_are_checked(db: Database) -> None:
    ws, _, (ana,) = desk(db, "manual", "ana@acme.example")
    with pytest.raises(InvalidAction, match="online, away or offline"):
        set_presence(db, ws, ana, "busy")
    with pytest.raises(InvalidAction, match="0 to 500"):
        set_capacity(db, ws, ana, -1)
    with pytest.raises(InvalidAction, match="assignment mode"):
        update_team(db, ws, support(db, ws), TeamSettings(assignment_mode="lottery"))


def test_another_workspace_cannot_claim_assign_or_take_cases(db: Database) -> None:
    acme, _, (ana,) = desk(db, "round_robin", "ana@acme.example")
    globex, _, (gus,) = desk(db, "round_robin", "gus@globex.example", name="Globex")
    (theirs,) = new_cases(db, globex, 1, channel="GlobexCare")
    set_presence(db, acme, ana, "online")  # ana coming online never takes Globex's waiting case
    assert assignees(db, [theirs]) == [None]
    with pytest.raises(NotFound):
        claim(db, acme, theirs, ana)
    with pytest.raises(NotFound):
        reassign(db, acme, theirs, ana, "", to_agent_id=ana)
    (mine,) = new_cases(db, acme, 1, start=10)
    with pytest.raises(NotFound):
        reassign(db, acme, mine, ana, "", to_agent_id=gus)
    with pytest.raises(NotFound):
        set_presence(db, acme, gus, "online")
    assert assignees(db, [theirs, mine]) == [None, ana]


def test_two_workers_never_give_a_case_twice_or_exceed_capacity(db: Database) -> None:
    ws, _, (ana, bob) = desk(db, "least_load", "ana@acme.example", "bob@acme.example")
    cases = new_cases(db, ws, 12)
    with db.write() as s:  # both online at once, behind assignment's back, so the workers find work
        for agent in s.scalars(select(Agent).where(Agent.id.in_([ana, bob]))):
            agent.presence = "online"
            agent.max_open_cases = 3
    start = threading.Barrier(2)
    given: list[list[Assigned]] = [[], []]

    def worker(index: int) -> None:
        start.wait()
        for _ in range(3):
            with db.write() as session:
                db.lock_workspace(session, ws)
                given[index] += assign_waiting(session, ws)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    handed = [a.case_id for batch in given for a in batch]
    assert len(handed) == len(set(handed)) == 6
    result = assignees(db, cases)
    assert result.count(ana) == 3
    assert result.count(bob) == 3
    assert assign_all_waiting(db) == 0  # everyone is full


def test_the_workers_catch_up_assigns_cases_that_waited(db: Database) -> None:
    ws, _, (ana,) = desk(db, "round_robin", "ana@acme.example")
    cases = new_cases(db, ws, 2)
    assert assign_all_waiting(db) == 0  # nobody online: nothing to do, and no write lock taken
    with db.write() as s:  # online without the toggle (another process, an old session…)
        s.get_one(Agent, ana).presence = "online"
    assert assign_all_waiting(db) == 2
    assert assignees(db, cases) == [ana, ana]
    assert assign_all_waiting(db) == 0


def test_team_skills_choose_the_team_when_no_rule_does(db: Database) -> None:
    ws = f.workspace(db, "Acme", teams=(("España", "es"), ("Latinoamérica", "es")))
    with db.read() as s:
        teams = {t.name: t.id for t in s.scalars(select(Team).where(Team.workspace_id == ws))}
    update_team(db, ws, teams["España"], TeamSettings(languages="es", regions="ES"))
    update_team(db, ws, teams["Latinoamérica"], TeamSettings(languages="es", regions="MX AR"))
    mexico = f.post(
        "mx1",
        text="@AcmeHelp hola, mi maleta no llegó a la Ciudad de México y nadie me responde",
        lang="es",
        geo=Geo(19.4326, -99.1332),
    )
    f.ingest(db, ws, mexico)
    jobs.drain(db, HANDLERS)
    with db.read() as s:
        case = s.scalars(select(Case).where(Case.workspace_id == ws)).one()
        assert case.place_country == "MX"
        assert case.team_id == teams["Latinoamérica"]
        assert case.routed_by == "skills language:es region:MX"
