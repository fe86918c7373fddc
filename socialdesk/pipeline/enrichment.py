"""Job handlers that triage stored posts and bring their cases up to date with what they learned.

Every customer post gets the fast tier; the accurate tier then re-scores the posts the workspace chose
(by default the customer posts of unresolved cases: what agents will read). An agent's correction is
never overwritten by either.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.types import CaseStatus, Direction, Geo, Triage, TriageInput
from socialdesk.pipeline import jobs
from socialdesk.pipeline.assignment import assign_routed
from socialdesk.pipeline.cases import refresh_case_triage
from socialdesk.pipeline.jobs import ACCURATE_TRIAGE, TRIAGE_POST, Handler
from socialdesk.pipeline.rule_runs import run_rules
from socialdesk.store.models import Case, Job, Post, TopicModel, Workspace
from socialdesk.triage.engine import ENCODER, Tier, Triager
from socialdesk.triage.linear import LinearBundle

_lock = threading.Lock()
_triagers: dict[tuple[Tier, int | None], Triager] = {}


def triager_for(session: Session, workspace_id: int, tier: Tier) -> Triager:
    """The triager with the workspace's active topic model, built once per model and tier."""
    topic_model = session.scalars(
        select(TopicModel)
        .where(TopicModel.workspace_id == workspace_id, TopicModel.active.is_(True))
        .order_by(TopicModel.id.desc())
        .limit(1)
    ).first()
    key = (tier, topic_model.id if topic_model else None)
    with _lock:
        if key not in _triagers:
            topics = LinearBundle.from_bytes(topic_model.model) if topic_model else None
            _triagers[key] = Triager(tier, topics=topics, encoder_batch=1)
        return _triagers[key]


def _inputs(posts: Sequence[Post]) -> list[TriageInput]:
    return [
        TriageInput(
            text=p.text,
            lang=p.declared_language,
            geo=Geo(p.geo_lat, p.geo_lon) if p.geo_lat is not None and p.geo_lon is not None else None,
            user_location=p.user_location,
            followers=p.author_followers,
        )
        for p in posts
    ]


def _store(post: Post, result: Triage) -> None:
    corrected: dict[str, Any] = (post.triage or {}).get("corrected", {})
    post.language = result.language
    post.sentiment = corrected.get("sentiment", result.sentiment)
    post.intent = corrected.get("intent", result.intent)
    post.is_complaint = result.is_complaint
    post.urgency = result.urgency
    topics = [{"label": t.label, "score": t.score} for t in result.topics]
    if "topic" in corrected:
        topics = [{"label": corrected["topic"], "score": 1.0}] + [
            t for t in topics if t["label"] != corrected["topic"]
        ]
    post.triage = {
        "sentiment_scores": result.sentiment_scores,
        "intent_scores": result.intent_scores,
        "complaint_score": result.complaint_score,
        "severity": result.severity,
        "topics": topics,
        "places": [
            {
                "name": p.name,
                "lat": p.lat,
                "lon": p.lon,
                "country": p.country,
                "kind": p.kind.value,
                "source": p.source.value,
            }
            for p in result.places
        ],
        "pii": [{"type": s.type.value, "start": s.start, "end": s.end} for s in result.pii],
        "corrected": corrected,
    }
    post.sentiment_scores = result.sentiment_scores
    post.triage_tier = result.tier
    post.enriched_at = utcnow()


def _triage(session: Session, jobs_: Sequence[Job], tier: Tier) -> list[Post]:
    ids = [int(job.payload["post_id"]) for job in jobs_]
    # A post deleted since its job was queued has nothing left to understand.
    posts = list(
        session.scalars(select(Post).where(Post.id.in_(ids), Post.deleted_at.is_(None)).order_by(Post.id))
    )
    for workspace_id in sorted({p.workspace_id for p in posts}):
        batch = [p for p in posts if p.workspace_id == workspace_id]
        results = triager_for(session, workspace_id, tier).run(_inputs(batch))
        for post, result in zip(batch, results, strict=True):
            _store(post, result)
    session.flush()
    conversations = {p.conversation_id for p in posts if p.direction is Direction.INBOUND}
    for case in session.scalars(select(Case).where(Case.conversation_id.in_(conversations))):
        refresh_case_triage(session, case)
    if tier == "fast":  # the workspace's routing rules, once per new customer post (pipeline.rule_runs)
        run_rules(session, posts)
    assign_routed(session, conversations)  # last: after the rules, the case's team and priority are final
    return posts


def triage_posts(session: Session, jobs_: Sequence[Job]) -> None:
    """The fast tier for every post; then queue the accurate tier for the posts the workspace chose."""
    posts = _triage(session, jobs_, "fast")
    if not ENCODER.exists():
        return
    settings = {
        row.id: row.accurate_triage
        for row in session.execute(select(Workspace.id, Workspace.accurate_triage))
    }
    unresolved = set(
        session.scalars(
            select(Case.conversation_id).where(
                Case.conversation_id.in_({p.conversation_id for p in posts}),
                Case.status != CaseStatus.RESOLVED,
            )
        )
    )
    for post in posts:
        choice = settings.get(post.workspace_id, "inbox")
        inbox = post.direction is Direction.INBOUND and post.conversation_id in unresolved
        if choice == "all" or (choice == "inbox" and inbox):
            jobs.enqueue(session, post.workspace_id, ACCURATE_TRIAGE, {"post_id": post.id})


def accurate_triage(session: Session, jobs_: Sequence[Job]) -> None:
    _triage(session, jobs_, "accurate")


HANDLERS: dict[str, Handler] = {TRIAGE_POST: triage_posts, ACCURATE_TRIAGE: accurate_triage}
