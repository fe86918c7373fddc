"""The Skylark Air demo's routing rules, seeded before its conversations are imported so that they
route them as they arrive."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from socialdesk.pipeline.routing_rules import add_rule
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, RoutingRule, Team

DISRUPTION = ["stranded", "missed connection", "missed my connection", "cancelled", "canceled", "no hotel"]
BAGGAGE = ["bag", "bags", "baggage", "luggage", "suitcase", "maleta*", "koffer", "gepäck"]


def demo_rules(teams: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "name": "Stranded or missed connection",
            "conditions": [
                {"field": "text", "op": "contains_any", "value": DISRUPTION},
                {"field": "is_complaint", "op": "is", "value": True},
            ],
            "actions": [{"type": "escalate"}, {"type": "add_tags", "tags": ["disruption"]}],
        },
        {
            "name": "Spanish and Portuguese speakers",
            "conditions": [{"field": "language", "op": "in", "value": ["es", "pt"]}],
            "actions": [{"type": "set_team", "team_id": teams["Atención al cliente"]}],
        },
        {
            "name": "Baggage",
            "conditions": [{"field": "text", "op": "contains_any", "value": BAGGAGE}],
            "actions": [{"type": "add_tags", "tags": ["baggage"]}],
        },
        {
            "name": "Praise",
            "conditions": [
                {"field": "intent", "op": "is", "value": "praise"},
                {"field": "sentiment", "op": "is", "value": "positive"},
            ],
            "actions": [
                {"type": "set_priority", "priority": "low"},
                {"type": "add_tags", "tags": ["praise"]},
            ],
            "stop": True,
        },
        {
            # Off in the demo: its channels are archives, which nothing is sent through.
            "name": "Acknowledge urgent complaints",
            "enabled": False,
            "conditions": [
                {"field": "is_complaint", "op": "is", "value": True},
                {"field": "urgency", "op": ">=", "value": 0.8},
            ],
            "actions": [
                {
                    "type": "auto_acknowledge",
                    "text": "Hi {customer_name}, so sorry! A {brand} agent is on it and will reply shortly.",
                }
            ],
        },
    ]


def seed_routing_rules(db: Database, workspace_id: int, admin_email: str) -> None:
    """The demo rules, once: a workspace that has rules already keeps its own."""
    with db.write() as session:
        if session.scalar(select(RoutingRule.id).where(RoutingRule.workspace_id == workspace_id).limit(1)):
            return
        admin = session.scalars(select(Agent).where(Agent.email == admin_email)).one()
        rows = session.execute(select(Team.name, Team.id).where(Team.workspace_id == workspace_id))
        teams = {row[0]: row[1] for row in rows}
        for rule in demo_rules(teams):
            add_rule(session, workspace_id, admin.id, rule)
