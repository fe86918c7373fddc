"""The durable inbound step: a post is stored, threaded and queued for triage in one transaction.

Idempotent on (workspace, network, external id): a post delivered again is counted as a duplicate and
changes nothing. A batch is one transaction, so a process killed midway leaves either all of a batch or
none of it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from socialdesk.core.types import Direction, InboundPost
from socialdesk.pipeline import jobs
from socialdesk.pipeline.cases import refresh_thread
from socialdesk.pipeline.conversations import thread_post
from socialdesk.pipeline.customers import IdentityKey, find_identities, resolve_customer
from socialdesk.store.db import Database
from socialdesk.store.models import ChannelAccount, Identity, Post, Team, Workspace

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Outcome
    post_id: int | None = None
    reason: str | None = None


def ingest_posts(db: Database, workspace_id: int, posts: Sequence[InboundPost]) -> list[IngestResult]:
    """Store `posts`; returns one result per post, in order.

    The whole batch is one transaction. Should the database refuse a post, the batch is rolled back
    and replayed one post per transaction, so the refused post is reported and the others are kept.
    """
    try:
        results = _ingest_batch(db, workspace_id, posts)
    except SQLAlchemyError:
        if len(posts) == 1:
            raise
        results = []
        for post in posts:
            try:
                results += _ingest_batch(db, workspace_id, [post])
            except SQLAlchemyError as exc:
                log.warning("post %s/%s not stored: %s", post.network, post.external_id, exc)
                reason = f"database refused the post: {getattr(exc, 'orig', exc)}"
                results.append(IngestResult(Outcome.FAILED, reason=reason))
    if any(r.outcome is Outcome.STORED for r in results):
        jobs.notify()
    return results


def _ingest_batch(db: Database, workspace_id: int, posts: Sequence[InboundPost]) -> list[IngestResult]:
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        batch = _Batch(session, session.get_one(Workspace, workspace_id))
        batch.look_up(posts)
        return [_ingest_one(batch, post) for post in posts]


@dataclass
class _Batch:
    """One ingest transaction and what it looks up once rather than once per post."""

    session: Session
    workspace: Workspace
    channels: dict[tuple[str, str], ChannelAccount] = field(default_factory=dict)
    stored: dict[tuple[str, str], int] = field(default_factory=dict)  # (network, external id) -> post id
    identities: dict[IdentityKey, Identity] = field(default_factory=dict)
    _teams: Sequence[Team] | None = None

    def look_up(self, posts: Sequence[InboundPost]) -> None:
        """Fetch, in a few queries, which posts are stored already and which authors are known."""
        by_network: dict[str, set[str]] = {}
        for post in posts:
            by_network.setdefault(post.network, set()).add(post.external_id)
        for network, external_ids in by_network.items():
            rows = self.session.execute(
                select(Post.external_id, Post.id).where(
                    Post.workspace_id == self.workspace.id,
                    Post.network == network,
                    Post.external_id.in_(external_ids),
                )
            )
            self.stored.update(
                ((network, external_id), post_id) for external_id, post_id in rows if external_id
            )
        authors = {(p.network, p.author_id) for p in posts if p.direction is Direction.INBOUND}
        self.identities = find_identities(self.session, self.workspace.id, authors)

    @property
    def teams(self) -> Sequence[Team]:
        if self._teams is None:
            self._teams = self.session.scalars(
                select(Team).where(Team.workspace_id == self.workspace.id).order_by(Team.id)
            ).all()
        return self._teams


def _ingest_one(batch: _Batch, post: InboundPost) -> IngestResult:
    session, workspace = batch.session, batch.workspace
    existing = batch.stored.get((post.network, post.external_id))
    if existing is not None:
        return IngestResult(Outcome.DUPLICATE, post_id=existing)
    channel = _channel_account(batch, post.network, post.channel) if post.channel else None
    inbound = post.direction is Direction.INBOUND
    customer = resolve_customer(session, workspace.id, post, batch.identities) if inbound else None
    conversation = thread_post(session, workspace.id, post)
    row = Post(
        workspace_id=workspace.id,
        network=post.network,
        external_id=post.external_id,
        conversation_id=conversation.id,
        channel_account_id=channel.id if channel else None,
        direction=post.direction,
        customer_id=customer.id if customer else None,
        author_external_id=post.author_id,
        author_handle=post.author_handle,
        author_name=post.author_name,
        text=post.text,
        created_at=post.created_at,
        in_reply_to=post.in_reply_to,
        is_private=post.private,
        declared_language=post.lang,
        geo_lat=post.geo.lat if post.geo else None,
        geo_lon=post.geo.lon if post.geo else None,
        user_location=post.user_location,
        raw=post.raw,
    )
    session.add(row)
    session.flush()
    batch.stored[(post.network, post.external_id)] = row.id
    refresh_thread(session, workspace, conversation, batch.teams)
    jobs.enqueue(session, workspace.id, jobs.TRIAGE_POST, {"post_id": row.id})
    return IngestResult(Outcome.STORED, post_id=row.id)


def _channel_account(batch: _Batch, network: str, handle: str) -> ChannelAccount:
    cached = batch.channels.get((network, handle))
    if cached is not None:
        return cached
    session, workspace_id = batch.session, batch.workspace.id
    account = session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.workspace_id == workspace_id,
            ChannelAccount.network == network,
            ChannelAccount.handle == handle,
        )
    ).first()
    if account is None:
        account = ChannelAccount(workspace_id=workspace_id, network=network, handle=handle)
        session.add(account)
        session.flush()
    batch.channels[(network, handle)] = account
    return account
