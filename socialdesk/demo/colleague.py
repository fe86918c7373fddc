"""The demo's second agent, Noor Haddad, so that two people can sign in and see each other live
(who is viewing a case, who is typing, the warning before two replies collide)."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.accounts.agents import create_agent
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Workspace

COLLEAGUE_EMAIL = "noor@skylark-air.example"
COLLEAGUE_NAME = "Noor Haddad"


def seed_colleague(db: Database, workspace_id: int, password: str) -> None:
    """Add Noor Haddad (an agent, on the default team) with the demo's password (idempotent)."""
    with db.write() as session:
        if session.scalar(select(Agent.id).where(Agent.email == COLLEAGUE_EMAIL)) is None:
            workspace = session.get_one(Workspace, workspace_id)
            create_agent(session, workspace, COLLEAGUE_EMAIL, COLLEAGUE_NAME, password)
