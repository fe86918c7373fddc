"""The outbox: an agent's reply is stored first, then sent by a worker, and never sent twice.

1. `record_reply` (case_actions) stores the reply as an outbound post, QUEUED, with a delivery key.
2. `deliver_due` claims due posts (SENDING, with a lease) in one transaction, and sends each through its
   network's connector outside any transaction: a network call never holds the database.
3. The answer is written in a second transaction: SENT with the network's id; QUEUED again for a rate
   limit (at the time the network named) or a passing failure (exponential backoff); FAILED, with the
   network's own reason, for a refusal.

A worker killed between 2 and 3 leaves the post SENDING. Once the lease runs out another worker takes
it, and because the first attempt may have reached the network, it asks the network first
(`Connector.find_sent`, or the network's own idempotency key) and only sends when nothing was posted.
A timeout or a 5xx is just as ambiguous (the network may have made the post before failing): the reply
goes back to QUEUED with `send_outcome_unknown`, and its next try also asks first.

Guards that hold for every network live here, not in the connectors: only an agent's outbound post is
ever sent (nothing that came from a network is echoed back), and a reply in a private conversation is
only ever sent privately.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx2 as httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.channels import connector
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import ChannelError, NotFound, RateLimited, TemporaryError
from socialdesk.core.types import DeliveryStatus, Direction, OutboundMessage, SendResult
from socialdesk.pipeline.channel_accounts import (
    ACTIVE,
    PAUSED,
    LoadedChannel,
    loaded,
    record_error,
    record_success,
)
from socialdesk.pipeline.credentials import Vault
from socialdesk.pipeline.faults import crash_point
from socialdesk.store.db import Database
from socialdesk.store.models import ChannelAccount, Conversation, Identity, Post

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # passing failures before a reply is given up on (rate limits do not count)
BACKOFF_FIRST = timedelta(seconds=10)
BACKOFF_MAX = timedelta(hours=1)
DEFAULT_LEASE = timedelta(minutes=5)
CLAIM_BATCH = 20


@dataclass(frozen=True, slots=True)
class Claim:
    post_id: int
    workspace_id: int
    channel: LoadedChannel
    message: OutboundMessage
    uncertain: bool  # an earlier attempt may have reached the network
    attempts: int


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s ... up to an hour, with jitter so that retries of many replies spread out."""
    base: timedelta = min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)
    return base * random.uniform(0.8, 1.2)


def deliver_due(
    db: Database,
    vault: Vault,
    http: httpx.Client,
    lease: timedelta = DEFAULT_LEASE,
    now: Callable[[], datetime] = utcnow,
) -> int:
    """Send every reply that is due; return how many were tried."""
    total = 0
    while True:
        claims = _claim(db, vault, lease, now())
        for claim in claims:
            _deliver(db, http, claim, now)
        total += len(claims)
        if len(claims) < CLAIM_BATCH:
            return total


