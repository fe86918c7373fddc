"""Routing rules in the product, on SQLite and PostgreSQL: run on ingest and triage, once per post,
edited through the API and the settings pages, and never across workspaces."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from socialdesk.accounts.agents import create_agent
from socialdesk.core.clock import utcnow
from socialdesk.core.types import CaseStatus, DeliveryStatus, Direction, InboundPost, Priority
from socialdesk.pipeline import jobs
from socialdesk.pipeline.enrichment import HANDLERS
from socialdesk.pipeline.jobs import TRIAGE_POST
from socialdesk.pipeline.profiles import update_profile
from socialdesk.pipeline.routing_rules import create_rule
from socialdesk.pipeline.segments import create_segment
from socialdesk.pipeline.workspaces import ensure_workspace
from socialdesk.store.db import Database
from socialdesk.store.models import Case, ChannelAccount, Post, RoutingRule, RoutingRun, SlaAttainment, Team
from tests import factories as f
from tests.factories import PASSWORD
from tests.integration.test_api import api
from tests.web_client import Browser

REPO = Path(__file__).resolve().parents[2]
STRANDED = "@AcmeHelp stranded in Frankfurt after a missed connection, nobody at the desk. Terrible!!"
SPANISH = "@AcmeHelp hola, ¿cuántas maletas puedo facturar con la tarifa básica?"
THANKS = "@AcmeHelp thank you so much, the crew was wonderful"


def admin(db: Database, workspace: str, email: str) -> int:
    with db.write() as s:
        return create_agent(
            s, ensure_workspace(s, workspace), email, email.split("@")[0].title(), PASSWORD, "admin"
        ).id


def setup(db: Database) -> dict[str, int]:
    ws = f.workspace(db, "Acme", teams=(("Soporte", "es"), ("Urgent desk", "")))
    boss = admin(db, "Acme", "boss@acme.example")
    with db.read() as s:
        teams = {t.name: t.id for t in s.scalars(select(Team).where(Team.workspace_id == ws))}
    return {"ws": ws, "boss": boss, **teams}


STRANDED_RULE: dict[str, Any] = {
    "name": "Stranded",
    "conditions": [
        {"field": "text", "op": "contains_any", "value": ["stranded", "missed connection"]},
        {"field": "is_complaint", "op": "is", "value": True},
    ],
    "actions": [{"type": "escalate"}, {"type": "add_tags", "tags": ["disruption"]}],
}


def rules(db: Database, ids: dict[str, int]) -> None:
    create_rule(
        db,
        ids["ws"],
        ids["boss"],
        STRANDED_RULE
        | {"actions": [*STRANDED_RULE["actions"], {"type": "set_team", "team_id": ids["Urgent desk"]}]},
    )
    create_rule(
        db,
        ids["ws"],
        ids["boss"],
        {
            "name": "Praise",
            "conditions": [{"field": "intent", "op": "is", "value": "praise"}],
            "actions": [{"type": "set_priority", "priority": "low"}],
        },
    )


def case_of(db: Database, external_id: str) -> Case:
    with db.read() as s:
        post = s.scalars(select(Post).where(Post.external_id == external_id)).one()
        case = s.scalars(select(Case).where(Case.conversation_id == post.conversation_id)).one()
        case.tags  # noqa: B018 (loaded before the session closes)
        return case


def retriage(db: Database, *external_ids: str) -> None:
    """Queue the triage job again for these posts, as a retried or duplicated job would."""
    with db.write() as s:
        for post in s.scalars(select(Post).where(Post.external_id.in_(external_ids))):
            jobs.enqueue(s, post.workspace_id, TRIAGE_POST, {"post_id": post.id})
    jobs.drain(db, HANDLERS)


def test_rules_run_on_new_posts_after_triage(db: Database) -> None:
    ids = setup(db)
    rules(db, ids)
    f.ingest(
        db,
        ids["ws"],
        f.post("1", text=STRANDED, author="c1"),
        f.post("2", text=SPANISH, author="c2", minutes=1),
    )
    jobs.drain(db, HANDLERS)
    stranded = case_of(db, "1")
    assert stranded.priority is Priority.URGENT
    assert [t.name for t in stranded.tags] == ["disruption", "escalated"]
    assert (stranded.team_id, stranded.routed_by) == (
        ids["Urgent desk"],
        f"rule {_rule_id(db, 'Stranded')}: Stranded",
    )
    spanish = case_of(db, "2")  # no rule sets its team: the language fallback does
    assert (spanish.team_id, spanish.routed_by, spanish.priority) == (
        ids["Soporte"],
        "language:es",
        Priority.NORMAL,
    )
    with db.read() as s:
        run = s.scalars(select(RoutingRun)).one()
        assert run.case_id == stranded.id
        assert run.applied[0] == "team → Urgent desk"
        assert s.scalars(select(RoutingRule).where(RoutingRule.name == "Stranded")).one().hit_count == 1

    # A later post in the thread keeps the rule's team (the fallback does not take it back), and a
    # calm follow-up never lowers the priority a rule raised.
    browser = Browser(db)
    browser.login("boss@acme.example")
    page = browser.get(f"/cases/{stranded.id}").text
    assert 'id="case-routing"' in page
    assert "team → Urgent desk; priority → urgent; tags + escalated, disruption" in page

    f.ingest(db, ids["ws"], f.post("3", text=THANKS, author="c1", minutes=5, in_reply_to="1"))
    jobs.drain(db, HANDLERS)
    again = case_of(db, "3")
    assert again.id == stranded.id
    assert (again.team_id, again.priority) == (ids["Urgent desk"], Priority.URGENT)


def _rule_id(db: Database, name: str) -> int:
    with db.read() as s:
        return s.scalars(select(RoutingRule.id).where(RoutingRule.name == name)).one()


def test_running_the_same_job_twice_applies_nothing_twice(db: Database) -> None:
    ids = setup(db)
    rules(db, ids)
    create_rule(
        db,
        ids["ws"],
        ids["boss"],
        {
            "name": "Ack",
            "actions": [{"type": "auto_acknowledge", "text": "Hi {customer_name}, {brand} is on it."}],
        },
    )
    f.ingest(db, ids["ws"], recent(f.post("1", text=STRANDED, author="c1")))
    with db.write() as s:  # a connected channel: acknowledgements are only sent through one
        for channel in s.scalars(select(ChannelAccount)):
            channel.status = "active"
    jobs.drain(db, HANDLERS)
    retriage(db, "1")
    retriage(db, "1")
    case = case_of(db, "1")
    assert [t.name for t in case.tags] == ["disruption", "escalated"]
    # The acknowledgement is a reply through the outbox, once; the case still waits for an answer.
    assert (case.status, case.first_responded_at) == (CaseStatus.NEW, None)
    assert case.first_response_due_at is not None
    with db.read() as s:
        acks = s.scalars(select(Post).where(Post.direction == Direction.OUTBOUND)).all()
        assert [(p.text, p.delivery_status, p.agent_id) for p in acks] == [
            ("Hi c1, Acme is on it.", DeliveryStatus.QUEUED, ids["boss"])
        ]
        assert s.scalars(select(RoutingRule).where(RoutingRule.name == "Stranded")).one().hit_count == 1
        assert len(s.scalars(select(RoutingRun)).all()) == 1
        assert s.scalars(select(SlaAttainment)).all() == []  # no promise was kept by it
    # A new customer post in the thread is routed again, but acknowledged no more.
    f.ingest(
        db,
        ids["ws"],
        recent(f.post("4", text="@AcmeHelp still stranded", author="c1", in_reply_to="1")),
    )
    jobs.drain(db, HANDLERS)
    with db.read() as s:
        assert len(s.scalars(select(Post).where(Post.direction == Direction.OUTBOUND)).all()) == 1
        assert case_of(db, "4").status is CaseStatus.NEW


def recent(post: InboundPost) -> InboundPost:
    return dataclasses.replace(post, created_at=utcnow())


def test_old_posts_and_archive_channels_get_no_acknowledgement_and_spam_is_resolved(db: Database) -> None:
    ids = setup(db)
    create_rule(
        db,
        ids["ws"],
        ids["boss"],
        {"name": "Ack", "actions": [{"type": "auto_acknowledge", "text": "On it."}]},
    )
    create_rule(
        db,
        ids["ws"],
        ids["boss"],
        {
            "name": "Spam",
            "conditions": [{"field": "text", "op": "contains_any", "value": ["crypto"]}],
            "actions": [{"type": "mark_spam"}],
        },
    )
    f.ingest(
        db,
        ids["ws"],
        f.post("1", text=STRANDED, author="c1"),
        f.post("2", text="@AcmeHelp free crypto giveaway", author="c2"),
    )
    jobs.drain(db, HANDLERS)
    with db.read() as s:
        assert s.scalars(select(Post).where(Post.direction == Direction.OUTBOUND)).all() == []
        notes = [r.applied for r in s.scalars(select(RoutingRun).order_by(RoutingRun.id))]
    assert notes[0] == ["no acknowledgement: the post is more than a day old"]
    spam = case_of(db, "2")
    assert (spam.status, [t.name for t in spam.tags]) == (CaseStatus.RESOLVED, ["spam"])


def test_the_api_edits_rules_for_admins_and_dry_runs_for_everyone(db: Database) -> None:
    ids = setup(db)
    f.agent(db, "Acme", "ana@acme.example")
    boss, ana = api(db, "boss@acme.example"), api(db, "ana@acme.example")
    made = boss.post("/api/v1/rules", json=STRANDED_RULE)
    assert made.status_code == 201, made.text
    rule_id = made.json()["id"]
    second = boss.post(
        "/api/v1/rules",
        json={
            "name": "Spanish",
            "conditions": [{"field": "language", "op": "is", "value": "es"}],
            "actions": [{"type": "set_team", "team_id": ids["Soporte"]}],
        },
    )
    assert second.status_code == 201
    bad = boss.post(
        "/api/v1/rules",
        json={
            "name": "x",
            "conditions": [{"field": "urgency", "op": ">=", "value": "high"}],
            "actions": [{"type": "escalate"}],
        },
    )
    assert (bad.status_code, bad.json()["detail"]) == (
        422,
        "conditions.0.value: urgency is a number (got 'high')",
    )
    foreign_team = boss.post(
        "/api/v1/rules", json={"name": "x", "actions": [{"type": "set_team", "team_id": 99999}]}
    )
    assert foreign_team.status_code == 422
    assert "actions.0.team_id" in foreign_team.json()["detail"]
    for field, value, what in (
        ("segment", [99999], "segment"),
        ("channel_account_id", 99999, "channel account"),
    ):
        op = "contains_any" if field == "segment" else "is"
        unknown = boss.post(
            "/api/v1/rules",
            json={
                "name": "x",
                "conditions": [
                    {"field": "language", "op": "is", "value": "es"},
                    {"field": field, "op": op, "value": value},
                ],
                "actions": [{"type": "escalate"}],
            },
        )
        assert (unknown.status_code, unknown.json()["detail"]) == (
            422,
            f"conditions.1.value: there is no {what} 99999 here",
        )
    assert ana.post("/api/v1/rules", json=STRANDED_RULE).status_code == 403
    assert ana.delete(f"/api/v1/rules/{rule_id}").status_code == 403

    moved = boss.post(f"/api/v1/rules/{second.json()['id']}/move", json={"direction": "up"})
    assert [r["name"] for r in moved.json()] == ["Spanish", "Stranded"]
    edited = boss.put(f"/api/v1/rules/{rule_id}", json=STRANDED_RULE | {"enabled": False})
    assert edited.json()["enabled"] is False

    trial = ana.post("/api/v1/rules/dry-run", json={"text": SPANISH, "network": "x"})
    assert trial.status_code == 200, trial.text
    body = trial.json()
    assert body["triage"]["language"] == "es"
    assert body["matched"] == [second.json()["id"]]
    assert body["outcome"]["team_id"] == ids["Soporte"]
    assert [r["skipped"] for r in body["results"]] == [None, "disabled"]
    assert body["results"][0]["conditions"][0] == {
        "condition": "language is es",
        "passed": True,
        "actual": "es",
    }
    assert ana.post("/api/v1/rules/dry-run", json={"text": " ", "network": "x"}).status_code == 422
    with db.read() as s:  # the dry-run wrote nothing
        assert s.scalars(select(Post)).all() == []
    assert boss.delete(f"/api/v1/rules/{rule_id}").status_code == 204
    assert [r["name"] for r in ana.get("/api/v1/rules").json()] == ["Spanish"]


def test_another_workspaces_rules_cannot_be_read_or_changed(db: Database) -> None:
    ids = setup(db)
    rule_id = create_rule(db, ids["ws"], ids["boss"], STRANDED_RULE)
    f.workspace(db, "Globex")
    admin(db, "Globex", "eve@globex.example")
    eve = api(db, "eve@globex.example")
    assert eve.get("/api/v1/rules").json() == []
    assert eve.get(f"/api/v1/rules/{rule_id}").status_code == 404
    assert eve.put(f"/api/v1/rules/{rule_id}", json=STRANDED_RULE | {"name": "mine"}).status_code == 404
    assert eve.post(f"/api/v1/rules/{rule_id}/move", json={"direction": "up"}).status_code == 404
    assert eve.delete(f"/api/v1/rules/{rule_id}").status_code == 404
    assert eve.post("/api/v1/rules/dry-run", json={"text": STRANDED}).json()["results"] == []
    # Nor may a rule point at another workspace's team.
    other = eve.post(
        "/api/v1/rules", json={"name": "x", "actions": [{"type": "set_team", "team_id": ids["Soporte"]}]}
    )
    assert other.status_code == 422

    anonymous = Browser(db)
    assert anonymous.client.get("/api/v1/rules").status_code == 401
    assert anonymous.client.post("/api/v1/rules/dry-run", json={"text": STRANDED}).status_code == 401
    assert anonymous.get("/settings/rules").headers["location"].startswith("/login")
    browser = Browser(db)
    browser.login("eve@globex.example")
    assert "Stranded" not in browser.get("/settings/rules").text
    assert browser.get(f"/settings/rules/{rule_id}").status_code == 404
    changed = browser.submit("/settings/rules", f"/settings/rules/{rule_id}/delete", {})
    assert changed.status_code == 404
    saved = browser.submit(
        "/settings/rules", f"/settings/rules/{rule_id}", {"name": "mine", "act-0-type": "escalate"}
    )
    assert saved.status_code == 404
    with db.read() as s:
        assert s.get_one(RoutingRule, rule_id).name == "Stranded"


def test_the_settings_pages_create_edit_reorder_and_dry_run(db: Database) -> None:
    ids = setup(db)
    browser = Browser(db)
    browser.login("boss@acme.example")
    form = {
        "name": "Stranded",
        "enabled": "on",
        "match": "all",
        "cond-0-field": "text",
        "cond-0-op": "contains_any",
        "cond-0-value": "stranded, missed connection",
        "cond-1-field": "is_complaint",
        "cond-1-op": "is",
        "cond-1-value": "yes",
        "act-0-type": "escalate",
        "act-1-type": "set_team",
        "act-1-team_id": str(ids["Urgent desk"]),
    }
    created = browser.submit("/settings/rules/new", "/settings/rules/new", form)
    assert (created.status_code, created.headers["location"]) == (303, "/settings/rules?done=created")
    refused = browser.submit("/settings/rules/new", "/settings/rules/new", form | {"cond-1-value": "maybe"})
    assert refused.status_code == 422
    assert "conditions.1.value: is_complaint is true or false" in refused.text
    assert 'value="maybe"' in refused.text  # the form keeps what was typed

    rule_id = _rule_id(db, "Stranded")
    page = browser.get(f"/settings/rules/{rule_id}")
    assert 'value="stranded, missed connection"' in page.text
    browser.submit(
        f"/settings/rules/{rule_id}",
        f"/settings/rules/{rule_id}",
        form | {"name": "Stranded travellers", "stop": "on"},
    )
    browser.submit(
        "/settings/rules/new",
        "/settings/rules/new",
        {"name": "Everything", "act-0-type": "add_tags", "act-0-tags": "seen"},
    )
    browser.submit("/settings/rules", f"/settings/rules/{_rule_id(db, 'Everything')}/up", {})
    listing = browser.get("/settings/rules").text
    assert listing.index("Everything") < listing.index("Stranded travellers")
    browser.submit("/settings/rules", f"/settings/rules/{_rule_id(db, 'Everything')}/disable", {})

    trial = browser.submit("/settings/rules", "/settings/rules/dry-run", {"text": STRANDED, "network": "x"})
    assert trial.status_code == 200
    verdict = re.search(r'id="dry-run-verdict">([^<]+)<', trial.text)
    assert verdict
    assert verdict.group(1) == "Would hit: Stranded travellers"
    assert "✓ text contains any of stranded, missed connection" in trial.text
    assert "priority → urgent" in trial.text
    assert "team → Urgent desk" in trial.text
    with db.read() as s:
        assert s.scalars(select(Post)).all() == []

    f.agent(db, "Acme", "ana@acme.example")
    agent = Browser(db)
    agent.login("ana@acme.example")
    assert agent.get("/settings/rules").status_code == 200  # agents may read and try the rules
    assert agent.get(f"/settings/rules/{rule_id}").status_code == 403
    assert agent.submit("/settings/rules", f"/settings/rules/{rule_id}/delete", {}).status_code == 403


def _worker_once(db: Database, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    """`socialdesk worker --once` in a process of its own (no channel key: it only runs jobs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALDESK_") and k != "DATABASE_URL"}
    env["DATABASE_URL"] = db.url
    if crash_at:
        env["SOCIALDESK_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "socialdesk", "worker", "--once"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_a_worker_killed_after_the_rules_ran_applies_them_once_on_restart(db: Database) -> None:
    ids = setup(db)
    rules(db, ids)
    create_rule(
        db,
        ids["ws"],
        ids["boss"],
        {"name": "Ack", "actions": [{"type": "auto_acknowledge", "text": "On it."}]},
    )
    f.ingest(db, ids["ws"], recent(f.post("1", text=STRANDED, author="c1")))
    with db.write() as s:
        for channel in s.scalars(select(ChannelAccount)):
            channel.status = "active"

    crashed = _worker_once(db, crash_at="after_rules")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    with db.read() as s:  # killed before the commit: nothing of the run is left
        assert s.scalars(select(RoutingRun)).all() == []
        assert s.scalars(select(Post).where(Post.direction == Direction.OUTBOUND)).all() == []

    for _ in range(2):  # the restart runs the job; a further run finds nothing to do
        finished = _worker_once(db)
        assert finished.returncode == 0, finished.stderr
    case = case_of(db, "1")
    assert (case.priority, [t.name for t in case.tags]) == (Priority.URGENT, ["disruption", "escalated"])
    with db.read() as s:
        assert len(s.scalars(select(RoutingRun)).all()) == 1
        assert [p.text for p in s.scalars(select(Post).where(Post.direction == Direction.OUTBOUND))] == [
            "On it."
        ]
        assert s.scalars(select(RoutingRule).where(RoutingRule.name == "Ack")).one().hit_count == 1


def test_rules_see_the_customers_tags_attributes_and_segments(db: Database) -> None:
    ids = setup(db)
    f.ingest(db, ids["ws"], f.post("1", text="@AcmeHelp hello", author="c1"))
    jobs.drain(db, HANDLERS)
    with db.read() as s:
        customer_id = s.scalars(select(Post.customer_id).where(Post.external_id == "1")).one()
    assert customer_id is not None
    update_profile(db, ids["ws"], customer_id, {"tags": ["vip"], "attributes": {"tier": "gold"}})
    vips = create_segment(db, ids["ws"], "VIPs", {"tags": ["vip"]})
    for name, condition in (
        ("Tagged", {"field": "customer_tags", "op": "is", "value": "vip"}),
        ("Gold", {"field": "attribute", "key": "tier", "op": "is", "value": "Gold"}),
        ("In segment", {"field": "segment", "op": "in", "value": [vips]}),
        ("Not in segment", {"field": "segment", "op": "not_in", "value": [vips]}),
    ):
        create_rule(
            db,
            ids["ws"],
            ids["boss"],
            {"name": name, "conditions": [condition], "actions": [{"type": "add_tags", "tags": [name]}]},
        )
    f.ingest(db, ids["ws"], f.post("2", text="@AcmeHelp me again", author="c1", minutes=3, in_reply_to="1"))
    jobs.drain(db, HANDLERS)
    assert [t.name for t in case_of(db, "2").tags] == ["gold", "in segment", "tagged"]
