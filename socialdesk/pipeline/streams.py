"""Long-lived streams (X's filtered stream, Mastodon's streaming API, Bluesky's Jetstream): read
payloads as they come, store each before reading on, reconnect with the network's own backoff.

A stream drops now and then; whatever came while it was down is picked up by the channel's pollers
(recent search, notifications) or, where the stream has one, from its stored cursor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import httpx2 as httpx
from sqlalchemy.orm import Session

from socialdesk.channels import connector
from socialdesk.channels.base import Streaming
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import ChannelError, PayloadError, RateLimited
from socialdesk.pipeline.channel_accounts import ACTIVE, load_account, record_health
from socialdesk.pipeline.credentials import Vault
from socialdesk.pipeline.ingest import ingest_posts
from socialdesk.pipeline.polling import read_cursor, save_cursor
from socialdesk.store.db import Database

log = logging.getLogger(__name__)


def _cursor_saver(
    workspace_id: int, channel_id: int, source: str, value: str | None
) -> Callable[[Session], None] | None:
    if value is None:
        return None

    def save(session: Session) -> None:
        save_cursor(session, workspace_id, channel_id, source, value)

    return save


def run_stream(
    db: Database,
    vault: Vault,
    channel_id: int,
    source: str,
    http: httpx.Client,
    stop: threading.Event,
    max_failures: int | None = None,
) -> int:
    """Hold the stream open until `stop` is set (or the channel is paused); return posts stored.

    `max_failures` ends the run after that many failed connections in a row (for tests and `--once`).
    """
    stored = 0
    failures = 0
    while not stop.is_set():
        channel = load_account(db, vault, channel_id)
        if channel.status != ACTIVE:
            log.info("channel %s is %s; stream stopped", channel_id, channel.status)
            return stored
        network = connector(channel.network)
        if not isinstance(network, Streaming) or source not in network.stream_sources:
            raise ChannelError(f"{channel.network} has no stream called {source!r}")
        with db.read() as session:
            cursor = read_cursor(session, channel_id, source)
        try:
            for item in network.stream(http, channel.account, source, cursor):
                failures = 0
                if stop.is_set():
                    return stored
                if not item.payload.strip():  # a keep-alive: only a chance to notice `stop`
                    continue
                try:
                    events = network.parse(item.payload, channel.account)
                except PayloadError as exc:  # one bad line must not end the stream
                    log.warning("stream %s/%s: skipped a payload: %s", channel_id, source, exc)
                    continue
                after = _cursor_saver(channel.workspace_id, channel_id, source, item.cursor)
                if events or after is not None:
                    results = ingest_posts(db, channel.workspace_id, events, after=after)
                    stored += sum(1 for r in results if r.outcome.value == "stored")
            error: Exception | None = None
        except (RateLimited, ChannelError) as exc:
            error = exc
        failures += 1
        wait = network.reconnect_delay(error or ConnectionError("stream ended"), failures)
        if isinstance(error, RateLimited):
            wait = max(wait, (as_utc(error.retry_at) - utcnow()).total_seconds())
        record_health(db, channel_id, str(error) if error else None)
        if max_failures is not None and failures >= max_failures:
            return stored
        log.info("stream %s/%s reconnects in %.1f s", channel_id, source, wait)
        stop.wait(timedelta(seconds=wait).total_seconds())
    return stored
