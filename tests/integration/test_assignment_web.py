"""Settings → Teams and SLA, the presence toggle, the case page's assignment panel, the inbox's Mine /
Unassigned views and SLA badges, and the JSON API; none of it reaches another workspace."""

from __future__ import annotations

import re

from sqlalchemy import select

from socialdesk.core.clock import utcnow
from socialdesk.pipeline.assignment import set_presence
from socialdesk.pipeline.team_settings import PolicyInput, save_policies
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, Note, ServiceLevelPolicy, Team
from tests import factories as f
from tests.integration.test_api import api
from tests.integration.test_assignment import support
from tests.integration.test_channel_settings import admin_browser
from tests.integration.test_web_pages import case_id_of, case_ids_in
from tests.web_client import Browser


def two_brands(db: Database) -> tuple[int, int]:
    """Acme (lead, the admin; ana, an agent) and Globex (gus); one new case each."""
    acme, globex = f.workspace(db, "Acme"), f.workspace(db, "Globex")
    f.agent(db, "Acme", "ana@acme.example")
    f.agent(db, "Globex", "gus@globex.example")
    f.ingest(db, acme, f.post("1", text="@AcmeHelp where is my parcel"))
    f.ingest(db, globex, f.post("2", text="@GlobexCare secret question", channel="GlobexCare"))
    return acme, globex


def agent_id(db: Database, email: str) -> int:
    with db.read() as s:
        return s.scalars(select(Agent.id).where(Agent.email == email)).one()


def test_an_admin_sets_a_teams_skills_mode_hours_and_holidays(db: Database) -> None:
    acme, _ = two_brands(db)
    browser = admin_browser(db)
    team = support(db, acme)
    page = browser.get("/settings/teams")
    assert page.status_code == 200
    assert "ana@acme.example" in page.text
    saved = browser.submit(
        "/settings/teams",
        f"/settings/teams/{team}",
        {
            "languages": "en, ES",
            "regions": "gb ie",
            "products": "baggage, refunds",
            "assignment_mode": "round_robin",
            "time_zone": "Europe/Dublin",
            "hours": "mon 09:00-17:00\nfri 09:00-13:00",
            "holidays": "2026-12-25 Christmas\n2026-12-26",
        },
    )
    assert saved.status_code == 303
    with db.read() as s:
        row = s.get_one(Team, team)
        assert (row.languages, row.regions, row.products) == ("en es", "GB IE", "baggage, refunds")
        assert row.assignment_mode == "round_robin"
        assert row.business_hours == {"mon": [["09:00", "17:00"]], "fri": [["09:00", "13:00"]]}
    page = browser.get("/settings/teams?done=team")
    assert "Team saved." in page.text
    assert "2026-12-25 Christmas" in page.text
    assert "fri 09:00-13:00" in page.text

    refused = browser.submit(
        "/settings/teams", f"/settings/teams/{team}", {"time_zone": "Nowhere/Atlantis", "hours": ""}
    )
    assert refused.status_code == 422
    assert "not an IANA time zone" in refused.text
    refused = browser.submit("/settings/teams", f"/settings/teams/{team}", {"hours": "mon 9-5"})
    assert refused.status_code == 422
    assert "09:00" in refused.text


def test_an_admin_sets_capacity_and_sla_policies(db: Database) -> None:
    acme, _ = two_brands(db)
    browser = admin_browser(db)
    ana = agent_id(db, "ana@acme.example")
    assert (
        browser.submit(
            "/settings/teams", f"/settings/agents/{ana}/capacity", {"max_open_cases": "4"}
        ).status_code
        == 303
    )
    refused = browser.submit(
        "/settings/teams", f"/settings/agents/{ana}/capacity", {"max_open_cases": "lots"}
    )
    assert refused.status_code == 422
    assert "whole number" in refused.text
    form = {
        "urgent.first_response": "10",
        "urgent.next_response": "10",
        "urgent.resolution": "120",
        "urgent.business_hours": "on",
        "normal.first_response": "45",
        "normal.next_response": "30",
        "normal.resolution": "600",
    }
    assert browser.submit("/settings/sla", "/settings/sla", form).status_code == 303
    with db.read() as s:
        assert s.get_one(Agent, ana).max_open_cases == 4
        policies = {
            p.priority.value: (p.first_response_minutes, p.business_hours)
            for p in s.scalars(select(ServiceLevelPolicy).where(ServiceLevelPolicy.workspace_id == acme))
        }
        case = s.scalars(select(Case).where(Case.workspace_id == acme)).one()
        assert case.first_response_due_at is not None
        assert (case.first_response_due_at - case.opened_at).total_seconds() == 45 * 60  # re-clocked
    assert policies == {"urgent": (10, True), "normal": (45, False)}
    refused = browser.submit("/settings/sla", "/settings/sla", {**form, "normal.resolution": "5"})
    assert refused.status_code == 422
    assert "before the first response" in refused.text


