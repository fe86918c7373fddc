"""The durable inbound step on SQLite and PostgreSQL: idempotency, threading, cases, customers."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from socialdesk.core.types import CaseStatus, Direction, PostDeletion
from socialdesk.pipeline.ingest import Outcome, ingest_posts
from socialdesk.pipeline.worker import run_pending
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Conversation, Customer, Identity, Job, Post, Team
from tests import factories as f
from tests.snapshot import integrity_problems, snapshot


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def the_case(db: Database) -> Case:
    with db.read() as s:
        cases = s.scalars(select(Case)).all()
        assert len(cases) == 1
        return cases[0]


def test_a_post_is_stored_with_its_conversation_case_customer_and_triage_job(db: Database) -> None:
    ws = f.workspace(db)
    [result] = f.ingest(db, ws, f.post("1", text="@AcmeHelp my parcel is lost"))
    assert result.outcome is Outcome.STORED
    with db.read() as s:
        post = s.get_one(Post, result.post_id)
        assert post.text == "@AcmeHelp my parcel is lost"
        assert post.direction is Direction.INBOUND
        case = s.scalars(select(Case)).one()
        assert case.conversation_id == post.conversation_id
        assert case.customer_id == post.customer_id
        assert case.status is CaseStatus.NEW
        assert case.opened_at == f.T0
        assert case.first_response_due_at == f.T0.replace(hour=10)  # the default 60-minute target
        assert s.scalars(select(Job.kind)).all() == ["triage_post"]
    assert integrity_problems(db) == []


def test_the_same_post_delivered_twice_is_stored_once(db: Database) -> None:
    ws = f.workspace(db)
    first = f.ingest(db, ws, f.post("42"))
    again = f.ingest(db, ws, f.post("42"), f.post("42"))
    assert [r.outcome for r in first + again] == [Outcome.STORED, Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert again[0].post_id == first[0].post_id
    assert count(db, Post) == 1
    assert count(db, Case) == 1
    assert count(db, Job) == 1


def test_the_same_external_id_on_another_network_or_workspace_is_another_post(db: Database) -> None:
    ws1, ws2 = f.workspace(db, "One"), f.workspace(db, "Two")
    f.ingest(db, ws1, f.post("7"), f.post("7", network="mastodon", channel="acme@mastodon.social"))
    f.ingest(db, ws2, f.post("7"))
    assert count(db, Post) == 3


def test_replies_join_the_conversation_and_move_the_case(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1", minutes=0))
    assert the_case(db).status is CaseStatus.NEW
    f.ingest(db, ws, f.reply("2", to="1", minutes=5))
    case = the_case(db)
    assert case.status is CaseStatus.PENDING
    assert case.first_responded_at == f.T0.replace(minute=5)
    f.ingest(db, ws, f.post("3", text="@AcmeHelp still nothing", minutes=30, in_reply_to="2"))
    case = the_case(db)
    assert case.status is CaseStatus.OPEN
    assert case.last_inbound_at == f.T0.replace(minute=30)
    assert count(db, Conversation) == 1


def test_a_reply_that_arrives_before_its_parent_is_merged_when_the_parent_comes(db: Database) -> None:
    ws = f.workspace(db)
    # The customer's follow-up and first tweet arrive before the brand reply that links them.
    f.ingest(db, ws, f.post("3", text="@AcmeHelp thanks", minutes=20, in_reply_to="2"))
    f.ingest(db, ws, f.post("1", minutes=0))
    assert count(db, Conversation) == 2
    assert count(db, Case) == 2
    f.ingest(db, ws, f.reply("2", to="1", minutes=10))
    assert count(db, Conversation) == 1
    case = the_case(db)
    assert case.opened_at == f.T0
    assert case.status is CaseStatus.OPEN
    with db.read() as s:
        assert len(set(s.scalars(select(Post.conversation_id)).all())) == 1
    assert integrity_problems(db) == []


def test_a_conversation_the_brand_started_opens_a_case_only_when_a_customer_answers(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("1", direction=Direction.OUTBOUND, text="We're live! Ask us anything."))
    assert count(db, Case) == 0
    f.ingest(db, ws, f.post("2", text="@AcmeHelp does it work on Linux?", minutes=3, in_reply_to="1"))
    case = the_case(db)
    assert case.status is CaseStatus.NEW
    assert case.opened_at == f.T0.replace(minute=3)


def test_private_messages_thread_by_conversation_key(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(
        db,
        ws,
        f.post("d1", text="my booking ref is QX7P2L", private=True, conversation_key="dm-77"),
        f.post(
            "d2", text="and my e-mail is a@example.com", minutes=1, private=True, conversation_key="dm-77"
        ),
        f.post(
            "d3",
            text="Checking now",
            direction=Direction.OUTBOUND,
            minutes=4,
            private=True,
            conversation_key="dm-77",
        ),
    )
    with db.read() as s:
        conversation = s.scalars(select(Conversation)).one()
        assert conversation.external_key == "dm-77"
        assert conversation.is_private
    assert the_case(db).status is CaseStatus.PENDING


def test_one_customer_per_network_identity_with_the_newest_profile(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("5", author="u9", minutes=50, author_name="Ana B.", user_location="Lisbon"))
    f.ingest(db, ws, f.post("4", author="u9", minutes=10, author_name="Ana", user_location="Porto"))
    assert count(db, Customer) == 1
    with db.read() as s:
        identity = s.scalars(select(Identity)).one()
        assert (identity.name, identity.location) == ("Ana B.", "Lisbon")


def test_triage_detects_the_language_and_routes_to_the_team_that_speaks_it(db: Database) -> None:
    ws = f.workspace(db, teams=(("Soporte", "es"), ("Kundenservice", "de")))
    f.ingest(db, ws, f.post("1", text="@AcmeHelp mi pedido no ha llegado y nadie me responde"))
    with db.read() as s:
        assert s.get_one(Team, the_case(db).team_id).name == "Support"  # not triaged yet: default team
    assert run_pending(db) >= 1
    case = the_case(db)
    with db.read() as s:
        assert s.get_one(Team, case.team_id).name == "Soporte"
        assert case.routed_by == "language:es"
        assert s.scalars(select(Post.language)).one() == "es"
    assert count(db, Job) == 0


THREAD = [
    f.post("1", minutes=0, text="@AcmeHelp my order 1234 is late"),
    f.reply("2", to="1", minutes=4),
    f.post("3", minutes=9, in_reply_to="2", text="@AcmeHelp sent you a DM"),
    f.reply("4", to="3", minutes=15, text="@cust1 Got it, refund issued."),
    f.post("5", minutes=16, in_reply_to="4", text="@AcmeHelp thank you!"),
    f.post("6", author="cust2", minutes=2, text="@AcmeHelp is the app down?"),
    f.reply("7", to="6", minutes=30, text="@cust2 Fixed now, sorry!"),
    f.post("8", author="cust3", minutes=31, text="@AcmeHelp the app is down again", in_reply_to="7"),
]


def test_final_state_does_not_depend_on_arrival_order(db: Database) -> None:
    """Threads, cases and customers are a function of the posts, not of the order they came in."""
    pictures = []
    for seed in range(5):
        order = THREAD[:]
        random.Random(seed).shuffle(order)
        ws = f.workspace(db, f"order{seed}")
        for post in order:  # one delivery per post: the hardest case for threading
            f.ingest(db, ws, post)
        run_pending(db)
        picture = snapshot(db, f"order{seed}")
        picture.pop("workspace")
        pictures.append(picture)
    assert integrity_problems(db) == []
    assert all(p == pictures[0] for p in pictures[1:])
    assert len(pictures[0]["conversations"]) == 2
    assert [c[4] for c in pictures[0]["cases"]] == ["open", "open"]


def test_a_whole_thread_in_one_batch_ends_as_post_by_post_delivery(db: Database) -> None:
    """A batch recomputes each case once, at its end (pipeline.ingest): replies before their parents,
    merges inside the batch and several posts of one thread must end as one delivery per post does."""
    one_by_one = f.workspace(db, "one-by-one")
    for post in THREAD:
        f.ingest(db, one_by_one, post)
    run_pending(db)
    expected = snapshot(db, "one-by-one")
    expected.pop("workspace")
    for seed in range(3):
        order = THREAD[:]
        random.Random(seed).shuffle(order)
        ws = f.workspace(db, f"batch{seed}")
        results = f.ingest(db, ws, *order)
        assert [r.outcome for r in results] == [Outcome.STORED] * len(THREAD)
        run_pending(db)
        picture = snapshot(db, f"batch{seed}")
        picture.pop("workspace")
        assert picture == expected
    assert integrity_problems(db) == []


def test_an_edit_replaces_the_text_once_and_keeps_the_earlier_version(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("e1", text="@AcmeHelp my order 123 is late"))
    run_pending(db)
    edited = f.post(
        "e1", text="@AcmeHelp my order 123 is 3 days late!", edited_at=f.T0 + timedelta(minutes=5)
    )
    older = f.post("e1", text="@AcmeHelp an older edit", edited_at=f.T0 + timedelta(minutes=2))
    results = f.ingest(db, ws, edited, edited, older)
    assert [r.outcome for r in results] == [Outcome.UPDATED, Outcome.DUPLICATE, Outcome.DUPLICATE]
    with db.read() as session:
        post = session.scalars(select(Post).where(Post.external_id == "e1")).one()
        assert post.text == "@AcmeHelp my order 123 is 3 days late!"
        assert post.edited_at == f.T0 + timedelta(minutes=5)
        assert post.raw is not None
        assert post.raw["socialdesk_earlier_versions"][0]["text"] == "@AcmeHelp my order 123 is late"
        queued = session.scalars(select(Job).where(Job.kind == "triage_post")).all()
        assert [j.payload["post_id"] for j in queued] == [post.id]  # the new text is triaged again


def test_an_edit_that_is_a_post_of_its_own_marks_the_version_it_replaces(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("v1", text="@AcmeHelp the app crashes"))
    f.ingest(db, ws, f.post("v2", text="@AcmeHelp the app crashes on login", minutes=1, edit_of="v1"))
    with db.read() as session:
        first, second = session.scalars(select(Post).order_by(Post.id)).all()
        assert second.conversation_id == first.conversation_id
        assert first.edited_at == f.T0 + timedelta(minutes=1)
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_a_deletion_erases_the_post_and_is_idempotent(db: Database) -> None:
    ws = f.workspace(db)
    f.ingest(db, ws, f.post("d1", text="@AcmeHelp call me on +44 7700 900123", user_location="Leeds"))
    run_pending(db)
    gone = PostDeletion("x", "d1", f.T0 + timedelta(hours=1))
    results = ingest_posts(db, ws, [gone, gone, PostDeletion("x", "never-stored")])
    assert [r.outcome for r in results] == [Outcome.DELETED, Outcome.DELETED, Outcome.IGNORED]
    with db.read() as session:
        post = session.scalars(select(Post).where(Post.external_id == "d1")).one()
        assert (post.text, post.raw, post.triage, post.user_location) == ("", None, None, None)
        assert post.deleted_at == f.T0 + timedelta(hours=1)
    # the deleted post arriving again (a replayed page) does not bring its text back
    f.ingest(db, ws, f.post("d1", text="@AcmeHelp call me on +44 7700 900123"))
    with db.read() as session:
        assert session.scalars(select(Post.text).where(Post.external_id == "d1")).one() == ""
