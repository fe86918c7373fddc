"""Events are published after the commit that made them, never for a rollback; the database poll
brings other processes' posts to this process's bus."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from socialdesk.bus import Event, MemoryBus
from socialdesk.core.types import CaseStatus
from socialdesk.pipeline import events
from socialdesk.pipeline.approvals import submit_draft
from socialdesk.pipeline.case_actions import change_status
from socialdesk.pipeline.change_feed import ChangeFeed
from socialdesk.pipeline.merges import merge_cases
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Post
from tests import factories as f


@pytest.fixture
def bus() -> Iterator[MemoryBus]:
    """A bus of the test's own as the process's bus."""
    mine = MemoryBus()
    previous = events.use_bus(mine)
    yield mine
    events.use_bus(previous)


def published(bus: MemoryBus, since: str) -> list[Event]:
    return bus.read(since, timeout=0).events


def names(found: list[Event]) -> list[str]:
    return sorted(e.name for e in found)


def test_an_ingest_publishes_its_post_and_case_after_the_commit(db: Database, bus: MemoryBus) -> None:
    ws = f.workspace(db)
    start = bus.last_id()
    [result] = f.ingest(db, ws, f.post("1"))
    found = published(bus, start)
    assert names(found) == ["case.created", "post.created"]
    post = next(e for e in found if e.name == "post.created")
    case = next(e for e in found if e.name == "case.created")
    assert post.workspace_id == ws
    assert case.workspace_id == ws
    assert post.data["post_id"] == result.post_id
    assert post.data["direction"] == "inbound"
    assert post.data["conversation_id"] == case.data["conversation_id"]
    assert result.post_id is not None
    assert events.recently_published(bus, "post.created", result.post_id)

    # The brand's answer arrives: one more post, and the case it changed.
    start = bus.last_id()
    f.ingest(db, ws, f.reply("2", to="1", minutes=3))
    found = published(bus, start)
    assert names(found) == ["case.updated", "post.created"]
    updated = next(e for e in found if e.name == "case.updated")
    assert updated.data["case_id"] == case.data["case_id"]
    changed = updated.data["changed"]
    assert isinstance(changed, list)
    assert "status" in changed


def test_nothing_is_published_for_a_rollback(db: Database, bus: MemoryBus) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1"))
    start = bus.last_id()

    def resolve_then_fail() -> None:
        with db.write() as session:
            case = session.scalars(select(Case)).one()
            case.status = CaseStatus.RESOLVED
            session.flush()  # the change reached the database, and the hook saw it...
            raise RuntimeError("...but the transaction rolls back")

    with pytest.raises(RuntimeError):
        resolve_then_fail()
    assert published(bus, start) == []
    with db.read() as session:
        assert session.scalars(select(Case.status)).one() is CaseStatus.NEW


def test_a_rolled_back_savepoint_drops_its_events_and_keeps_the_rest(db: Database, bus: MemoryBus) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1"), f.post("2", author="cust2"))
    start = bus.last_id()
    with db.write() as session:
        first, second = session.scalars(select(Case).order_by(Case.id)).all()

        def resolve_then_fail() -> None:
            with session.begin_nested():
                first.status = CaseStatus.RESOLVED
                session.flush()
                raise RuntimeError("this savepoint rolls back")

        with pytest.raises(RuntimeError):
            resolve_then_fail()
        with session.begin_nested():
            second.status = CaseStatus.OPEN
        second_id = second.id
    found = published(bus, start)
    assert [(e.name, e.data["case_id"]) for e in found] == [("case.updated", second_id)]
    assert found[0].data["changed"] == ["status"]


def test_a_pipeline_action_publishes_without_calling_anything(db: Database, bus: MemoryBus) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1"))
    with db.read() as session:
        case_id = session.scalars(select(Case.id)).one()
    start = bus.last_id()
    change_status(db, ws, case_id, CaseStatus.RESOLVED)
    found = published(bus, start)
    assert [(e.name, e.data["case_id"], e.data["status"]) for e in found] == [
        ("case.updated", case_id, "resolved")
    ]


def test_the_feed_announces_posts_other_processes_stored(db: Database, bus: MemoryBus) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1"))  # before the feed starts: not news
    feed = ChangeFeed(db, bus, interval=0.1)
    feed.prime()
    assert feed.poll_once() == 0
    # Another process: its events go to a bus nobody here reads.
    events.use_bus(MemoryBus())
    try:
        [result] = f.ingest(db, ws, f.post("2", author="cust2"))
    finally:
        events.use_bus(bus)
    start = bus.last_id()
    assert feed.poll_once() == 2
    found = published(bus, start)
    assert names(found) == ["case.updated", "post.created"]
    assert all(e.workspace_id == ws and e.data["via"] == "poll" for e in found)
    post = next(e for e in found if e.name == "post.created")
    assert post.data["post_id"] == result.post_id
    with db.read() as session:
        conversation = session.scalars(select(Post.conversation_id).where(Post.id == result.post_id)).one()
        case_id = session.scalars(select(Case.id).where(Case.conversation_id == conversation)).one()
    assert next(e for e in found if e.name == "case.updated").data["case_id"] == case_id
    assert feed.poll_once() == 0  # announced once

    # A post this process stored (and published) is not announced twice.
    f.ingest(db, ws, f.post("3", author="cust3"))
    start = bus.last_id()
    assert feed.poll_once() == 0
    assert published(bus, start) == []


def test_the_feed_announces_triage_done_elsewhere(db: Database, bus: MemoryBus) -> None:
    from socialdesk.pipeline.worker import run_pending

    ws = f.workspace(db)
    feed = ChangeFeed(db, bus, interval=0.1)
    feed.prime()
    [result] = f.ingest(db, ws, f.post("1", text="@AcmeHelp my flight was cancelled and nobody helps"))
    feed.poll_once()
    events.use_bus(MemoryBus())
    try:
        assert run_pending(db) >= 1  # the worker in another process triages the post
    finally:
        events.use_bus(bus)
    start = bus.last_id()
    assert feed.poll_once() == 2
    found = published(bus, start)
    assert next((e.name, e.data.get("post_id")) for e in found) == ("post.updated", result.post_id)
    assert feed.poll_once() == 0


def test_a_case_merged_away_announces_its_deletion(db: Database, bus: MemoryBus) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1"))
    # A reply to a post not stored yet starts a case of its own...
    f.ingest(db, ws, f.post("3", in_reply_to="2", minutes=2))
    with db.read() as session:
        kept, orphan = session.scalars(select(Case.id).order_by(Case.id)).all()
    start = bus.last_id()
    # ...until the post between them arrives and joins both threads: the second case merges away.
    f.ingest(db, ws, f.post("2", in_reply_to="1", minutes=1))
    found = published(bus, start)
    deleted = [e for e in found if e.name == "case.deleted"]
    assert [e.data["case_id"] for e in deleted] == [orphan]
    assert deleted[0].workspace_id == ws
    assert kept in [e.data.get("case_id") for e in found if e.name == "case.updated"]


def test_drafts_that_follow_a_merged_case_are_announced(db: Database, bus: MemoryBus) -> None:
    # Both ways a case joins another move its drafts with one UPDATE, which the hook cannot see.
    ws = f.workspace(db)
    agent = f.agent(db, "Acme", "ana@acme.example")
    f.ingest(db, ws, f.post("1"), f.post("4", author="bea", minutes=1))
    f.ingest(db, ws, f.post("3", in_reply_to="2", minutes=2))
    with db.read() as session:
        kept, bea, orphan = session.scalars(select(Case.id).order_by(Case.id)).all()
    first = submit_draft(db, ws, orphan, agent, "Sorry, we are looking into it.")
    start = bus.last_id()
    f.ingest(db, ws, f.post("2", in_reply_to="1", minutes=1))  # threading joins the orphan to `kept`
    moved = [e for e in published(bus, start) if e.name == "draft.updated"]
    assert [(e.data["draft_id"], e.data["case_id"]) for e in moved] == [(first.draft_id, kept)]
    assert moved[0].data["status"] == "pending"
    assert moved[0].data["changed"] == ["case_id"]

    second = submit_draft(db, ws, kept, agent, "One more thing.")
    start = bus.last_id()
    merge_cases(db, ws, agent, bea, kept, confirm_different_customers=True)  # an agent merges them
    moved = [e for e in published(bus, start) if e.name == "draft.updated"]
    assert sorted((e.data["draft_id"], e.data["case_id"]) for e in moved) == [
        (first.draft_id, bea),
        (second.draft_id, bea),
    ]
