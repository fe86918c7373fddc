"""Loading the demo workspace through the real import path.

The demo conversations (data/skylark.jsonl, written for SocialDesk; every person and handle in it is
invented) are read by the JSONL importer and stored by the same ingest pipeline as any archive. Only
their clock is moved, so that the newest post is a few minutes old whenever the demo starts and the SLA
clocks look like a working day rather than a museum.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from socialdesk.accounts.agents import create_agent
from socialdesk.core.clock import utcnow
from socialdesk.core.types import InboundPost, RowError
from socialdesk.demo.assignment import seed_assignment
from socialdesk.demo.case_tools import seed_case_tools
from socialdesk.demo.colleague import seed_colleague
from socialdesk.demo.profiles import seed_profiles
from socialdesk.demo.routing_rules import seed_routing_rules
from socialdesk.importers.jsonl import JsonlReader
from socialdesk.pipeline.importing import ImportSummary, import_rows
from socialdesk.pipeline.workspaces import ensure_team, ensure_workspace
from socialdesk.store.db import Database
from socialdesk.store.models import Agent

DATA = Path(__file__).parent / "data" / "skylark.jsonl"
WORKSPACE = "Skylark Air"
EMAIL = "demo@skylark-air.example"
# Printed by `socialdesk demo`, which refuses to listen beyond loopback because of it.
PASSWORD = "skylark-demo"  # noqa: S105
TEAMS = (
    # (name, languages, default)
    ("Customer Care", "en", True),
    ("Atención al cliente", "es pt", False),
    ("Kundenservice", "de nl", False),
    ("Service client", "fr it", False),
    ("日本語サポート", "ja", False),
)


@dataclasses.dataclass(frozen=True, slots=True)
class DemoLoaded:
    workspace_id: int
    summary: ImportSummary


def _shifted(
    rows: Iterator[tuple[int, InboundPost | RowError]], by: timedelta
) -> Iterator[tuple[int, InboundPost | RowError]]:
    for line, row in rows:
        yield (
            line,
            (
                dataclasses.replace(row, created_at=row.created_at + by)
                if isinstance(row, InboundPost)
                else row
            ),
        )


def _newest(reader: JsonlReader) -> datetime:
    return max(row.created_at for _, row in reader.rows() if isinstance(row, InboundPost))


def load_demo(db: Database, now: datetime | None = None) -> DemoLoaded:
    """Create the demo workspace, its teams and agent, and import its conversations (idempotent)."""
    with db.write() as session:
        workspace = ensure_workspace(session, WORKSPACE, default_team=TEAMS[0][0])
        for name, languages, is_default in TEAMS:
            ensure_team(session, workspace.id, name, languages, is_default=is_default)
        if session.scalar(select(Agent.id).where(Agent.email == EMAIL)) is None:
            create_agent(session, workspace, EMAIL, "Demo Agent", PASSWORD, role="admin")
        workspace_id = workspace.id
    seed_colleague(db, workspace_id, PASSWORD)
    seed_routing_rules(db, workspace_id, EMAIL)  # before the import, so the rules route its posts
    seed_assignment(db, workspace_id, PASSWORD)  # before the import too: its cases are assigned
    reader = JsonlReader(DATA)
    newest = _newest(reader)
    shift = (now or utcnow()) - timedelta(minutes=5) - newest
    summary = import_rows(db, workspace_id, _shifted(reader.rows(), shift))
    seed_profiles(db, workspace_id)
    seed_case_tools(db, WORKSPACE, PASSWORD, EMAIL)
    return DemoLoaded(workspace_id, summary)
