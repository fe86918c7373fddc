"""The inbox's sorts and the filters a saved view holds, in SQL on SQLite and PostgreSQL.

"urgency" is written in SQL so that it can page; it must order exactly as `routing.queues.order_key`,
which auto-assignment uses, or the inbox and the assigner would disagree about what comes next.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from socialdesk.core.types import CaseStatus, Priority
from socialdesk.pipeline.bulk import BulkChange, apply_bulk
from socialdesk.routing.queues import QueueEntry, order_key
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Post
from socialdesk.store.repos.cases import UNRESOLVED, InboxFilter, list_inbox
from tests import factories as f

# (customer, minutes after T0, priority, urgency, first response due in minutes or None)
CASES = [
    ("c1", 0, Priority.NORMAL, 0.95, 60),
    ("c2", 1, Priority.URGENT, 0.10, None),
    ("c3", 2, Priority.NORMAL, 0.95, 30),
    ("c4", 3, Priority.NORMAL, 0.95, 30),  # as urgent as c3, as soon due: the longer wait goes first
    ("c5", 4, Priority.HIGH, None, 10),
    ("c6", 5, Priority.LOW, 0.99, 5),
    ("c7", 6, Priority.NORMAL, 0.7, None),
    ("c8", 7, Priority.NORMAL, 0.7, 90),  # as urgent as c7, and due: before c7, which is not
    ("c9", 8, Priority.NORMAL, 0.3, 20),
]


def seeded(db: Database) -> tuple[int, dict[str, int]]:
    ws = f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    # c9 also writes a word in capitals outside ASCII, for the text search
    texts = {who: f"help {who}" + (" ÜBERWEISUNG" if who == "c9" else "") for who, *_ in CASES}
    f.ingest(db, ws, *[f.post(f"p-{who}", author=who, minutes=m, text=texts[who]) for who, m, *_ in CASES])
    ids: dict[str, int] = {}
    with db.write() as s:
        for who, _minutes, priority, urgency, due in CASES:
            conversation = s.scalars(select(Post.conversation_id).where(Post.external_id == f"p-{who}")).one()
            case = s.scalars(select(Case).where(Case.conversation_id == conversation)).one()
            # Triage and SLA policies set these in production; the order is what is under test here.
            case.priority, case.urgency = priority, urgency
            case.first_response_due_at = f.T0 + timedelta(minutes=due) if due is not None else None
            ids[who] = case.id
    return ws, ids


def listed(db: Database, ws: int, **given: object) -> list[int]:
    with db.read() as s:
        return [r.case_id for r in list_inbox(s, ws, InboxFilter(**given))]  # type: ignore[arg-type]


def test_urgency_sort_is_the_queue_order_of_routing(db: Database) -> None:
    ws, _ = seeded(db)
    with db.read() as s:
        cases = s.scalars(select(Case).where(Case.workspace_id == ws)).all()
        entries = [
            QueueEntry(
                case_id=c.id,
                waiting_since=c.last_inbound_at,
                priority=c.priority,
                urgency=c.urgency,
                due_at=c.first_response_due_at if c.first_responded_at is None else c.next_response_due_at,
            )
            for c in cases
        ]
    expected = [e.case_id for e in sorted(entries, key=order_key)]
    assert listed(db, ws, sort="urgency") == expected
    # Paging keeps the order: pages of 4 put together are the whole list.
    pages = [listed(db, ws, sort="urgency", limit=4, page=p) for p in (1, 2, 3)]
    assert [i for page in pages for i in page] == expected


def test_oldest_waiting_newest_activity_and_due_sorts(db: Database) -> None:
    ws, ids = seeded(db)
    order = [ids[who] for who, *_ in CASES]
    assert listed(db, ws, sort="oldest") == order
    assert listed(db, ws, sort="newest") == order[::-1]
    due = listed(db, ws, sort="due")
    # Soonest first: c6 (5 min), c5 (10), c9 (20), c3 and c4 (30), ...; cases without a due time last.
    assert due[:3] == [ids["c6"], ids["c5"], ids["c9"]]
    assert set(due[-2:]) == {ids["c2"], ids["c7"]}


def test_filters_for_assignee_priority_complaint_text_and_tag(db: Database) -> None:
    ws, ids = seeded(db)
    with db.read() as s:
        ana = s.scalars(select(Agent.id).where(Agent.email == "ana@acme.example")).one()
    apply_bulk(db, ws, ana, [ids["c1"], ids["c3"]], BulkChange(assignee_id=ana, tag="refund"))
    with db.write() as s:
        s.get_one(Case, ids["c4"]).is_complaint = True
        s.get_one(Case, ids["c5"]).is_complaint = False
    assert sorted(listed(db, ws, assignee_id=ana)) == sorted([ids["c1"], ids["c3"]])
    assert ids["c1"] not in listed(db, ws, unassigned=True)
    assert len(listed(db, ws, unassigned=True)) == len(CASES) - 2
    assert listed(db, ws, priority=Priority.URGENT) == [ids["c2"]]
    assert listed(db, ws, complaint=True) == [ids["c4"]]
    assert listed(db, ws, complaint=False) == [ids["c5"]]
    assert listed(db, ws, text="HELP C7") == [ids["c7"]]  # any case, either database
    assert listed(db, ws, text="überweisung") == [ids["c9"]]  # SQLite's own lower() is ASCII-only
    assert listed(db, ws, text="100%") == []  # LIKE wildcards are literal characters
    assert sorted(listed(db, ws, tag="refund")) == sorted([ids["c1"], ids["c3"]])
    assert listed(db, ws, tag="other") == []
    apply_bulk(db, ws, ana, [ids["c1"]], BulkChange(status=CaseStatus.RESOLVED))
    assert listed(db, ws, tag="refund", statuses=UNRESOLVED) == [ids["c3"]]
