"""Job handlers that understand stored posts and re-route their cases with what they learned."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.types import Direction
from socialdesk.pipeline.cases import route_cases
from socialdesk.pipeline.jobs import TRIAGE_POST, Handler
from socialdesk.store.models import Case, Job, Post
from socialdesk.triage.language import default_detector


def triage_posts(session: Session, jobs: Sequence[Job]) -> None:
    """Detect each post's language, then route the cases whose customer posts were triaged."""
    ids = [int(job.payload["post_id"]) for job in jobs]
    detector = default_detector()
    now = utcnow()
    conversations: set[int] = set()
    # A post deleted since its job was queued simply has nothing left to understand.
    for post in session.scalars(select(Post).where(Post.id.in_(ids))):
        post.language = detector.detect(post.text).code
        post.enriched_at = now
        if post.direction is Direction.INBOUND:
            conversations.add(post.conversation_id)
    session.flush()
    if conversations:
        route_cases(
            session, session.scalars(select(Case).where(Case.conversation_id.in_(conversations))).all()
        )


HANDLERS: dict[str, Handler] = {TRIAGE_POST: triage_posts}
