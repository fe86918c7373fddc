"""The durable inbound step: a post is stored, threaded and queued for triage in one transaction.

Idempotent on (workspace, network, external id): a post delivered again is counted as a duplicate and
changes nothing, unless it is a newer edit of the stored one, which replaces its text. A deletion
erases the stored post's text and payload (the author took it back; networks' terms require it). A
batch is one transaction, so a process killed midway leaves either all of a batch or none of it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.types import Direction, InboundEvent, InboundPost, PostDeletion
from socialdesk.pipeline import jobs
from socialdesk.pipeline.cases import refresh_thread
from socialdesk.pipeline.conversations import thread_post
from socialdesk.pipeline.customers import IdentityKey, find_identities, resolve_customer
from socialdesk.store.db import Database
from socialdesk.store.models import ChannelAccount, Conversation, Identity, Post, Team, Workspace

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    UPDATED = "updated"  # a newer edit of a stored post
    DELETED = "deleted"
    IGNORED = "ignored"  # a deletion of a post we never stored
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Outcome
    post_id: int | None = None
    reason: str | None = None


# Runs inside the transaction that stored a batch (a poller's cursor goes forward with its posts).
AfterStore = Callable[[Session], None]


def ingest_posts(
    db: Database, workspace_id: int, posts: Sequence[InboundEvent], after: AfterStore | None = None
) -> list[IngestResult]:
    """Store `posts` (and apply deletions); returns one result per event, in order.

    The whole batch is one transaction, and `after` runs in it. Should the database refuse a post, the
    batch is rolled back and replayed one post per transaction, so the refused post is reported and the
    others are kept; `after` then runs in a transaction of its own once they are all through.
    """
    only_deletions = after is None and posts and all(isinstance(p, PostDeletion) for p in posts)
    if only_deletions and not _any_stored(db, workspace_id, posts):  # a firehose sends every deletion
        return [IngestResult(Outcome.IGNORED) for _ in posts]
    try:
        results = _ingest_batch(db, workspace_id, posts, after)
    except SQLAlchemyError:
        if len(posts) <= 1 and after is None:
            raise
        results = []
        for post in posts:
            try:
                results += _ingest_batch(db, workspace_id, [post], None)
            except SQLAlchemyError as exc:
                log.warning("post %s/%s not stored: %s", post.network, post.external_id, exc)
                reason = f"database refused the post: {getattr(exc, 'orig', exc)}"
                results.append(IngestResult(Outcome.FAILED, reason=reason))
        if after is not None:
            with db.write() as session:
                after(session)
    if any(r.outcome in (Outcome.STORED, Outcome.UPDATED) for r in results):
        jobs.notify()
    return results


def _any_stored(db: Database, workspace_id: int, events: Sequence[InboundEvent]) -> bool:
    with db.read() as session:
        for network in {e.network for e in events}:
            ids = [e.external_id for e in events if e.network == network]
            found = session.scalar(
                select(Post.id)
                .where(Post.workspace_id == workspace_id, Post.network == network, Post.external_id.in_(ids))
                .limit(1)
            )
            if found is not None:
                return True
    return False


def _ingest_batch(
    db: Database, workspace_id: int, events: Sequence[InboundEvent], after: AfterStore | None
) -> list[IngestResult]:
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        batch = _Batch(session, session.get_one(Workspace, workspace_id))
        batch.look_up(events)
        results = [
            _delete_one(batch, event) if isinstance(event, PostDeletion) else _ingest_one(batch, event)
            for event in events
        ]
        batch.refresh_threads()
        if after is not None:
            after(session)
        return results


@dataclass
class _Batch:
    """One ingest transaction and what it looks up once rather than once per post."""

    session: Session
    workspace: Workspace
    channels: dict[tuple[str, str], ChannelAccount] = field(default_factory=dict)
    stored: dict[tuple[str, str], int] = field(default_factory=dict)  # (network, external id) -> post id
    identities: dict[IdentityKey, Identity] = field(default_factory=dict)
    # Conversations that gained posts, in the order they did: their cases are recomputed once each, at
    # the end of the batch, since a case follows from its thread's posts whatever order they came in.
    touched: dict[int, None] = field(default_factory=dict)
    _teams: Sequence[Team] | None = None

    def refresh_threads(self) -> None:
        for conversation_id in self.touched:
            conversation = self.session.get(Conversation, conversation_id)
            if conversation is not None:  # None: merged into another thread later in the batch
                refresh_thread(self.session, self.workspace, conversation, self.teams)
        self.touched.clear()

    def look_up(self, events: Sequence[InboundEvent]) -> None:
        """Fetch, in a few queries, which posts are stored already and which authors are known."""
        by_network: dict[str, set[str]] = {}
        for event in events:
            by_network.setdefault(event.network, set()).add(event.external_id)
        posts = [p for p in events if isinstance(p, InboundPost)]
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
        if post.edited_at is not None:
            return _edit_one(batch, existing, post)
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
        author_followers=post.followers,
        edited_at=post.edited_at,
        raw=post.raw,
    )
    session.add(row)
    session.flush()
    batch.stored[(post.network, post.external_id)] = row.id
    if post.edit_of:
        _mark_replaced(batch, post)
    batch.touched[conversation.id] = None
    jobs.enqueue(session, workspace.id, jobs.TRIAGE_POST, {"post_id": row.id})
    return IngestResult(Outcome.STORED, post_id=row.id)


def _edit_one(batch: _Batch, post_id: int, post: InboundPost) -> IngestResult:
    """A newer version of a stored post replaces its text; the versions before it stay in `raw`."""
    row = batch.session.get_one(Post, post_id)
    assert post.edited_at is not None
    if row.deleted_at is not None or (row.edited_at is not None and as_utc(row.edited_at) >= post.edited_at):
        return IngestResult(Outcome.DUPLICATE, post_id=post_id)
    if row.text != post.text:
        earlier = list((row.raw or {}).get("socialdesk_earlier_versions", []))
        earlier.append({"text": row.text, "until": post.edited_at.isoformat()})
        row.raw = {**(post.raw or {}), "socialdesk_earlier_versions": earlier}
        row.text = post.text
        jobs.enqueue(batch.session, batch.workspace.id, jobs.TRIAGE_POST, {"post_id": row.id})
    row.edited_at = post.edited_at
    return IngestResult(Outcome.UPDATED, post_id=post_id)


def _mark_replaced(batch: _Batch, post: InboundPost) -> None:
    """X makes every edit a post of its own: the version it replaces is marked as edited."""
    earlier = batch.session.scalars(
        select(Post).where(
            Post.workspace_id == batch.workspace.id,
            Post.network == post.network,
            Post.external_id == post.edit_of,
        )
    ).first()
    if earlier is not None and (earlier.edited_at is None or as_utc(earlier.edited_at) > post.created_at):
        earlier.edited_at = post.created_at


def _delete_one(batch: _Batch, deletion: PostDeletion) -> IngestResult:
    post_id = batch.stored.get((deletion.network, deletion.external_id))
    if post_id is None:
        return IngestResult(Outcome.IGNORED)
    row = batch.session.get_one(Post, post_id)
    if row.deleted_at is None:
        row.deleted_at = deletion.deleted_at or utcnow()
        row.text = ""
        row.raw = None
        row.triage = None
        row.sentiment_scores = None
        row.user_location = None
        row.geo_lat = row.geo_lon = None
    return IngestResult(Outcome.DELETED, post_id=post_id)


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
