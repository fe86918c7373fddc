"""An agent of one workspace can neither read nor change another workspace's cases (API and pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from socialdesk.store.db import Database
from socialdesk.store.models import Case, Post, Team
from tests import factories as f
from tests.integration.test_api import api
from tests.integration.test_web_pages import case_ids_in
from tests.web_client import Browser


@pytest.fixture
def two_brands(db: Database) -> tuple[int, int, int]:
    """Acme's agent ana, Globex's case; returns (acme case, globex case, globex team)."""
    acme, globex = f.workspace(db, "Acme"), f.workspace(db, "Globex")
    f.agent(db, "Acme", "ana@acme.example")
    f.agent(db, "Globex", "gus@globex.example")
    f.ingest(db, acme, f.post("1", text="@AcmeHelp where is my parcel"))
    f.ingest(db, globex, f.post("2", text="@GlobexCare secret account question", channel="GlobexCare"))
    with db.read() as s:

        def case_of(external_id: str) -> int:
            conversation = s.scalars(
                select(Post.conversation_id).where(Post.external_id == external_id)
            ).one()
            return s.scalars(select(Case.id).where(Case.conversation_id == conversation)).one()

        team = s.scalars(select(Team.id).where(Team.workspace_id == globex)).one()
        return case_of("1"), case_of("2"), team


def test_the_api_hides_other_workspaces_cases(db: Database, two_brands: tuple[int, int, int]) -> None:
    mine, theirs, _ = two_brands
    client = api(db, "ana@acme.example")
    assert [i["case_id"] for i in client.get("/api/v1/cases", params={"status": "all"}).json()["items"]] == [
        mine
    ]
    assert client.get(f"/api/v1/cases/{theirs}").status_code == 404
    assert client.post(f"/api/v1/cases/{theirs}/replies", json={"text": "hi"}).status_code == 404
    assert client.post(f"/api/v1/cases/{theirs}/status", json={"status": "resolved"}).status_code == 404
    with db.read() as s:
        case = s.get_one(Case, theirs)
        assert case.status.value == "new"
        assert (
            s.scalar(
                select(Post.id).where(
                    Post.conversation_id == case.conversation_id, Post.agent_id.is_not(None)
                )
            )
            is None
        )


def test_the_pages_hide_other_workspaces_cases(db: Database, two_brands: tuple[int, int, int]) -> None:
    mine, theirs, their_team = two_brands
    browser = Browser(db)
    browser.login("ana@acme.example")
    inbox = browser.get("/inbox?status=all")
    assert case_ids_in(inbox.text) == [mine]
    assert "secret account question" not in inbox.text
    assert case_ids_in(browser.get(f"/inbox?team={their_team}").text) == []
    page = browser.get(f"/cases/{theirs}")
    assert page.status_code == 404
    assert "secret account question" not in page.text
    assert browser.submit(f"/cases/{mine}", f"/cases/{theirs}/reply", {"text": "hi"}).status_code == 404
    assert (
        browser.submit(f"/cases/{mine}", f"/cases/{theirs}/status", {"status": "resolved"}).status_code == 404
    )
    with db.read() as s:
        assert s.get_one(Case, theirs).status.value == "new"


def test_an_idempotency_key_cannot_reach_into_another_workspace(
    db: Database, two_brands: tuple[int, int, int]
) -> None:
    mine, theirs, _ = two_brands
    gus = api(db, "gus@globex.example")
    assert (
        gus.post(
            f"/api/v1/cases/{theirs}/replies", json={"text": "ok"}, headers={"idempotency-key": "k"}
        ).status_code
        == 201
    )
    ana = api(db, "ana@acme.example")
    response = ana.post(
        f"/api/v1/cases/{mine}/replies", json={"text": "hello"}, headers={"idempotency-key": "k"}
    )
    assert response.status_code == 201
    assert response.json()["text"] == "hello"
