"""Macros, notes with @mentions and trainee approval against the real store (SQLite and PostgreSQL),
with the X stand-in as the network: a trainee's draft is never delivered until it is approved."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.accounts.agents import create_agent, create_api_token
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus, DeliveryStatus, Direction, DraftStatus
from socialdesk.pipeline import outbox
from socialdesk.pipeline.approvals import (
    DraftSubmitted,
    approve_draft,
    reject_draft,
    submit_draft,
    submit_reply,
)
from socialdesk.pipeline.case_actions import ReplyRecorded, record_reply
from socialdesk.pipeline.macros import MacroIn, apply_after_reply, create_macro, delete_macro, update_macro
from socialdesk.pipeline.notes import add_note, mark_mentions_read
from socialdesk.pipeline.workspaces import ensure_workspace
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Mention, Post, ReplyDraft
from socialdesk.store.repos.approvals import author_drafts, case_drafts, pending_drafts
from socialdesk.store.repos.macros import list_macros, macros_for_case
from socialdesk.store.repos.mentions import agent_mentions, case_notes, unread_mention_count
from socialdesk.store.repos.workspace import team_options
from tests import factories as f
from tests.channels import connect_x, vault
from tests.stand_ins.x import XStandIn
from tests.web_client import SECRET, Browser, make_client


def person(
    db: Database, workspace: str, email: str, name: str, role: str = "agent", trainee: bool = False
) -> int:
    with db.write() as session:
        ws = ensure_workspace(session, workspace)
        return create_agent(session, ws, email, name, f.PASSWORD, role, is_trainee=trainee).id


def a_case(db: Database, ws: int, external_id: str = "m1", channel: str = "AcmeHelp") -> int:
    f.ingest(db, ws, f.post(external_id, text=f"@{channel} my bag never arrived", channel=channel))
    with db.read() as s:
        case_id = s.scalars(select(Case.id).where(Case.workspace_id == ws).order_by(Case.id.desc())).first()
    assert case_id is not None
    return case_id


def outbound(db: Database, ws: int) -> list[Post]:
    with db.read() as s:
        return list(
            s.scalars(select(Post).where(Post.workspace_id == ws, Post.direction == Direction.OUTBOUND))
        )


# Trainee approval ------------------------------------------------------------------------------


def test_a_trainees_draft_is_never_delivered_until_approved_then_exactly_once(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    ws = f.workspace(db)
    connect_x(db, ws, x)
    case_id = a_case(db, ws)
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    boss = person(db, "Acme", "sam@acme.example", "Sam Okafor", role="supervisor")

    submitted = submit_reply(db, ws, case_id, tom, "@cust1 So sorry! Could you DM us the tag number?", "k1")
    assert isinstance(submitted, DraftSubmitted)
    assert submitted.created
    assert submit_reply(db, ws, case_id, tom, "@cust1 So sorry!", "k1") == DraftSubmitted(
        submitted.draft_id, created=False
    )  # a double click submits one draft
    assert outbox.deliver_due(db, vault(), http) == 0
    assert outbound(db, ws) == []
    assert x.calls("POST", "/2/tweets") == []
    with db.read() as s:
        assert s.get_one(Case, case_id).status is CaseStatus.NEW  # the customer is still waiting
        (queued,) = pending_drafts(s, ws)
    assert queued.author_name == "Tom Reyes"
    assert queued.status is DraftStatus.PENDING

    post_id = approve_draft(db, ws, submitted.draft_id, boss)
    assert outbox.deliver_due(db, vault(), http) == 1
    assert outbox.deliver_due(db, vault(), http) == 0
    (sent,) = outbound(db, ws)
    assert sent.id == post_id
    assert sent.delivery_status is DeliveryStatus.SENT
    assert sent.agent_id == tom
    assert sent.author_name == "Tom Reyes"
    assert sent.text == "@cust1 So sorry! Could you DM us the tag number?"
    assert len(x.calls("POST", "/2/tweets")) == 1
    with db.read() as s:
        draft = s.get_one(ReplyDraft, submitted.draft_id)
        assert (draft.status, draft.reviewer_id, draft.post_id) == (DraftStatus.APPROVED, boss, post_id)
        assert draft.reviewed_at is not None
        assert s.get_one(Case, case_id).status is CaseStatus.PENDING
        assert pending_drafts(s, ws) == []

    with pytest.raises(InvalidAction, match="already approved"):
        approve_draft(db, ws, submitted.draft_id, boss)
    assert len(outbound(db, ws)) == 1


def test_a_trainee_cannot_bypass_the_draft_by_recording_a_reply(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    with pytest.raises(InvalidAction, match="supervisor approves"):
        record_reply(db, ws, case_id, tom, "@cust1 hi")
    assert outbound(db, ws) == []


def test_edit_and_approve_sends_the_edit_and_keeps_the_trainees_words(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    admin = person(db, "Acme", "ada@acme.example", "Ada Admin", role="admin")
    draft = submit_draft(db, ws, case_id, tom, "@cust1 sorry lol")
    post_id = approve_draft(
        db, ws, draft.draft_id, admin, "@cust1 We're sorry. Please DM us your tag number."
    )
    with db.read() as s:
        assert s.get_one(Post, post_id).text == "@cust1 We're sorry. Please DM us your tag number."
        (view,) = case_drafts(s, ws, case_id)
    assert view.text == "@cust1 sorry lol"
    assert view.edited
    assert view.reviewer_name == "Ada Admin"


def test_an_edit_too_long_for_the_network_is_refused_and_the_draft_still_waits(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    boss = person(db, "Acme", "sam@acme.example", "Sam Okafor", role="supervisor")
    draft = submit_draft(db, ws, case_id, tom, "@cust1 sorry")
    with pytest.raises(InvalidAction, match="X / Twitter allows 280"):
        approve_draft(db, ws, draft.draft_id, boss, "a" * 281)
    with pytest.raises(InvalidAction, match="X / Twitter allows 280"):
        submit_draft(db, ws, case_id, tom, "b" * 281)
    with db.read() as s:
        assert s.get_one(ReplyDraft, draft.draft_id).status is DraftStatus.PENDING
    assert outbound(db, ws) == []


def test_reject_keeps_the_comment_for_the_trainee_and_sends_nothing(
    db: Database, x: XStandIn, http: httpx.Client
) -> None:
    ws = f.workspace(db)
    connect_x(db, ws, x)
    case_id = a_case(db, ws)
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    boss = person(db, "Acme", "sam@acme.example", "Sam Okafor", role="supervisor")
    draft = submit_draft(db, ws, case_id, tom, "@cust1 not our fault")
    with pytest.raises(InvalidAction, match="comment is empty"):
        reject_draft(db, ws, draft.draft_id, boss, "  ")
    reject_draft(db, ws, draft.draft_id, boss, "Apologise first, then ask for the tag number.")
    assert outbox.deliver_due(db, vault(), http) == 0
    assert outbound(db, ws) == []
    assert x.calls("POST", "/2/tweets") == []
    with db.read() as s:
        (mine,) = author_drafts(s, ws, tom)
    assert mine.status is DraftStatus.REJECTED
    assert mine.review_comment == "Apologise first, then ask for the tag number."
    with pytest.raises(InvalidAction, match="already rejected"):
        approve_draft(db, ws, draft.draft_id, boss)


def test_only_supervisors_and_admins_review_and_a_trainee_never_their_own(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    agent = person(db, "Acme", "ann@acme.example", "Ann Agent")
    trainee_supervisor = person(db, "Acme", "tia@acme.example", "Tia", role="supervisor", trainee=True)
    draft = submit_draft(db, ws, case_id, tom, "@cust1 hello")
    for reviewer in (tom, agent, trainee_supervisor):
        with pytest.raises(InvalidAction, match="only an admin or a supervisor"):
            approve_draft(db, ws, draft.draft_id, reviewer)
        with pytest.raises(InvalidAction, match="only an admin or a supervisor"):
            reject_draft(db, ws, draft.draft_id, reviewer, "no")


def test_an_ordinary_agents_reply_is_recorded_as_before(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    ann = person(db, "Acme", "ann@acme.example", "Ann Agent")
    recorded = submit_reply(db, ws, case_id, ann, "@cust1 On it!")
    assert isinstance(recorded, ReplyRecorded)
    assert recorded.created
    (post,) = outbound(db, ws)
    assert post.delivery_status is DeliveryStatus.QUEUED


# Macros ----------------------------------------------------------------------------------------


def test_macros_are_validated_on_save_and_listed_per_team(db: Database) -> None:
    ws = f.workspace(db, teams=(("Bags", "en"),))
    boss = person(db, "Acme", "sam@acme.example", "Sam", role="supervisor")
    with pytest.raises(InvalidAction, match=r"unknown variable \{\{customer.email\}\}"):
        create_macro(db, ws, boss, MacroIn("Bad", "bad", "Hi {{customer.email}}"))
    with pytest.raises(InvalidAction, match="shortcut"):
        create_macro(db, ws, boss, MacroIn("Bad", "Has Spaces", "Hi"))
    general = create_macro(db, ws, boss, MacroIn("Sorry", "Sorry", "Sorry {{customer.first_name}}!"))
    with pytest.raises(InvalidAction, match="already another macro's"):
        create_macro(db, ws, boss, MacroIn("Again", "sorry", "Hi"))
    with db.read() as s:
        (listed,) = list_macros(s, ws)
    assert listed.shortcut == "sorry"  # lower-cased
    case_id = a_case(db, ws)
    other = f.workspace(db, "Other", teams=(("Elsewhere", "fr"),))
    with db.read() as s:
        case_team = s.scalars(select(Case.team_id).where(Case.id == case_id)).one()
        foreign_team = team_options(s, other)[0].id
        unrelated_team = next(t.id for t in team_options(s, ws) if t.id != case_team)
    assert case_team is not None
    with pytest.raises(InvalidAction, match="team is not in your workspace"):
        create_macro(db, ws, boss, MacroIn("T", "t", "Hi", team_id=foreign_team))
    team_macro = create_macro(db, ws, boss, MacroIn("Team", "team", "Hi", team_id=case_team))
    create_macro(db, ws, boss, MacroIn("Not here", "elsewhere", "Hi", team_id=unrelated_team))
    with db.read() as s:
        offered = [m.id for m in macros_for_case(s, ws, case_id)]
    assert offered == [team_macro, general]  # the case's team's first; another team's not at all

    update_macro(
        db, ws, general, MacroIn("Sorry!", "sorry", "So sorry {{customer.name}}.", resolves_case=True)
    )
    with pytest.raises(InvalidAction, match="unknown variable"):
        update_macro(db, ws, general, MacroIn("Sorry!", "sorry", "{{nope}}"))
    with db.read() as s:
        changed = next(m for m in list_macros(s, ws) if m.id == general)
    assert changed.body == "So sorry {{customer.name}}."
    assert changed.resolves_case
    delete_macro(db, ws, team_macro)
    with db.read() as s:
        assert team_macro not in [m.id for m in list_macros(s, ws)]
        assert general in [m.id for m in list_macros(s, ws)]


def test_a_macros_actions_tag_and_resolve_the_case_after_its_reply(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    ann = person(db, "Acme", "ann@acme.example", "Ann")
    macro = create_macro(
        db, ws, ann, MacroIn("Thanks", "thanks", "Thanks!", resolves_case=True, tag=" sorted ")
    )
    tag_only = create_macro(db, ws, ann, MacroIn("Bag", "bag", "Bag!", tag="lost-bag"))
    record_reply(db, ws, case_id, ann, "Bag!")
    apply_after_reply(db, ws, case_id, tag_only)
    apply_after_reply(db, ws, case_id, tag_only)  # twice: tagged once
    with db.read() as s:
        case = s.get_one(Case, case_id)
        assert case.status is CaseStatus.PENDING
        assert [t.name for t in case.tags] == ["lost-bag"]
    record_reply(db, ws, case_id, ann, "Thanks!")
    apply_after_reply(db, ws, case_id, macro)
    with db.read() as s:
        case = s.get_one(Case, case_id)
        assert case.status is CaseStatus.RESOLVED
        assert [t.name for t in case.tags] == ["lost-bag", "sorted"]


# Notes and mentions ----------------------------------------------------------------------------


def test_a_note_mentions_colleagues_of_the_workspace_only(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    ann = person(db, "Acme", "ann@acme.example", "Ann Agent")
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes")
    f.workspace(db, "Other")
    outsider = person(db, "Other", "eve@other.example", "Eve Outsider")
    added = add_note(db, ws, case_id, ann, "@tom.reyes can you look? @eve, @ann, @nobody and @TOM.")
    assert added.mentioned == (tom,)  # Eve is elsewhere, Ann wrote it, nobody is nobody, Tom once
    with db.read() as s:
        assert unread_mention_count(s, ws, tom) == 1
        assert unread_mention_count(s, ws, ann) == 0
        assert s.scalars(select(Mention).where(Mention.agent_id == outsider)).all() == []
        (note,) = case_notes(s, ws, case_id)
        (mention,) = agent_mentions(s, ws, tom)
    assert note.mentioned == ["Tom Reyes"]
    assert note.author_name == "Ann Agent"
    assert (mention.case_id, mention.note_id, mention.read_at) == (case_id, added.note_id, None)
    assert mark_mentions_read(db, ws, tom) == 1
    with db.read() as s:
        assert unread_mention_count(s, ws, tom) == 0


def test_a_handle_two_agents_share_resolves_to_neither(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    ann = person(db, "Acme", "ann@acme.example", "Ann")
    person(db, "Acme", "jo@acme.example", "Jo One")
    person(db, "Acme", "jo@partner.example", "Jo Two")
    assert add_note(db, ws, case_id, ann, "@jo ?").mentioned == ()
    assert len(add_note(db, ws, case_id, ann, "@jo.two ?").mentioned) == 1


def test_an_empty_or_foreign_note_is_refused(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    ann = person(db, "Acme", "ann@acme.example", "Ann")
    with pytest.raises(InvalidAction, match="empty"):
        add_note(db, ws, case_id, ann, "  ")
    other = f.workspace(db, "Other")
    with pytest.raises(NotFound):
        add_note(db, other, case_id, ann, "hello")


# Isolation -------------------------------------------------------------------------------------


def test_another_workspace_can_neither_see_nor_change_drafts_macros_or_mentions(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    ann = person(db, "Acme", "ann@acme.example", "Ann")
    draft = submit_draft(db, ws, case_id, tom, "@cust1 hi")
    macro = create_macro(db, ws, ann, MacroIn("Hi", "hi", "Hi"))
    add_note(db, ws, case_id, ann, "@tom look")
    other = f.workspace(db, "Other")
    mallory = person(db, "Other", "mal@other.example", "Mallory", role="admin")
    with pytest.raises(NotFound):
        approve_draft(db, other, draft.draft_id, mallory)
    with pytest.raises(NotFound):
        reject_draft(db, other, draft.draft_id, mallory, "no")
    with pytest.raises(InvalidAction):  # Mallory is no supervisor of Acme's
        approve_draft(db, ws, draft.draft_id, mallory)
    with pytest.raises(NotFound):
        submit_draft(db, other, case_id, mallory, "hi")
    with pytest.raises(NotFound):
        update_macro(db, other, macro, MacroIn("Mine", "mine", "Mine"))
    with pytest.raises(NotFound):
        delete_macro(db, other, macro)
    apply_after_reply(db, other, case_id, macro)  # does nothing across workspaces
    with db.read() as s:
        assert pending_drafts(s, other) == []
        assert list_macros(s, other) == []
        assert macros_for_case(s, other, case_id) == []
        assert case_notes(s, other, case_id) == []
        assert case_drafts(s, other, case_id) == []
        assert agent_mentions(s, other, tom) == []
        assert s.get_one(ReplyDraft, draft.draft_id).status is DraftStatus.PENDING
    assert mark_mentions_read(db, other, tom) == 0


# Pages -----------------------------------------------------------------------------------------


def test_the_pages_end_to_end_and_scoped_to_the_workspace(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    person(db, "Acme", "sam@acme.example", "Sam Okafor", role="supervisor")
    f.workspace(db, "Other")
    person(db, "Other", "mal@other.example", "Mallory", role="admin")

    sam = Browser(db)
    sam.login("sam@acme.example")
    refused = sam.submit(
        "/settings/macros", "/settings/macros", {"name": "Bad", "shortcut": "bad", "body": "{{x}}"}
    )
    assert refused.status_code == 422
    assert "unknown variable {{x}}" in refused.text
    long_body = "Dear {{customer.name}}, " + "a" * 300
    made = sam.submit(
        "/settings/macros", "/settings/macros", {"name": "Long", "shortcut": "long", "body": long_body}
    )
    assert made.status_code == 303
    made = sam.submit(
        "/settings/macros",
        "/settings/macros",
        {"name": "Hi", "shortcut": "hi", "body": "Hi {{customer.first_name}}!"},
    )
    listing = sam.get("/settings/macros").text
    assert "too long for X / Twitter" in listing
    page = sam.get(f"/cases/{case_id}").text
    assert "Hi cust1!" in page  # filled in for this case's customer
    assert "too long for X / Twitter: " in page
    assert '"handle": "tom"' in page  # the note form's autocomplete knows the workspace's agents

    tom = Browser(db)
    tom.login("tom@acme.example")
    assert "Submit for approval" in tom.get(f"/cases/{case_id}").text
    sent = tom.submit(
        f"/cases/{case_id}", f"/cases/{case_id}/reply", {"text": "@cust1 sorry!", "idempotency_key": "t1"}
    )
    assert sent.status_code == 303
    assert "#draft-" in sent.headers["location"]
    assert "awaiting approval" in tom.get(f"/cases/{case_id}").text
    assert outbound(db, ws) == []
    noted = tom.submit(f"/cases/{case_id}", f"/cases/{case_id}/notes", {"body": "@sam please check my draft"})
    assert noted.status_code == 303
    assert 'id="mentions-count" title="unread mentions">1<' in sam.get("/inbox").text
    assert "please check my draft" in sam.get("/mentions").text
    assert "You are mentioned in 1 note here." in sam.get(f"/cases/{case_id}").text
    read = sam.submit(f"/cases/{case_id}", "/mentions/read", {"case_id": str(case_id)})
    assert read.status_code == 303
    assert 'id="mentions-count"' not in sam.get("/inbox").text
    queue = sam.get("/approvals").text
    assert "@cust1 sorry!" in queue
    assert "Tom Reyes" in queue
    with db.read() as s:
        (draft,) = pending_drafts(s, ws)
    assert tom.submit("/approvals", f"/approvals/{draft.id}/approve", {}).status_code == 403
    assert tom.submit("/approvals", f"/approvals/{draft.id}/reject", {"comment": "x"}).status_code == 403
    made_by_trainee = tom.submit(
        "/settings/macros", "/settings/macros", {"name": "T", "shortcut": "t", "body": "Hi"}
    )
    assert made_by_trainee.status_code == 403
    assert "My reply drafts" in tom.get("/approvals").text
    assert sam.submit("/approvals", "/approvals/999999/approve", {}).status_code == 404
    empty_note = sam.submit(f"/cases/{case_id}", f"/cases/{case_id}/notes", {"body": "  "})
    assert empty_note.status_code == 422
    assert "The note was not saved: the note is empty." in empty_note.text
    assert 'id="note-form"' in empty_note.text  # the case page again, not a bare error page
    too_long = "@sam " + "x" * 6000
    long_note = sam.submit(f"/cases/{case_id}", f"/cases/{case_id}/notes", {"body": too_long})
    assert long_note.status_code == 422
    assert "at most 5000 characters" in long_note.text
    assert too_long in long_note.text  # what the agent typed is kept to shorten, not lost

    mal = Browser(db)
    mal.login("mal@other.example")
    assert mal.get(f"/cases/{case_id}").status_code == 404
    assert mal.submit("/approvals", f"/approvals/{draft.id}/approve", {}).status_code == 404
    assert mal.submit("/approvals", f"/approvals/{draft.id}/reject", {"comment": "no"}).status_code == 404
    assert mal.submit("/inbox", f"/cases/{case_id}/notes", {"body": "@sam hi"}).status_code == 404
    with db.read() as s:
        (macro_id,) = [m.id for m in list_macros(s, ws) if m.shortcut == "hi"]
    assert mal.get(f"/settings/macros/{macro_id}").status_code == 404
    assert mal.submit("/settings/macros", f"/settings/macros/{macro_id}/delete", {}).status_code == 404
    assert "Hi {{customer.first_name}}" not in mal.get("/settings/macros").text
    assert "@cust1 sorry!" not in mal.get("/approvals").text

    done = sam.submit(f"/cases/{case_id}", f"/approvals/{draft.id}/approve", {"case_id": str(case_id)})
    assert done.status_code == 303
    assert f"/cases/{case_id}#post-" in done.headers["location"]
    (post,) = outbound(db, ws)
    assert post.delivery_status is DeliveryStatus.QUEUED
    assert "approved by Sam Okafor" in tom.get(f"/cases/{case_id}").text
    again = sam.submit(f"/cases/{case_id}", f"/approvals/{draft.id}/approve", {"case_id": str(case_id)})
    assert again.status_code == 422
    assert "already approved" in again.text


def test_an_admin_puts_agents_in_training_and_makes_supervisors(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    person(db, "Acme", "ada@acme.example", "Ada Admin", role="admin")
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    ann = person(db, "Acme", "ann@acme.example", "Ann Agent")
    f.workspace(db, "Other")
    person(db, "Other", "mal@other.example", "Mallory", role="admin")

    ada = Browser(db)
    ada.login("ada@acme.example")
    roster = ada.get("/approvals").text
    assert "Supervisors and trainees" in roster
    assert f'id="agent-{tom}"' in roster
    done = ada.submit("/approvals", f"/approvals/agents/{tom}", {"role": "agent"})  # training ends
    assert done.status_code == 303
    assert isinstance(submit_reply(db, ws, case_id, tom, "@cust1 hi from Tom"), ReplyRecorded)
    ada.submit("/approvals", f"/approvals/agents/{ann}", {"role": "supervisor", "trainee": "on"})
    assert isinstance(submit_reply(db, ws, case_id, ann, "@cust1 hi from Ann"), DraftSubmitted)
    bad_role = ada.submit("/approvals", f"/approvals/agents/{ann}", {"role": "admin"})
    assert bad_role.status_code == 422
    assert "role must be agent or supervisor" in bad_role.text

    annb = Browser(db)
    annb.login("ann@acme.example")
    assert annb.submit("/approvals", f"/approvals/agents/{tom}", {"role": "supervisor"}).status_code == 403
    mal = Browser(db)
    mal.login("mal@other.example")
    assert mal.submit("/approvals", f"/approvals/agents/{tom}", {"role": "supervisor"}).status_code == 404
    assert "Tom Reyes" not in mal.get("/approvals").text


def _api(db: Database, email: str) -> TestClient:
    client = make_client(db)
    with db.write() as session:
        agent = session.scalars(select(Agent).where(Agent.email == email)).one()
        client.headers["authorization"] = (
            f"Bearer {create_api_token(session, SECRET.encode(), agent, 'tests')}"
        )
    return client


def test_the_api_offers_the_same_tools_scoped_to_the_workspace(db: Database) -> None:
    ws = f.workspace(db)
    case_id = a_case(db, ws)
    tom = person(db, "Acme", "tom@acme.example", "Tom Reyes", trainee=True)
    sam = person(db, "Acme", "sam@acme.example", "Sam Okafor", role="supervisor")
    create_macro(db, ws, sam, MacroIn("Hi", "hi", "Hi {{customer.first_name}}, {{agent.first_name}} here"))
    f.workspace(db, "Other")
    person(db, "Other", "mal@other.example", "Mallory", role="admin")
    as_tom, as_sam, as_mal = (
        _api(db, e) for e in ("tom@acme.example", "sam@acme.example", "mal@other.example")
    )

    (choice,) = as_tom.get(f"/api/v1/cases/{case_id}/macros").json()
    assert choice["text"] == "Hi cust1, Tom here"
    assert choice["limit"] == 280
    assert choice["problem"] is None
    refused = as_tom.post(f"/api/v1/cases/{case_id}/replies", json={"text": "@cust1 hi"})
    assert refused.status_code == 422
    assert "supervisor approves" in refused.json()["detail"]
    made = as_tom.post(
        f"/api/v1/cases/{case_id}/drafts", json={"text": "@cust1 hi"}, headers={"idempotency-key": "a"}
    )
    assert made.status_code == 201
    again = as_tom.post(
        f"/api/v1/cases/{case_id}/drafts", json={"text": "@cust1 hi"}, headers={"idempotency-key": "a"}
    )
    assert again.status_code == 200
    assert again.json() == {"id": made.json()["id"], "created": False}
    draft_id = made.json()["id"]
    assert [d["id"] for d in as_sam.get("/api/v1/drafts").json()] == [draft_id]
    assert as_tom.post(f"/api/v1/drafts/{draft_id}/approve", json={}).status_code == 403
    assert as_mal.post(f"/api/v1/drafts/{draft_id}/approve", json={}).status_code == 404
    assert as_mal.post(f"/api/v1/drafts/{draft_id}/reject", json={"comment": "no"}).status_code == 404
    assert as_mal.get("/api/v1/drafts").json() == []
    assert as_mal.get(f"/api/v1/cases/{case_id}/macros").status_code == 404
    assert as_mal.get("/api/v1/macros").json() == []
    assert as_mal.post(f"/api/v1/cases/{case_id}/notes", json={"body": "@sam"}).status_code == 404
    approved = as_sam.post(f"/api/v1/drafts/{draft_id}/approve", json={"text": "@cust1 Hello!"})
    assert approved.status_code == 200
    (post,) = outbound(db, ws)
    assert (post.id, post.text, post.agent_id) == (approved.json()["post_id"], "@cust1 Hello!", tom)
    assert as_sam.post(f"/api/v1/drafts/{draft_id}/approve", json={}).status_code == 422

    note = as_tom.post(f"/api/v1/cases/{case_id}/notes", json={"body": "thanks @sam!"})
    assert note.status_code == 201
    assert note.json()["mentioned"] == [sam]
    (mention,) = as_sam.get("/api/v1/mentions").json()
    assert mention["body"] == "thanks @sam!"
    assert as_mal.get("/api/v1/mentions").json() == []
    assert as_tom.post(f"/api/v1/cases/{case_id}/notes", json={"body": ""}).status_code == 422


def test_the_macro_form_saves_every_field_and_keeps_what_was_typed_on_an_error(db: Database) -> None:
    ws = f.workspace(db, teams=(("Billing", "en"),))
    person(db, "Acme", "sam@acme.example", "Sam Okafor", role="supervisor")
    with db.read() as s:
        billing = next(t.id for t in team_options(s, ws) if t.label == "Billing")
    sam = Browser(db)
    sam.login("sam@acme.example")
    fields = {"name": "Refund", "shortcut": "refund", "body": "Refunded, {{customer.first_name}}."}
    made = sam.submit(
        "/settings/macros",
        "/settings/macros",
        {**fields, "team_id": str(billing), "resolves_case": "on", "tag": "refund"},
    )
    assert made.status_code == 303
    with db.read() as s:
        (macro,) = list_macros(s, ws)
    assert (macro.team_id, macro.resolves_case, macro.tag) == (billing, True, "refund")

    # An edit with a team that is not a number is refused, and the page shows what was typed.
    typed = {**fields, "name": "Refund (edited)", "team_id": "billing", "tag": "money"}
    refused = sam.submit(f"/settings/macros/{macro.id}", f"/settings/macros/{macro.id}", typed)
    assert refused.status_code == 422
    assert "choose a team from the list" in refused.text
    assert 'value="Refund (edited)"' in refused.text
    edited = sam.submit(
        f"/settings/macros/{macro.id}", f"/settings/macros/{macro.id}", {**typed, "team_id": ""}
    )
    assert edited.status_code == 303
    assert edited.headers["location"] == "/settings/macros?done=updated"
    with db.read() as s:
        (macro,) = list_macros(s, ws)
    assert (macro.name, macro.team_id, macro.resolves_case, macro.tag) == (
        "Refund (edited)",
        None,
        False,
        "money",
    )
    too_long = sam.submit("/settings/macros", "/settings/macros", {**fields, "name": "x" * 201})
    assert too_long.status_code == 422
    with db.read() as s:
        assert len(list_macros(s, ws)) == 1
