"""SLA policies per priority, business hours, breaches with escalation, and attainment rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from socialdesk.config import Settings
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction
from socialdesk.core.types import CaseStatus, Priority
from socialdesk.pipeline.case_actions import change_status, record_reply
from socialdesk.pipeline.service_levels import BREACH_TAG, check_breaches
from socialdesk.pipeline.team_settings import PolicyInput, TeamSettings, save_policies, update_team
from socialdesk.pipeline.worker import Rounds
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Note, SlaAttainment
from socialdesk.store.repos.teams import attainment_summary, list_policies
from tests import factories as f
from tests.integration.test_assignment import support
from tests.web_client import SECRET

NORMAL = PolicyInput("normal", 30, 20, 240, business_hours=False)


def minutes_ago(minutes: float) -> float:
    """A `minutes` argument for factories.post that dates a post that long before now."""
    return (utcnow() - f.T0).total_seconds() / 60 - minutes


def case_of(db: Database, ws: int) -> Case:
    with db.read() as s:
        return s.scalars(select(Case).where(Case.workspace_id == ws).order_by(Case.id.desc()).limit(1)).one()


def attainments(db: Database, case_id: int) -> list[tuple[str, bool, bool]]:
    """(target, met, answered) per recorded promise."""
    with db.read() as s:
        rows = s.scalars(
            select(SlaAttainment).where(SlaAttainment.case_id == case_id).order_by(SlaAttainment.id)
        )
        return [(r.target, r.met, r.met_at is not None) for r in rows]


def test_due_times_follow_the_priority_policy_around_the_clock(db: Database) -> None:
    ws = f.workspace(db)
    save_policies(db, ws, [NORMAL, PolicyInput("urgent", 5, 5, 60, business_hours=False)])
    f.ingest(db, ws, f.post("1"))
    case = case_of(db, ws)
    assert case.first_response_due_at == f.T0 + timedelta(minutes=30)
    assert case.resolution_due_at == f.T0 + timedelta(minutes=240)
    assert case.next_response_due_at is None
    with db.read() as s:
        configured = [p.priority for p in list_policies(s, ws) if p.configured]
    assert configured == [Priority.URGENT, Priority.NORMAL]


def test_business_hours_and_holidays_move_due_times(db: Database) -> None:
    ws = f.workspace(db)
    save_policies(db, ws, [PolicyInput("normal", 60, 30, 8 * 60, business_hours=True)])
    hours = "\n".join(f"{d} 09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri"))
    update_team(
        db,
        ws,
        support(db, ws),
        TeamSettings(time_zone="Europe/Amsterdam", hours=hours, holidays="2026-11-23 Team day"),
    )
    # Friday 20 November 15:30 UTC = 16:30 in Amsterdam: 30 min on Friday, Monday is a holiday,
    # the other 30 on Tuesday from 09:00 local (08:00 UTC).
    f.ingest(db, ws, f.post("1", minutes=6 * 60 + 30))
    case = case_of(db, ws)
    assert case.first_response_due_at == datetime(2026, 11, 24, 8, 30, tzinfo=UTC)
    # Changing the hours re-clocks the open case at once.
    update_team(db, ws, support(db, ws), TeamSettings(time_zone="Europe/Amsterdam", hours=hours))
    assert case_of(db, ws).first_response_due_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    with pytest.raises(InvalidAction, match="IANA"):
        update_team(db, ws, support(db, ws), TeamSettings(time_zone="Mars/Olympus"))
    with pytest.raises(InvalidAction, match="holiday line 1"):
        update_team(db, ws, support(db, ws), TeamSettings(holidays="Christmas"))


def test_a_next_response_is_owed_when_the_customer_writes_again(db: Database) -> None:
    ws = f.workspace(db)
    save_policies(db, ws, [NORMAL])
    f.ingest(db, ws, f.post("1"), f.reply("2", to="1", minutes=10), f.post("3", minutes=60, in_reply_to="2"))
    case = case_of(db, ws)
    assert case.status == CaseStatus.OPEN
    assert case.next_response_due_at == f.T0 + timedelta(minutes=80)
    assert attainments(db, case.id) == [("first_response", True, True)]
    f.ingest(db, ws, f.reply("4", to="3", minutes=120))  # 40 minutes late
    case = case_of(db, ws)
    assert case.next_response_due_at is None
    assert attainments(db, case.id) == [("first_response", True, True), ("next_response", False, True)]


def test_the_order_posts_arrive_in_does_not_change_the_clocks(db: Database) -> None:
    ws = f.workspace(db)
    save_policies(db, ws, [NORMAL])
    f.ingest(db, ws, f.post("3", minutes=60, in_reply_to="2"), f.reply("2", to="1", minutes=10))
    f.ingest(db, ws, f.post("1"))
    case = case_of(db, ws)
    assert case.first_response_due_at == f.T0 + timedelta(minutes=30)
    assert case.next_response_due_at == f.T0 + timedelta(minutes=80)
    assert attainments(db, case.id) == [("first_response", True, True)]


def test_a_breach_is_marked_escalated_and_recorded_once(db: Database) -> None:
    ws = f.workspace(db)
    save_policies(db, ws, [NORMAL, PolicyInput("high", 15, 15, 120, business_hours=False)])
    f.ingest(db, ws, f.post("1", minutes=minutes_ago(45)))
    case = case_of(db, ws)
    report = check_breaches(db)
    assert (report.breaches, report.escalated) == (1, 1)
    case = case_of(db, ws)
    assert case.first_response_breached
    assert not case.resolution_breached
    assert case.priority == Priority.HIGH
    assert case.escalated_at is not None
    assert case.resolution_due_at == case.opened_at + timedelta(minutes=120)  # the high policy now
    with db.read() as s:
        tags = [t.name for t in s.get_one(Case, case.id).tags]
        notes = [n.body for n in s.scalars(select(Note).where(Note.case_id == case.id))]
    assert tags == [BREACH_TAG]
    assert notes == ["SLA breached: first response; priority normal → high."]
    assert attainments(db, case.id) == [("first_response", False, False)]
    assert check_breaches(db).breaches == 0  # nothing new: no second escalation, no second row
    assert case_of(db, ws).priority == Priority.HIGH

    agent = f.agent(db, "Acme", "bob@acme.example")
    record_reply(db, ws, case.id, agent, "So sorry, looking at it now")
    assert attainments(db, case.id) == [("first_response", False, True)]  # late, and answered
    change_status(db, ws, case.id, CaseStatus.RESOLVED)
    assert attainments(db, case.id)[-1] == ("resolution", True, True)
    with db.read() as s:
        summary = attainment_summary(s, ws)
    assert summary["first_response"] == {"recorded": 1, "met": 0, "breached": 1}
    assert summary["resolution"] == {"recorded": 1, "met": 1, "breached": 0}


def test_breaches_of_one_workspace_leave_another_alone(db: Database) -> None:
    acme, globex = f.workspace(db, "Acme"), f.workspace(db, "Globex")
    save_policies(db, acme, [NORMAL])
    save_policies(db, globex, [PolicyInput("normal", 600, 600, 6000, business_hours=False)])
    f.ingest(db, acme, f.post("1", minutes=minutes_ago(45)))
    f.ingest(db, globex, f.post("2", minutes=minutes_ago(45), channel="GlobexCare"))
    assert check_breaches(db).breaches == 1
    assert case_of(db, acme).first_response_breached
    assert not case_of(db, globex).first_response_breached
    assert case_of(db, globex).priority == Priority.NORMAL
    with db.read() as s:
        assert attainment_summary(s, globex)["first_response"]["recorded"] == 0


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (PolicyInput("critical", 5, 5, 60, False), "not a priority"),
        (PolicyInput("high", 0, 5, 60, False), "1 to"),
        (PolicyInput("high", 120, 5, 60, False), "before the first response"),
    ],
)
def test_bad_policies_are_refused(db: Database, policy: PolicyInput, message: str) -> None:
    ws = f.workspace(db)
    with pytest.raises(InvalidAction, match=message):
        save_policies(db, ws, [policy])


def test_the_worker_round_runs_the_breach_check(db: Database) -> None:
    ws = f.workspace(db)
    save_policies(db, ws, [NORMAL])
    f.ingest(db, ws, f.post("1", minutes=minutes_ago(45)))
    settings = Settings(secret_key=SecretStr(SECRET), database_url=db.url)
    rounds = Rounds(db, settings, None)
    rounds.run_once()  # triages the post (the job), then checks the clocks
    case = case_of(db, ws)
    assert case.first_response_breached
    assert case.priority == Priority.HIGH
    assert case.urgency is not None  # the triage job ran in the same round


def test_every_late_next_response_is_a_breach_of_its_own(db: Database) -> None:
    ws = f.workspace(db)
    save_policies(db, ws, [NORMAL])  # next response due in 20 minutes
    f.ingest(
        db,
        ws,
        f.post("1", minutes=minutes_ago(200)),
        f.reply("2", to="1", minutes=minutes_ago(190)),
        f.post("3", minutes=minutes_ago(150), in_reply_to="2"),
    )
    assert check_breaches(db).breaches == 1  # the next response (resolution is due at 240 min)
    case = case_of(db, ws)
    assert case.next_response_breached
    f.ingest(
        db,
        ws,
        f.reply("4", to="3", minutes=minutes_ago(100)),
        f.post("5", minutes=minutes_ago(90), in_reply_to="4"),
    )
    assert not case_of(db, ws).next_response_breached  # a new wait: not breached yet in the flag's eyes
    # Now high (the workspace's defaults: due 60 minutes after the post), so 30 minutes late.
    assert check_breaches(db).breaches == 1
    assert case_of(db, ws).next_response_breached
    assert [a for a in attainments(db, case.id) if a[0] == "next_response"] == [
        ("next_response", False, True),
        ("next_response", False, False),
    ]
