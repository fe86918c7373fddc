"""Polling: read what is new on a channel's sources since their stored cursors, and keep it.

Each page is stored, and its cursor advanced, in one transaction (`ingest_posts(..., after=...)`): a
worker killed after a fetch and before that commit leaves the cursor where it was, so the next round
fetches the same page again and ingest drops what it already holds. Nothing is lost, nothing doubled.

A channel is leased to one worker for a round (`poll_lease_until`), so several worker processes can run
side by side without two of them polling the same account at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx2 as httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from socialdesk.channels import connector
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import ChannelError, RateLimited
from socialdesk.pipeline.channel_accounts import ACTIVE, LoadedChannel, loaded, record_health
from socialdesk.pipeline.credentials import Vault
from socialdesk.pipeline.faults import crash_point
from socialdesk.pipeline.ingest import Outcome, ingest_posts
from socialdesk.store.db import Database
from socialdesk.store.models import ChannelAccount, ChannelCursor

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_PAGES = 20  # per source and round: a deep backlog is read over several rounds, not in one go


@dataclass
class PollReport:
    channel_id: int
    stored: int = 0
    duplicates: int = 0
    deleted: int = 0
    errors: list[str] = field(default_factory=list)


def read_cursor(session: Session, channel_id: int, source: str) -> str | None:
    return session.scalar(
        select(ChannelCursor.value).where(
            ChannelCursor.channel_account_id == channel_id, ChannelCursor.source == source
        )
    )


def save_cursor(session: Session, workspace_id: int, channel_id: int, source: str, value: str) -> None:
    row = session.scalars(
        select(ChannelCursor).where(
            ChannelCursor.channel_account_id == channel_id, ChannelCursor.source == source
        )
    ).first()
    if row is None:
        session.add(
            ChannelCursor(
                workspace_id=workspace_id, channel_account_id=channel_id, source=source, value=value
            )
        )
    else:
        row.value = value
        row.updated_at = utcnow()


def sources_of(channel: LoadedChannel) -> list[str]:
    """The sources a channel polls: its settings' choice, else every source its connector has."""
    offered = connector(channel.network).sources
    chosen = channel.account.settings.get("sources")
    if isinstance(chosen, list):
        return [s for s in chosen if s in offered]
    return list(offered)


def poll_channel(db: Database, channel: LoadedChannel, http: httpx.Client) -> PollReport:
    """One round over every source of one channel."""
    report = PollReport(channel.id)
    network = connector(channel.network)
    for source in sources_of(channel):
        for _ in range(MAX_PAGES):
            with db.read() as session:
                cursor = read_cursor(session, channel.id, source)
            page = network.fetch(http, channel.account, source, cursor)
            crash_point("after_fetch")
            advance = _advance(channel, source, cursor, page.cursor)
            for result in ingest_posts(db, channel.workspace_id, page.events, after=advance):
                if result.outcome is Outcome.STORED:
                    report.stored += 1
                elif result.outcome is Outcome.DELETED:
                    report.deleted += 1
                elif result.outcome is Outcome.FAILED:
                    report.errors.append(result.reason or "not stored")
                else:
                    report.duplicates += 1
            if not page.more or page.cursor is None or page.cursor == cursor:
                break
    return report


def _advance(
    channel: LoadedChannel, source: str, old: str | None, new: str | None
) -> Callable[[Session], None] | None:
    if new is None or new == old:
        return None

    def save(session: Session) -> None:
        save_cursor(session, channel.workspace_id, channel.id, source, new)

    return save


def poll_due(
    db: Database,
    vault: Vault,
    http: httpx.Client,
    interval: timedelta,
    now: Callable[[], datetime] = utcnow,
) -> list[PollReport]:
    """Poll every active channel whose turn it is; return what each round found."""
    reports = []
    for row_id in _due_channels(db, now()):
        if not _take_lease(db, row_id, now()):
            continue  # another worker took it first
        next_poll = now() + interval
        error: str | None = None
        try:
            with db.read() as session:
                row = session.get_one(ChannelAccount, row_id)
                channel = loaded(row, vault)
            reports.append(poll_channel(db, channel, http))
        except RateLimited as exc:
            error, next_poll = str(exc), max(as_utc(exc.retry_at), next_poll)
        except ChannelError as exc:
            error = str(exc)
        except Exception as exc:  # one broken channel must not stop the others
            log.exception("polling channel %s failed", row_id)
            error = f"unexpected error: {type(exc).__name__}: {exc}"
        record_health(db, row_id, error)
        with db.write() as session:
            session.execute(
                update(ChannelAccount)
                .where(ChannelAccount.id == row_id)
                .values(poll_lease_until=None, next_poll_at=next_poll)
            )
    return reports


def _due_channels(db: Database, now: datetime) -> list[int]:
    with db.read() as session:
        rows = session.execute(
            select(ChannelAccount.id, ChannelAccount.network).where(
                ChannelAccount.status == ACTIVE,
                ChannelAccount.credentials.is_not(None),
                or_(ChannelAccount.next_poll_at.is_(None), ChannelAccount.next_poll_at <= now),
                or_(ChannelAccount.poll_lease_until.is_(None), ChannelAccount.poll_lease_until <= now),
            )
        ).all()
    return [row_id for row_id, network in rows if connector(network).sources]


def _take_lease(db: Database, channel_id: int, now: datetime) -> bool:
    with db.write() as session:
        taken = session.execute(
            update(ChannelAccount)
            .where(
                ChannelAccount.id == channel_id,
                or_(ChannelAccount.poll_lease_until.is_(None), ChannelAccount.poll_lease_until <= now),
            )
            .values(poll_lease_until=now + LEASE)
        )
        return bool(getattr(taken, "rowcount", 0))
