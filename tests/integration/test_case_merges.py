"""Merging duplicate cases, and the customer's history across networks (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus
from socialdesk.pipeline.approvals import submit_draft
from socialdesk.pipeline.bulk import BulkChange, apply_bulk
from socialdesk.pipeline.merges import DifferentCustomers, merge_cases, merge_many
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Identity, Note, Post, ReplyDraft
from socialdesk.store.repos.cases import InboxFilter, get_case, list_inbox
from socialdesk.store.repos.history import customer_history
from socialdesk.store.repos.merges import merge_state
from tests import factories as f
from tests.integration.test_api import api
from tests.web_client import Browser


def case_of(db: Database, external_id: str) -> int:
    with db.read() as s:
        conversation = s.scalars(select(Post.conversation_id).where(Post.external_id == external_id)).one()
        return s.scalars(select(Case.id).where(Case.conversation_id == conversation)).one()


def agent_id(db: Database, email: str = "ana@acme.example") -> int:
    with db.read() as s:
        return s.scalars(select(Agent.id).where(Agent.email == email)).one()


def two_threads(db: Database) -> tuple[int, int, int]:
    """One customer wrote twice about the same parcel: at 0 (answered at 5) and at 30 (unanswered)."""
    ws = f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    f.ingest(
        db,
        ws,
        f.post("a1", text="@AcmeHelp my parcel is late", minutes=0),
        f.reply("a2", to="a1", minutes=5),
        f.post("b1", text="@AcmeHelp still no parcel!!", minutes=30),
    )
    return ws, case_of(db, "a1"), case_of(db, "b1")


def test_merging_a_duplicate_joins_its_thread_and_recomputes_the_case(db: Database) -> None:
    ws, a, b = two_threads(db)
    me = agent_id(db)
    apply_bulk(db, ws, me, [b], BulkChange(tag="parcel"))
    with db.write() as s:
        s.add(Note(workspace_id=ws, case_id=b, agent_id=me, body="customer called too"))
    with db.read() as s:
        before = s.get_one(Case, a)
        assert before.status is CaseStatus.PENDING  # we answered a1 and the customer has not written since

    merged = merge_cases(db, ws, me, a, b)
    assert merged.changed

    with db.read() as s:
        target, source = s.get_one(Case, a), s.get_one(Case, b)
        # The customer's post at 30 is in A's thread now: A waits for an answer again.
        assert target.status is CaseStatus.OPEN
        assert target.last_inbound_at == f.T0 + timedelta(minutes=30)
        assert target.opened_at == f.T0  # the clocks run from the first post of either thread
        assert [t.name for t in target.tags] == ["parcel"]
        assert source.status is CaseStatus.RESOLVED
        assert merge_state(s, ws, b).merged_into == a
        assert merge_state(s, ws, a).merged_cases == [b]
        notes = s.scalars(select(Note.body).where(Note.case_id == a).order_by(Note.id)).all()
        assert notes == ["customer called too", f"Case #{b} was merged into this case."]
        thread = get_case(s, ws, a)
        assert thread is not None
        assert [p.external_id for p in thread.posts] == ["a1", "a2", "b1"]


def test_a_trainees_draft_on_the_duplicate_moves_to_the_case_it_joins(db: Database) -> None:
    ws, a, b = two_threads(db)
    me = agent_id(db)
    draft = submit_draft(db, ws, b, me, "So sorry, checking your parcel now.")
    merge_cases(db, ws, me, a, b)
    with db.read() as s:
        assert s.scalars(select(ReplyDraft.case_id).where(ReplyDraft.id == draft.draft_id)).one() == a


def test_the_text_search_finds_a_case_by_what_its_merged_duplicates_said(db: Database) -> None:
    ws, a, b = two_threads(db)
    other_ws = f.workspace(db, "Globex")
    f.ingest(db, other_ws, f.post("g1", author="gus", channel="GlobexCare", text="still no parcel!!"))

    def found(text: str) -> list[int]:
        with db.read() as s:
            return [r.case_id for r in list_inbox(s, ws, InboxFilter(statuses=tuple(CaseStatus), text=text))]

    assert found("still no parcel") == [b]
    merge_cases(db, ws, agent_id(db), a, b)
    # b1 is in A's thread now; B itself (resolved, "merged into #A") still holds it too
    assert sorted(found("still no parcel")) == sorted([a, b])
    assert found("parcel is late") == [a]  # nothing of A's own posts is found in B


def test_merging_again_changes_nothing_and_a_later_post_reaches_the_target(db: Database) -> None:
    ws, a, b = two_threads(db)
    me = agent_id(db)
    merge_cases(db, ws, me, a, b)
    again = merge_cases(db, ws, me, a, b)
    assert not again.changed
    with db.read() as s:
        assert len(s.scalars(select(Note).where(Note.case_id == a)).all()) == 1
    # The customer answers in B's thread: its posts live on in A, which moves; B stays resolved.
    apply_bulk(db, ws, me, [a], BulkChange(status=CaseStatus.RESOLVED))
    later = (utcnow() - f.T0).total_seconds() / 60 + 1  # after the case was resolved
    f.ingest(db, ws, f.post("b2", text="@AcmeHelp hello??", minutes=later, in_reply_to="b1"))
    with db.read() as s:
        assert s.get_one(Case, a).status is CaseStatus.OPEN
        assert s.get_one(Case, b).status is CaseStatus.RESOLVED


def test_merges_that_cannot_be(db: Database) -> None:
    ws, a, b = two_threads(db)
    me = agent_id(db)
    f.ingest(db, ws, f.post("c1", text="@AcmeHelp other thing", minutes=40, author="someone_else"))
    c = case_of(db, "c1")
    with pytest.raises(InvalidAction, match="into itself"):
        merge_cases(db, ws, me, a, a)
    with pytest.raises(DifferentCustomers):
        merge_cases(db, ws, me, a, c)
    merge_cases(db, ws, me, a, b)
    with pytest.raises(InvalidAction, match=f"already merged into #{a}"):
        merge_cases(db, ws, me, c, b)
    with pytest.raises(InvalidAction, match=f"merge into #{a} instead"):
        merge_cases(db, ws, me, b, c, confirm_different_customers=True)
    # Reopening a merged duplicate in bulk is refused with the reason on its row.
    with pytest.raises(InvalidAction, match=f"#{b}: a merged duplicate stays resolved"):
        apply_bulk(db, ws, me, [b], BulkChange(status=CaseStatus.OPEN))
    merged = merge_cases(db, ws, me, a, c, confirm_different_customers=True)
    assert merged.changed


def test_merging_the_selection_into_the_case_opened_first(db: Database) -> None:
    ws, a, b = two_threads(db)
    merged = merge_many(db, ws, agent_id(db), [b, a])
    assert merged is not None
    assert merged.target_case_id == a
    with db.read() as s:
        assert merge_state(s, ws, a).merged_cases == [b]


def test_a_merge_never_reaches_into_another_workspace(db: Database) -> None:
    ws, a, _ = two_threads(db)
    globex = f.workspace(db, "Globex")
    f.agent(db, "Globex", "gus@globex.example")
    f.ingest(db, globex, f.post("g1", text="@GlobexCare private matter", channel="GlobexCare"))
    theirs = case_of(db, "g1")
    with pytest.raises(NotFound):
        merge_cases(db, ws, agent_id(db), a, theirs, confirm_different_customers=True)
    with pytest.raises(NotFound):
        merge_cases(
            db, globex, agent_id(db, "gus@globex.example"), theirs, a, confirm_different_customers=True
        )
    client = api(db)
    response = client.post(
        f"/api/v1/cases/{a}/merge", json={"source_case_id": theirs, "confirm_different_customers": True}
    )
    assert response.status_code == 404
    browser = Browser(db)
    browser.login("ana@acme.example")
    page = browser.submit(f"/cases/{a}", f"/cases/{a}/merge", {"source": str(theirs), "confirm": "yes"})
    assert page.status_code == 404
    with db.read() as s:
        assert s.get_one(Case, theirs).status is CaseStatus.NEW
        assert merge_state(s, globex, theirs).merged_into is None


def test_merge_over_the_api_and_from_the_case_page(db: Database) -> None:
    ws, a, b = two_threads(db)
    f.ingest(db, ws, f.post("c1", text="@AcmeHelp unrelated", minutes=40, author="someone_else"))
    c = case_of(db, "c1")
    client = api(db)
    first = client.post(f"/api/v1/cases/{a}/merge", json={"source_case_id": b})
    assert first.status_code == 200, first.text
    assert first.json() == {"case_id": a, "merged_into": None, "merged_cases": [b], "changed": True}
    assert client.post(f"/api/v1/cases/{a}/merge", json={"source_case_id": b}).json()["changed"] is False
    assert client.post(f"/api/v1/cases/{a}/merge", json={"source_case_id": c}).status_code == 409
    browser = Browser(db)
    browser.login("ana@acme.example")
    asked = browser.submit(f"/cases/{a}", f"/cases/{a}/merge", {"source": f"#{c}"})
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/cases/{a}?merge={c}#merge"
    assert f"Merge #{c} anyway" in browser.get(f"/cases/{a}?merge={c}").text
    done = browser.submit(f"/cases/{a}", f"/cases/{a}/merge", {"source": str(c), "confirm": "yes"})
    assert done.status_code == 303
    assert f'Merged into <a href="/cases/{a}">#{a}</a>' in browser.get(f"/cases/{c}").text
    bad = browser.submit(f"/cases/{a}", f"/cases/{a}/merge", {"source": "abc"})
    assert bad.status_code == 422


def test_the_customer_history_spans_networks_newest_first(db: Database) -> None:
    ws = f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    f.ingest(
        db,
        ws,
        f.post("x1", text="@AcmeHelp broken zip", minutes=0, author="ana_x"),
        f.post("x2", text="@AcmeHelp refund please", minutes=100, author="ana_x"),
        f.post(
            "m1",
            text="my zip broke again",
            minutes=50,
            author="ana@m.social",
            network="mastodon",
            channel="acme@m.social",
        ),
        f.post("o1", text="@AcmeHelp unrelated", minutes=60, author="other"),
    )
    # One person, two networks: the profile links the Mastodon identity to the X customer.
    with db.write() as s:
        x_customer = s.scalars(select(Identity.customer_id).where(Identity.handle == "ana_x")).one()
        mastodon = s.scalars(select(Identity).where(Identity.network == "mastodon")).one()
        mastodon.customer_id = x_customer
        for post in s.scalars(select(Post).where(Post.network == "mastodon")):
            post.customer_id = x_customer
    f.ingest(
        db,
        ws,
        f.post(
            "m2",
            text="still broken",
            minutes=70,
            author="ana@m.social",
            network="mastodon",
            channel="acme@m.social",
            in_reply_to="m1",
        ),
    )
    current = case_of(db, "x2")
    with db.read() as s:
        history = customer_history(s, ws, current)
    assert [(h.network, h.case_id) for h in history] == [
        ("mastodon", case_of(db, "m1")),
        ("x", case_of(db, "x1")),
    ]
    assert history[0].snippet == "still broken"
    assert history[0].posts == 2
    browser = Browser(db)
    browser.login("ana@acme.example")
    page = browser.get(f"/cases/{current}").text
    assert "Customer history" in page
    assert f'href="/cases/{case_of(db, "m1")}"' in page
    assert "unrelated" not in page
    # A merged conversation is part of the case, not of its history.
    merge_cases(db, ws, agent_id(db), current, case_of(db, "x1"))
    with db.read() as s:
        assert [h.network for h in customer_history(s, ws, current)] == ["mastodon"]


def test_merge_from_the_bulk_bar_asks_before_joining_two_customers(db: Database) -> None:
    ws, a, b = two_threads(db)
    f.ingest(db, ws, f.post("c1", text="@AcmeHelp unrelated", minutes=40, author="someone_else"))
    c = case_of(db, "c1")
    browser = Browser(db)
    browser.login("ana@acme.example")
    same = browser.submit("/inbox", "/inbox/bulk", {"action": "merge", "case_id": str(b), "back": "/inbox"})
    assert same.status_code == 422  # one case is not a merge
    assert "select at least two cases" in same.text
    page = browser.get("/inbox").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    headers = {"content-type": "application/x-www-form-urlencoded", "origin": "https://testserver"}
    body = f"csrf_token={token}&action=merge&case_id={c}&case_id={a}&back=/inbox"
    asked = browser.client.post("/inbox/bulk", content=body, headers=headers, follow_redirects=False)
    assert asked.status_code == 409
    assert "Merge anyway" in asked.text
    with db.read() as s:
        assert merge_state(s, ws, a).merged_cases == []
    confirmed = browser.client.post(
        "/inbox/bulk", content=body + "&confirm=yes", headers=headers, follow_redirects=False
    )
    assert confirmed.status_code == 303
    with db.read() as s:
        assert merge_state(s, ws, a).merged_cases == [c]  # into the case opened first


def test_duplicates_follow_their_case_when_reply_chains_join_it_to_another(db: Database) -> None:
    ws = f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    # Two replies to a post that has not arrived yet start two conversations; a third thread is separate.
    f.ingest(
        db,
        ws,
        f.post("a1", text="@AcmeHelp +1", minutes=10, in_reply_to="p0"),
        f.post("c1", text="@AcmeHelp same here", minutes=11, in_reply_to="p0"),
        f.post("b1", text="@AcmeHelp my bag too", minutes=12),
    )
    a, c, b = case_of(db, "a1"), case_of(db, "c1"), case_of(db, "b1")
    merge_cases(db, ws, agent_id(db), c, b)
    f.ingest(db, ws, f.post("p0", text="@AcmeHelp lost luggage", minutes=0))  # joins a1's and c1's threads
    joined = case_of(db, "p0")
    assert joined in (a, c)
    with db.read() as s:
        assert merge_state(s, ws, b).merged_into == joined
        thread = get_case(s, ws, joined)
        assert thread is not None
        assert [p.external_id for p in thread.posts] == ["p0", "a1", "c1", "b1"]


def test_a_merged_duplicate_is_answered_and_reopened_in_its_case(db: Database) -> None:
    ws, a, b = two_threads(db)
    merge_cases(db, ws, agent_id(db), a, b)
    client = api(db)
    reply = client.post(f"/api/v1/cases/{b}/replies", json={"text": "Hello"})
    assert reply.status_code == 422
    assert f"merged into #{a}" in reply.json()["detail"]
    assert client.post(f"/api/v1/cases/{b}/status", json={"status": "open"}).status_code == 422
    browser = Browser(db)
    browser.login("ana@acme.example")
    page = browser.submit(f"/cases/{b}", f"/cases/{b}/status", {"status": "open"})
    assert page.status_code == 422
    assert "answer it there" in page.text
    assert client.post(f"/api/v1/cases/{a}/replies", json={"text": "On it!"}).status_code == 201
    with db.read() as s:
        assert s.get_one(Case, b).status is CaseStatus.RESOLVED
        assert s.get_one(Case, a).status is CaseStatus.PENDING
