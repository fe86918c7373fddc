"""Saved views and bulk actions, on the pages and the API (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus, Priority
from socialdesk.pipeline.bulk import BulkChange, BulkRefused, apply_bulk
from socialdesk.pipeline.saved_views import ViewChange, create_view, delete_view, update_view
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Post, SavedView, Team
from socialdesk.store.repos.saved_views import list_views
from tests import factories as f
from tests.integration.test_api import api
from tests.integration.test_web_pages import case_ids_in
from tests.web_client import Browser


def ids(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {a.email.split("@")[0]: a.id for a in s.scalars(select(Agent))}


def case_of(db: Database, external_id: str) -> int:
    with db.read() as s:
        conversation = s.scalars(select(Post.conversation_id).where(Post.external_id == external_id)).one()
        return s.scalars(select(Case.id).where(Case.conversation_id == conversation)).one()


@pytest.fixture
def acme(db: Database) -> tuple[int, int]:
    """Acme (agents ana, bob, and admin ada) with three cases; Globex (gus) with one."""
    ws = f.workspace(db, "Acme")
    for email in ("ana@acme.example", "bob@acme.example"):
        f.agent(db, "Acme", email)
    f.agent(db, "Acme", "ada@acme.example")
    with db.write() as s:
        s.scalars(select(Agent).where(Agent.email == "ada@acme.example")).one().role = "admin"
    f.ingest(
        db,
        ws,
        f.post("1", text="@AcmeHelp my refund never came", author="c1", minutes=0),
        f.post("2", text="@AcmeHelp where is my parcel", author="c2", minutes=5),
        f.post("3", text="@AcmeHelp refund again please", author="c3", minutes=10),
    )
    globex = f.workspace(db, "Globex")
    f.agent(db, "Globex", "gus@globex.example")
    f.ingest(db, globex, f.post("9", text="@GlobexCare refund secret", channel="GlobexCare"))
    return ws, globex


def test_views_are_saved_renamed_shared_and_deleted(db: Database, acme: tuple[int, int]) -> None:
    ws, _ = acme
    agents = ids(db)
    view = create_view(db, ws, agents["ana"], "  Refunds  ", {"q": "refund"}, "oldest")
    with db.read() as s:
        [mine] = list_views(s, ws, agents["ana"])
        assert (mine.name, mine.filters, mine.sort, mine.shared, mine.mine) == (
            "Refunds",
            {"q": "refund"},
            "oldest",
            False,
            True,
        )
        assert mine.query == f"q=refund&sort=oldest&view={view}"
        assert list_views(s, ws, agents["bob"]) == []  # personal until shared
    with pytest.raises(InvalidAction, match="already have a view"):
        create_view(db, ws, agents["ana"], "Refunds", {}, "newest")
    with pytest.raises(InvalidAction, match="sort must be one of"):
        create_view(db, ws, agents["ana"], "Odd", {}, "sideways")
    with pytest.raises(InvalidAction, match="needs a name"):
        create_view(db, ws, agents["ana"], "   ", {}, "newest")
    with pytest.raises(NotFound):  # bob cannot even see it
        update_view(db, ws, agents["bob"], view, ViewChange(name="Mine now"))
    update_view(db, ws, agents["ana"], view, ViewChange(name="Refund chasers", shared=True))
    with db.read() as s:
        [seen] = list_views(s, ws, agents["bob"])
        assert (seen.name, seen.owner_name, seen.mine) == ("Refund chasers", "Ana", False)
    with pytest.raises(InvalidAction, match="only its owner or an admin"):
        delete_view(db, ws, agents["bob"], view)
    update_view(db, ws, agents["ada"], view, ViewChange(name="Refunds (all)"))  # an admin may
    delete_view(db, ws, agents["ana"], view)
    with db.read() as s:
        assert s.scalars(select(SavedView)).all() == []


def test_saving_and_applying_a_view_on_the_inbox_page(db: Database, acme: tuple[int, int]) -> None:
    browser = Browser(db)
    browser.login("ana@acme.example")
    saved = browser.submit(
        "/inbox?q=refund",
        "/inbox/views",
        {
            "name": "Refunds",
            "q": "refund",
            "status": "unresolved",
            "sort": "oldest",
            "back": "/inbox?q=refund",
        },
    )
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert location.startswith("/inbox?q=refund&sort=oldest&view=")
    page = browser.get(location).text
    assert case_ids_in(page) == [case_of(db, "1"), case_of(db, "3")]
    assert 'class="view active"' in page
    assert "Refunds" in page
    bad = browser.submit("/inbox", "/inbox/views", {"name": "Broken", "status": "sideways"})
    assert bad.status_code == 422
    assert "status must be one of" in bad.text
    empty_name = browser.submit("/inbox", "/inbox/views", {"name": " ", "q": "x"})
    assert empty_name.status_code == 422
    assert "a view needs a name" in empty_name.text
    view_id = int(location.rsplit("=", 1)[1])
    renamed = browser.submit("/inbox", f"/inbox/views/{view_id}", {"name": "Money back", "shared": "on"})
    assert renamed.status_code == 303
    assert "Money back" in browser.get("/inbox").text
    assert browser.submit("/inbox", f"/inbox/views/{view_id}/delete", {}).status_code == 303
    assert "Money back" not in browser.get("/inbox").text


def test_views_over_the_api(db: Database, acme: tuple[int, int]) -> None:
    client = api(db)
    created = client.post(
        "/api/v1/views", json={"name": "Urgent", "filters": {"priority": "urgent"}, "shared": True}
    )
    assert created.status_code == 201, created.text
    view = created.json()
    assert view["inbox_query"] == f"priority=urgent&view={view['id']}"
    assert client.post("/api/v1/views", json={"name": "X", "filters": {"colour": "red"}}).status_code == 422
    assert (
        client.post("/api/v1/views", json={"name": "X", "filters": {"priority": "asap"}}).status_code == 422
    )
    patched = client.patch(f"/api/v1/views/{view['id']}", json={"name": "Urgent ones", "sort": "due"})
    assert patched.json()["name"] == "Urgent ones"
    assert patched.json()["sort"] == "due"
    assert [v["name"] for v in api(db, "bob@acme.example").get("/api/v1/views").json()] == ["Urgent ones"]
    assert client.delete(f"/api/v1/views/{view['id']}").status_code == 204
    assert client.get(f"/api/v1/views/{view['id']}").status_code == 404


def test_another_workspace_cannot_see_or_change_views(db: Database, acme: tuple[int, int]) -> None:
    ws, globex = acme
    agents = ids(db)
    view = create_view(db, ws, agents["ana"], "Shared refunds", {"q": "refund"}, shared=True)
    gus = api(db, "gus@globex.example")
    assert gus.get("/api/v1/views").json() == []
    assert gus.get(f"/api/v1/views/{view}").status_code == 404
    assert gus.patch(f"/api/v1/views/{view}", json={"name": "pwned"}).status_code == 404
    assert gus.delete(f"/api/v1/views/{view}").status_code == 404
    with pytest.raises(NotFound):
        update_view(db, globex, agents["gus"], view, ViewChange(name="pwned"))
    with pytest.raises(NotFound):  # an agent id of another workspace does not act in this one
        create_view(db, globex, agents["ana"], "sneaky", {})
    browser = Browser(db)
    browser.login("gus@globex.example")
    assert "Shared refunds" not in browser.get("/inbox").text
    assert browser.submit("/inbox", f"/inbox/views/{view}/delete", {}).status_code == 404
    # Ana's view applied by Gus's URL shows Globex's cases only: filters never widen the workspace.
    assert case_ids_in(browser.get(f"/inbox?q=refund&view={view}").text) == [case_of(db, "9")]
    with db.read() as s:
        assert s.get_one(SavedView, view).name == "Shared refunds"


def test_bulk_changes_every_selected_case_in_one_transaction(db: Database, acme: tuple[int, int]) -> None:
    ws, _ = acme
    agents = ids(db)
    one, two, three = case_of(db, "1"), case_of(db, "2"), case_of(db, "3")
    with db.read() as s:
        team = s.scalars(select(Team.id).where(Team.workspace_id == ws)).one()
    change = BulkChange(assignee_id=agents["bob"], tag="refund", priority=Priority.HIGH, team_id=team)
    assert apply_bulk(db, ws, agents["ana"], [one, three], change) == 2
    with db.read() as s:
        for case_id in (one, three):
            case = s.get_one(Case, case_id)
            assert (case.assignee_id, case.priority, case.team_id) == (agents["bob"], Priority.HIGH, team)
            assert [t.name for t in case.tags] == ["refund"]
        assert s.get_one(Case, two).assignee_id is None
    # One bad row (another workspace's case) and nothing at all changes, with the reason per row.
    theirs = case_of(db, "9")
    with pytest.raises(BulkRefused) as refused:
        apply_bulk(db, ws, agents["ana"], [two, theirs, one], BulkChange(status=CaseStatus.RESOLVED))
    assert [(p.case_id, p.reason) for p in refused.value.problems] == [
        (theirs, "no such case in this workspace")
    ]
    with db.read() as s:
        assert {s.get_one(Case, i).status for i in (one, two, theirs)} == {CaseStatus.NEW}
    with pytest.raises(InvalidAction, match="no active agent"):
        apply_bulk(db, ws, agents["ana"], [one], BulkChange(assignee_id=agents["gus"]))
    with pytest.raises(InvalidAction, match="choose a change"):
        apply_bulk(db, ws, agents["ana"], [one], BulkChange())
    apply_bulk(db, ws, agents["ana"], [one, two], BulkChange(status=CaseStatus.RESOLVED, unassign=True))
    with db.read() as s:
        assert {s.get_one(Case, i).status for i in (one, two)} == {CaseStatus.RESOLVED}
        assert s.get_one(Case, one).assignee_id is None


def test_bulk_from_the_inbox_page_and_the_api(db: Database, acme: tuple[int, int]) -> None:
    one, two, theirs = case_of(db, "1"), case_of(db, "2"), case_of(db, "9")
    browser = Browser(db)
    browser.login("ana@acme.example")
    page = browser.get("/inbox").text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = [("csrf_token", csrf), ("case_id", str(one)), ("case_id", str(two)), ("status", "resolved")]
    done = browser.client.post(
        "/inbox/bulk",
        content="&".join(f"{k}={v}" for k, v in [*form, ("back", "/inbox%3Fsort%3Doldest")]),
        headers={"content-type": "application/x-www-form-urlencoded", "origin": "https://testserver"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/inbox?sort=oldest"
    assert case_ids_in(browser.get("/inbox").text) == [case_of(db, "3")]
    no_token = browser.client.post(
        "/inbox/bulk", data={"case_id": str(one), "status": "open"}, follow_redirects=False
    )
    assert no_token.status_code == 403
    refused = browser.submit("/inbox", "/inbox/bulk", {"case_id": str(theirs), "status": "resolved"})
    assert refused.status_code == 422
    assert f"#{theirs}: no such case in this workspace" in refused.text
    offsite = browser.submit(
        "/inbox", "/inbox/bulk", {"case_id": str(one), "status": "open", "back": "https://evil.example/"}
    )
    assert offsite.headers["location"] == "/inbox"
    client = api(db)
    reply = client.post("/api/v1/cases/bulk", json={"case_ids": [one, theirs], "tag": "vip"})
    assert reply.status_code == 422
    assert reply.json()["detail"]["problems"] == [
        {"case_id": theirs, "reason": "no such case in this workspace"}
    ]
    ok = client.post("/api/v1/cases/bulk", json={"case_ids": [one], "tag": "vip", "priority": "urgent"})
    assert ok.json() == {"changed": 1}
    listed = client.get("/api/v1/cases", params={"status": "all", "tag": "vip", "priority": "urgent"}).json()
    assert [i["case_id"] for i in listed["items"]] == [one]
    with db.read() as s:
        assert s.get_one(Case, theirs).status is CaseStatus.NEW


def test_views_bulk_and_merge_need_a_signed_in_agent(db: Database, acme: tuple[int, int]) -> None:
    one = case_of(db, "1")
    anonymous = Browser(db)
    assert anonymous.get("/inbox").status_code == 303
    for action, data in (
        ("/inbox/views", {"name": "x"}),
        ("/inbox/bulk", {"case_id": str(one), "status": "resolved"}),
        (f"/cases/{one}/merge", {"source": "2"}),
    ):
        response = anonymous.submit("/login", action, data)
        assert response.status_code == 303, action
        assert response.headers["location"].startswith("/login"), action
    client = api(db)
    del client.headers["authorization"]
    assert client.get("/api/v1/views").status_code == 401
    assert client.post("/api/v1/cases/bulk", json={"case_ids": [one], "tag": "x"}).status_code == 401
    assert client.post(f"/api/v1/cases/{one}/merge", json={"source_case_id": one}).status_code == 401
    with db.read() as s:
        assert s.get_one(Case, one).status is CaseStatus.NEW
        assert s.scalars(select(SavedView)).all() == []
