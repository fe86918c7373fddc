"""Builders for test data: workspaces, agents and posts, written through the real pipeline."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from socialdesk.accounts.agents import create_agent
from socialdesk.core.types import Direction, InboundPost
from socialdesk.pipeline.ingest import IngestResult, ingest_posts
from socialdesk.pipeline.workspaces import ensure_team, ensure_workspace
from socialdesk.store.db import Database

PASSWORD = "correct horse battery"  # every test agent's password
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
_ids = itertools.count(1000)


def workspace(db: Database, name: str = "Acme", teams: tuple[tuple[str, str], ...] = ()) -> int:
    """A workspace with its default team "Support" and, optionally, (name, languages) teams."""
    with db.write() as session:
        ws = ensure_workspace(session, name)
        for team, languages in teams:
            ensure_team(session, ws.id, team, languages, is_default=False)
        return ws.id


def agent(db: Database, workspace_name: str, email: str, password: str = PASSWORD) -> int:
    with db.write() as session:
        ws = ensure_workspace(session, workspace_name)
        return create_agent(session, ws, email, email.split("@")[0].title(), password).id


def post(
    external_id: str | None = None,
    *,
    text: str = "@AcmeHelp my order never arrived",
    direction: Direction = Direction.INBOUND,
    author: str = "cust1",
    minutes: float = 0,
    in_reply_to: str | None = None,
    network: str = "x",
    channel: str | None = "AcmeHelp",
    **extra: Any,
) -> InboundPost:
    if direction is Direction.OUTBOUND and author == "cust1":
        author = channel or "AcmeHelp"
    return InboundPost(
        network=network,
        external_id=external_id or str(next(_ids)),
        direction=direction,
        author_id=author,
        author_handle=author,
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
        channel=channel,
        in_reply_to=in_reply_to,
        **extra,
    )


def reply(
    external_id: str, to: str, minutes: float, text: str = "@cust1 Sorry! Please DM us."
) -> InboundPost:
    return post(external_id, text=text, direction=Direction.OUTBOUND, minutes=minutes, in_reply_to=to)


def ingest(db: Database, workspace_id: int, *posts: InboundPost) -> list[IngestResult]:
    return ingest_posts(db, workspace_id, list(posts))
