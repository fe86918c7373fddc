"""The JSON API with token auth: the same operations as the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.accounts.agents import create_api_token
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Post
from tests import factories as f
from tests.web_client import SECRET, make_client


def token_for(db: Database, email: str) -> str:
    with db.write() as s:
        agent = s.scalars(select(Agent).where(Agent.email == email)).one()
        return create_api_token(s, SECRET.encode(), agent, "tests")


def api(db: Database, email: str = "ana@acme.example") -> TestClient:
    client = make_client(db)
    client.headers["authorization"] = f"Bearer {token_for(db, email)}"
    return client


def seeded(db: Database) -> int:
    ws = f.workspace(db)
    f.agent(db, "Acme", "ana@acme.example")
    f.ingest(
        db, ws, f.post("1", minutes=0), f.reply("2", to="1", minutes=3), f.post("9", author="c9", minutes=7)
    )
    with db.read() as s:
        return s.scalars(
            select(Case.id)
            .join(Post, Post.conversation_id == Case.conversation_id)
            .where(Post.external_id == "9")
        ).one()


def test_calls_without_a_valid_token_are_refused(db: Database) -> None:
    seeded(db)
    client = make_client(db)
    assert client.get("/api/v1/cases").status_code == 401
    response = client.get("/api/v1/cases", headers={"authorization": "Bearer sd_not-a-token"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_list_read_reply_and_resolve_over_the_api(db: Database) -> None:
    case_id = seeded(db)
    client = api(db)
    assert client.get("/api/v1/me").json()["email"] == "ana@acme.example"
    listing = client.get("/api/v1/cases").json()
    assert [item["status"] for item in listing["items"]] == ["new", "pending"]
    assert listing["items"][0]["case_id"] == case_id
    assert listing["next_page"] is None
    page1 = client.get("/api/v1/cases", params={"limit": 1}).json()
    assert page1["next_page"] == 2
    page2 = client.get("/api/v1/cases", params={"limit": 1, "page": 2}).json()
    assert [i["case_id"] for i in page1["items"] + page2["items"]] == [i["case_id"] for i in listing["items"]]

    case = client.get(f"/api/v1/cases/{case_id}").json()
    assert [p["external_id"] for p in case["posts"]] == ["9"]
    assert case["customer"]["identities"] == [{"network": "x", "handle": "c9", "name": None}]

    headers = {"idempotency-key": "retry-safe-1"}
    first = client.post(f"/api/v1/cases/{case_id}/replies", json={"text": "@c9 On it!"}, headers=headers)
    assert first.status_code == 201
    assert first.json()["delivery_status"] == "queued"
    replay = client.post(f"/api/v1/cases/{case_id}/replies", json={"text": "@c9 On it!"}, headers=headers)
    assert replay.status_code == 200
    assert replay.json()["id"] == first.json()["id"]
    assert client.get(f"/api/v1/cases/{case_id}").json()["status"] == "pending"

    resolved = client.post(f"/api/v1/cases/{case_id}/status", json={"status": "resolved"})
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_at"] is not None


def test_bad_requests_get_clear_errors(db: Database) -> None:
    case_id = seeded(db)
    client = api(db)
    assert client.post(f"/api/v1/cases/{case_id}/replies", json={"text": ""}).status_code == 422
    assert client.post(f"/api/v1/cases/{case_id}/replies", content=b"{not json").status_code == 422
    too_long = client.post(f"/api/v1/cases/{case_id}/replies", json={"text": "y" * 300})
    assert too_long.status_code == 422
    assert "allows 280 characters" in too_long.json()["detail"]
    assert client.post(f"/api/v1/cases/{case_id}/status", json={"status": "new"}).status_code == 422
    assert client.get("/api/v1/cases", params={"status": "everything"}).status_code == 422
    assert client.get("/api/v1/cases", params={"page": 0}).status_code == 422
    assert client.get("/api/v1/cases", params={"sort": "loudest"}).status_code == 422
    assert client.get("/api/v1/cases", params={"sentiment": "angry"}).status_code == 422
    assert client.get("/api/v1/cases/999999").status_code == 404


def test_the_openapi_description_is_served_to_token_holders(db: Database) -> None:
    seeded(db)
    schema = api(db).get("/openapi.json").json()
    assert "/api/v1/cases/{case_id}/replies" in schema["paths"]