def _claim(db: Database, vault: Vault, lease: timedelta, now: datetime) -> list[Claim]:
    with db.write() as session:
        rows = session.scalars(
            select(Post)
            .where(
                Post.delivery_status.in_((DeliveryStatus.QUEUED, DeliveryStatus.SENDING)),
                Post.direction == Direction.OUTBOUND,
                Post.agent_id.is_not(None),  # written here by an agent, never something a network sent
                Post.next_send_at <= now,
            )
            .order_by(Post.next_send_at, Post.id)
            .limit(CLAIM_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        claims = []
        for post in rows:
            claim = _claim_one(session, vault, post, lease, now)
            if claim is not None:
                claims.append(claim)
        return claims


def _claim_one(session: Session, vault: Vault, post: Post, lease: timedelta, now: datetime) -> Claim | None:
    account = session.get(ChannelAccount, post.channel_account_id) if post.channel_account_id else None
    if account is None:
        _fail(post, "this conversation has no brand account on the network to answer from")
        return None
    if account.credentials is None:
        # Known from imported posts only: the reply waits, and connecting the channel sends it.
        _hold(post, "waiting for this channel to be connected (an admin does it under Settings → Channels)")
        return None
    if account.status == PAUSED:
        _hold(post, "waiting: this channel is paused")  # resuming it makes the reply due again
        return None
    if account.status != ACTIVE:
        _fail(post, f"this channel is {account.status}")
        return None
    try:
        channel = loaded(account, vault)
    except ChannelError as exc:
        _fail(post, str(exc))
        return None
    conversation = session.get_one(Conversation, post.conversation_id)
    if conversation.is_private != post.is_private:
        # Never let a private answer go out in public, or the reverse: stop and tell the agent.
        _fail(post, "the reply's visibility differs from its conversation's; it was not sent")
        return None
    uncertain = post.delivery_status is DeliveryStatus.SENDING or post.send_outcome_unknown
    post.delivery_status = DeliveryStatus.SENDING
    post.send_started_at = now
    post.next_send_at = now + lease  # until then this worker holds it; afterwards it is taken back
    return Claim(
        post.id,
        post.workspace_id,
        channel,
        _message(session, post, conversation),
        uncertain,
        post.send_attempts,
    )


def _hold(post: Post, reason: str) -> None:
    if post.delivery_status is DeliveryStatus.SENDING:
        post.send_outcome_unknown = True  # an attempt was under way: ask the network before resending
    post.delivery_status = DeliveryStatus.QUEUED
    post.next_send_at = None
    post.send_error = reason


def _message(session: Session, post: Post, conversation: Conversation) -> OutboundMessage:
    identity = None
    if conversation.customer_id is not None:
        identity = session.scalars(
            select(Identity)
            .where(Identity.customer_id == conversation.customer_id, Identity.network == post.network)
            .order_by(Identity.last_seen_at.desc())
            .limit(1)
        ).first()
    answered = None
    if post.in_reply_to:
        answered = session.scalars(
            select(Post).where(
                Post.workspace_id == post.workspace_id,
                Post.network == post.network,
                Post.external_id == post.in_reply_to,
            )
        ).first()
    subject = (answered.raw or {}).get("subject") if answered is not None else None
    return OutboundMessage(
        network=post.network,
        text=post.text,
        private=post.is_private,
        idempotency_key=post.delivery_key or f"socialdesk-post-{post.id}",
        in_reply_to=post.in_reply_to,
        recipient_id=identity.external_id if identity else None,
        recipient_handle=identity.handle if identity else None,
        conversation_key=conversation.external_key,
        subject=subject if isinstance(subject, str) else None,
        created_at=post.created_at,
    )


def _deliver(db: Database, http: httpx.Client, claim: Claim, now: Callable[[], datetime]) -> None:
    network = connector(claim.channel.network)
    try:
        result = None
        if claim.uncertain:
            result = network.find_sent(http, claim.channel.account, claim.message)
        if result is None:
            result = network.send(http, claim.channel.account, claim.message)
        crash_point("after_send")
    except RateLimited as exc:
        retry, reason = as_utc(exc.retry_at), str(exc)
        # A 429 made nothing, but if the look for an earlier attempt was what got refused, that
        # attempt's outcome is still unknown.
        _record(db, claim, lambda post: _retry_at(post, retry, reason, unknown=claim.uncertain), reason)
    except TemporaryError as exc:
        # A timeout or a 5xx may come after the network made the post: the next try asks first.
        reason = str(exc)
        _record(db, claim, lambda post: _retry_later(post, reason, now(), uncertain=True), reason)
    except ChannelError as exc:  # a refusal, refused credentials, an answer we cannot read
        reason = str(exc)
        _record(db, claim, lambda post: _fail(post, reason), reason)
    except Exception as exc:  # a bug must not leave the reply claimed forever: retry, and say so
        log.exception("sending post %s failed", claim.post_id)
        reason = f"unexpected error: {type(exc).__name__}: {exc}"
        _record(db, claim, lambda post: _retry_later(post, reason, now(), uncertain=True), reason)
    else:
        _record_sent(db, claim, result)


def _record(db: Database, claim: Claim, change: Callable[[Post], None], error: str) -> None:
    with db.write() as session:
        post = session.get(Post, claim.post_id)
        if post is None or post.delivery_status is not DeliveryStatus.SENDING:
            return
        change(post)
        record_error(session, claim.channel.id, error)


def _record_sent(db: Database, claim: Claim, result: SendResult) -> None:
    with db.write() as session:
        db.lock_workspace(session, claim.workspace_id)
        post = session.get(Post, claim.post_id)
        if post is None or post.delivery_status is not DeliveryStatus.SENDING:
            return
        _drop_echo(session, post, result.external_id)
        post.delivery_status = DeliveryStatus.SENT
        post.external_id = result.external_id
        post.sent_at = result.sent_at
        post.next_send_at = None
        post.send_error = None
        post.send_outcome_unknown = False
        record_success(session, claim.channel.id)


def _drop_echo(session: Session, post: Post, external_id: str) -> None:
    """The network may have echoed our reply back (a webhook, a poll) before we recorded sending it;
    that copy is the same post, so it goes and this one takes the network's id."""
    echo = session.scalars(
        select(Post).where(
            Post.workspace_id == post.workspace_id,
            Post.network == post.network,
            Post.external_id == external_id,
            Post.id != post.id,
        )
    ).first()
    if echo is not None and echo.direction is Direction.OUTBOUND and echo.agent_id is None:
        session.delete(echo)  # its triage job finds no post and does nothing
        session.flush()


def _retry_at(post: Post, when: datetime, reason: str, unknown: bool = False) -> None:
    post.delivery_status = DeliveryStatus.QUEUED
    post.send_outcome_unknown = unknown
    post.next_send_at = when
    post.send_error = reason  # shown on the case while the reply waits


def _retry_later(post: Post, reason: str, now: datetime, uncertain: bool = False) -> None:
    post.send_attempts += 1
    if post.send_attempts >= MAX_ATTEMPTS:
        _fail(post, f"gave up after {post.send_attempts} attempts: {reason}")
        return
    _retry_at(post, now + backoff(post.send_attempts), reason, unknown=uncertain)


def _fail(post: Post, reason: str) -> None:
    post.delivery_status = DeliveryStatus.FAILED
    post.send_error = reason[:2000]
    post.next_send_at = None


def retry_failed(db: Database, workspace_id: int, post_id: int) -> None:
    """An agent asks to send a failed reply again (after fixing the channel, say)."""
    with db.write() as session:
        post = session.scalars(
            select(Post).where(Post.workspace_id == workspace_id, Post.id == post_id)
        ).first()
        if post is None or post.direction is not Direction.OUTBOUND or post.agent_id is None:
            raise NotFound(f"reply {post_id} not found")
        if post.delivery_status is DeliveryStatus.FAILED:
            post.delivery_status = DeliveryStatus.QUEUED
            post.send_attempts = 0
            post.next_send_at = utcnow()
