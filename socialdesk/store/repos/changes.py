"""Recent changes, for the live pages: posts stored or triaged since a point, and a case's thread.

The web app's change feed (pipeline.change_feed) reads these when no Redis carries other processes'
events; both queries walk the posts' primary key from a recent id, never the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialdesk.core.types import Direction
from socialdesk.store.models import Case, Post


@dataclass(frozen=True, slots=True)
class PostChange:
    post_id: int
    workspace_id: int
    conversation_id: int
    case_id: int | None
    direction: Direction
    agent_id: int | None
    received_at: datetime
    enriched_at: datetime | None


def newest_post_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Post.id))) or 0)


def posts_after(
    session: Session, after_id: int, *, enriched_since: datetime | None = None, limit: int = 1000
) -> list[PostChange]:
    """Posts with an id above `after_id` (every workspace's: the feed serves them all), oldest first;
    with `enriched_since`, only those triaged since then."""
    query = (
        select(
            Post.id,
            Post.workspace_id,
            Post.conversation_id,
            Case.id,
            Post.direction,
            Post.agent_id,
            Post.received_at,
            Post.enriched_at,
        )
        .outerjoin(Case, Case.conversation_id == Post.conversation_id)
        .where(Post.id > after_id)
        .order_by(Post.id)
        .limit(limit)
    )
    if enriched_since is not None:
        query = query.where(Post.enriched_at >= enriched_since)
    return [PostChange(*row) for row in session.execute(query)]


def case_conversation(session: Session, workspace_id: int, case_id: int) -> int | None:
    """The conversation of the workspace's case, or None when the workspace has no such case."""
    return session.scalar(
        select(Case.conversation_id).where(Case.workspace_id == workspace_id, Case.id == case_id)
    )
