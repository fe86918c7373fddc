"""Job handlers that understand a stored post and re-route its case with what they learned."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.types import Direction
from socialdesk.pipeline.cases import route_case
from socialdesk.pipeline.jobs import TRIAGE_POST, Handler
from socialdesk.store.models import Case, Job, Post
from socialdesk.triage.language import default_detector


def triage_post(session: Session, job: Job) -> None:
    post = session.get(Post, int(job.payload["post_id"]))
    if post is None:  # the post was deleted since; nothing to understand
        return
    post.language = default_detector().detect(post.text).code
    post.enriched_at = utcnow()
    if post.direction is Direction.INBOUND:
        case = session.scalars(select(Case).where(Case.conversation_id == post.conversation_id)).first()
        if case is not None:
            session.flush()
            route_case(session, case)


HANDLERS: dict[str, Handler] = {TRIAGE_POST: triage_post}