def test_agents_who_are_not_admins_cannot_change_settings(db: Database) -> None:
    acme, _ = two_brands(db)
    browser = Browser(db)
    browser.login("ana@acme.example")
    assert browser.get("/settings/teams").status_code == 403
    assert browser.get("/settings/sla").status_code == 403
    inbox = "/inbox"
    assert (
        browser.submit(
            inbox, f"/settings/teams/{support(db, acme)}", {"assignment_mode": "least_load"}
        ).status_code
        == 403
    )
    client = api(db, "ana@acme.example")
    assert client.put("/api/v1/sla/policies", json=[]).status_code == 403


def test_the_header_toggle_sets_presence_and_the_case_page_claims_and_reassigns(db: Database) -> None:
    _acme, _ = two_brands(db)
    f.agent(db, "Acme", "bob@acme.example")
    case = case_id_of(db, "1")
    browser = Browser(db)
    browser.login("ana@acme.example")
    page = browser.get("/inbox")
    assert "○ Offline" in page.text
    moved = browser.submit("/inbox", "/presence", {"presence": "online", "next": "/inbox?assignee=none"})
    assert moved.headers["location"] == "/inbox?assignee=none"
    assert "● Online" in browser.get("/inbox").text
    assert (
        browser.submit(
            "/inbox", "/presence", {"presence": "online", "next": "https://evil.example/"}
        ).headers["location"]
        == "/inbox"
    )
    assert browser.submit("/inbox", "/presence", {"presence": "asleep"}).status_code == 422

    page = browser.get(f"/cases/{case}")
    assert 'id="assignment"' in page.text
    assert "Unassigned" in page.text
    assert case_ids_in(browser.get("/inbox?assignee=none").text) == [case]
    assert browser.submit(f"/cases/{case}", f"/cases/{case}/claim", {}).status_code == 303
    page = browser.get(f"/cases/{case}")
    assert re.search(r"Assigned to <strong>Ana</strong>", page.text)
    assert case_ids_in(browser.get("/inbox?assignee=me").text) == [case]
    assert case_ids_in(browser.get("/inbox?assignee=none").text) == []
    assert "→ Ana" in browser.get("/inbox").text

    bob = agent_id(db, "bob@acme.example")
    done = browser.submit(
        f"/cases/{case}", f"/cases/{case}/assign", {"assignee": str(bob), "note": "VIP, yours"}
    )
    assert done.status_code == 303
    with db.read() as s:
        assert s.get_one(Case, case).assignee_id == bob
        assert s.scalars(select(Note.body).where(Note.case_id == case)).one() == (
            "Reassigned from Ana to Bob: VIP, yours"
        )
    taken = browser.submit(f"/cases/{case}", f"/cases/{case}/claim", {})
    assert taken.status_code == 409
    assert browser.submit(f"/cases/{case}", f"/cases/{case}/assign", {"assignee": "x"}).status_code == 422


def test_the_inbox_badges_due_times_at_risk_and_breached(db: Database) -> None:
    acme = f.workspace(db, "Acme")
    f.agent(db, "Acme", "ana@acme.example")
    save_policies(db, acme, [PolicyInput("normal", 60, 60, 24 * 60, business_hours=False)])
    now_minutes = (utcnow() - f.T0).total_seconds() / 60
    f.ingest(
        db,
        acme,
        f.post("late", author="c1", minutes=now_minutes - 90),  # due 30 min ago
        f.post("close", author="c2", minutes=now_minutes - 50),  # due in 10 min: within 15
        f.post("fine", author="c3", minutes=now_minutes - 5),  # due in 55 min
    )
    browser = Browser(db)
    browser.login("ana@acme.example")
    page = browser.get("/inbox")
    states = dict(re.findall(r'data-href="/cases/(\d+)".*?data-sla="(\w+)"', page.text, flags=re.DOTALL))
    assert states == {
        str(case_id_of(db, "late")): "breached",
        str(case_id_of(db, "close")): "risk",
        str(case_id_of(db, "fine")): "ok",
    }
    items = {i["case_id"]: i for i in api(db).get("/api/v1/cases").json()["items"]}
    assert items[case_id_of(db, "late")]["sla_state"] == "breached"
    assert items[case_id_of(db, "late")]["sla_target"] == "first_response"


def test_the_api_claims_reassigns_and_sets_presence_and_policies(db: Database) -> None:
    acme, _ = two_brands(db)
    case = case_id_of(db, "1")
    client = api(db, "ana@acme.example")
    assert client.get(f"/api/v1/cases/{case}/assignment").json()["assignee_id"] is None
    claimed = client.post(f"/api/v1/cases/{case}/claim")
    assert claimed.status_code == 200
    assert claimed.json()["assignee_name"] == "Ana"
    back = client.post(f"/api/v1/cases/{case}/assignment", json={"agent_id": None, "note": "not mine"})
    assert back.json()["assignee_id"] is None
    assert client.post(f"/api/v1/cases/{case}/assignment", json={"note": "x" * 3000}).status_code == 422
    assert client.put("/api/v1/me/presence", json={"presence": "online"}).json()["presence"] == "online"
    assert client.put("/api/v1/me/presence", json={"presence": "asleep"}).status_code == 422
    assert client.get("/api/v1/me").json()["presence"] == "online"
    teams = client.get("/api/v1/teams").json()
    assert [t["name"] for t in teams] == ["Support"]
    assert teams[0]["members"][0]["presence"] == "online"

    with db.write() as s:
        s.scalars(select(Agent).where(Agent.email == "ana@acme.example")).one().role = "admin"
    put = client.put(
        "/api/v1/sla/policies",
        json=[
            {
                "priority": "high",
                "first_response_minutes": 20,
                "next_response_minutes": 20,
                "resolution_minutes": 240,
            }
        ],
    )
    assert put.status_code == 200
    assert [p["first_response_minutes"] for p in put.json() if p["priority"] == "high"] == [20]
    bad = client.put(
        "/api/v1/sla/policies",
        json=[
            {
                "priority": "high",
                "first_response_minutes": 300,
                "next_response_minutes": 20,
                "resolution_minutes": 240,
            }
        ],
    )
    assert bad.status_code == 422
    team = support(db, acme)
    updated = client.put(
        f"/api/v1/teams/{team}", json={"assignment_mode": "least_load", "hours": "mon 08:00-16:00"}
    )
    assert updated.json()[0]["assignment_mode"] == "least_load"
    assert client.put(f"/api/v1/teams/{team}", json={"time_zone": "Moon/Base"}).status_code == 422
    assert client.get("/api/v1/sla/attainment").json()["first_response"]["recorded"] == 0


def test_another_workspaces_cases_teams_and_agents_are_out_of_reach(db: Database) -> None:
    _acme, globex = two_brands(db)
    theirs = case_id_of(db, "2")
    gus = agent_id(db, "gus@globex.example")
    their_team = support(db, globex)
    set_presence(db, globex, gus, "online")
    with db.write() as s:
        s.scalars(select(Agent).where(Agent.email == "ana@acme.example")).one().role = "admin"
    client = api(db, "ana@acme.example")
    assert client.get(f"/api/v1/cases/{theirs}/assignment").status_code == 404
    assert client.post(f"/api/v1/cases/{theirs}/claim").status_code == 404
    assert client.post(f"/api/v1/cases/{theirs}/assignment", json={"agent_id": None}).status_code == 404
    mine = case_id_of(db, "1")
    assert client.post(f"/api/v1/cases/{mine}/assignment", json={"agent_id": gus}).status_code == 404
    assert client.post(f"/api/v1/cases/{mine}/assignment", json={"team_id": their_team}).status_code == 404
    assert (
        client.put(f"/api/v1/teams/{their_team}", json={"assignment_mode": "least_load"}).status_code == 404
    )
    assert client.put(f"/api/v1/agents/{gus}/capacity", json={"max_open_cases": 0}).status_code == 404
    assert [t["name"] for t in client.get("/api/v1/teams").json()] == ["Support"]
    assert all(m["agent_id"] != gus for t in client.get("/api/v1/teams").json() for m in t["members"])

    browser = admin_browser(db)
    assert "gus@globex.example" not in browser.get("/settings/teams").text
    assert (
        browser.submit(
            "/settings/teams", f"/settings/teams/{their_team}", {"assignment_mode": "least_load"}
        ).status_code
        == 404
    )
    assert (
        browser.submit(
            "/settings/teams", f"/settings/agents/{gus}/capacity", {"max_open_cases": "0"}
        ).status_code
        == 404
    )
    assert browser.submit("/settings/teams", f"/cases/{theirs}/claim", {}).status_code == 404
    assert browser.submit("/settings/teams", f"/cases/{theirs}/assign", {"assignee": ""}).status_code == 404
    with db.read() as s:
        team = s.get_one(Team, their_team)
        assert team.assignment_mode == "manual"
        assert s.get_one(Agent, gus).max_open_cases == 10
        assert s.get_one(Case, theirs).assignee_id is None
