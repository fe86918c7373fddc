"""Listening on Bluesky: Jetstream, the firehose as JSON over a WebSocket, one event per message.

We subscribe to `{jetstream}/subscribe?wantedCollections=app.bsky.feed.post`: every post, edit and
deletion on the network, tens to hundreds a second. Only what is the brand's business goes on to be
stored (`parse.wanted`: replies to, quotes and mentions of the brand, its own replies, and posts
matching the channel's `queries`), and every post deletion, since a deletion does not say whose post
it removed and the brand may hold it. So that a busy stream with nothing for the brand still moves its
cursor forward, an event that is not kept goes on anyway every few seconds as a checkpoint (it parses
to nothing; the runner saves its cursor).

The cursor is the event's `time_us` (microseconds since the epoch), the largest seen so far: Jetstream
orders events only roughly by it. On reconnecting we ask for events from a few seconds before it, as
Jetstream's documentation advises (a replay is not guaranteed gapless exactly at the cursor; what is
replayed twice, ingest drops). time_us cursors work on every Jetstream instance, v1 or v2 (v2 reads a
value above 10^15 as a timestamp), unlike v2's per-instance sequence numbers.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx2 as httpx
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidHandshake, InvalidStatus
from websockets.sync.client import connect

from socialdesk.channels import http as net
from socialdesk.channels.base import Account, StreamItem, default_reconnect_delay
from socialdesk.channels.bluesky import parse
from socialdesk.core.errors import (
    ChannelError,
    CredentialsError,
    PermanentSendError,
    RateLimited,
    TemporaryError,
)

log = logging.getLogger(__name__)

STREAM_SOURCES = ("jetstream",)
DEFAULT_JETSTREAM = "wss://jetstream2.us-east.bsky.network"
LABEL = "Jetstream"
REWIND_US = 5_000_000
CHECKPOINT_SECONDS = 5.0
# The live firehose never goes a minute without a post; silence that long is a dead connection.
QUIET_SECONDS = 60.0
MAX_MESSAGE = 4 * 1024 * 1024  # a post record is at most a few kilobytes; 4 MiB refuses nothing real


def subscribe_url(account: Account, cursor: str | None) -> str:
    base = account.setting("jetstream", DEFAULT_JETSTREAM).rstrip("/")
    if not base.endswith("/subscribe"):
        base += "/subscribe"
    query: list[tuple[str, str]] = [("wantedCollections", parse.POST)]
    if cursor and cursor.isdigit() and int(cursor) > REWIND_US:
        query.append(("cursor", str(int(cursor) - REWIND_US)))
    return f"{base}?{urlencode(query)}"


def stream(
    account: Account, source: str, cursor: str | None, clock: Callable[[], float] = time.monotonic
) -> Iterator[StreamItem]:
    """Yield the events to keep (and checkpoints); raise TemporaryError when the socket closes."""
    if source not in STREAM_SOURCES:
        raise ChannelError(f"Bluesky has no stream called {source!r}; it has {', '.join(STREAM_SOURCES)}")
    url = subscribe_url(account, cursor)
    try:
        with connect(
            url,
            open_timeout=10,
            ping_interval=20,
            ping_timeout=20,
            close_timeout=5,
            max_size=MAX_MESSAGE,
            user_agent_header=net.USER_AGENT,
        ) as socket:
            newest = 0
            last_sent = clock()
            while True:
                try:
                    message = socket.recv(timeout=QUIET_SECONDS)
                except TimeoutError as exc:
                    raise TemporaryError(f"{LABEL} sent nothing for {QUIET_SECONDS:.0f} s") from exc
                payload = message.encode() if isinstance(message, str) else bytes(message)
                doc = _event(payload)
                if doc is None:
                    continue
                time_us = doc.get("time_us")
                if isinstance(time_us, int) and not isinstance(time_us, bool) and time_us > newest:
                    newest = time_us
                mark = str(newest) if newest else None
                checkpoint = mark is not None and clock() - last_sent >= CHECKPOINT_SECONDS
                if checkpoint or _keep(doc, account):
                    last_sent = clock()
                    yield StreamItem(payload, mark)
    except ConnectionClosedOK as exc:
        raise TemporaryError(
            f"{LABEL} closed the stream ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        ) from exc
    except ConnectionClosedError as exc:
        raise TemporaryError(f"{LABEL} dropped the stream: {exc}") from exc
    except InvalidStatus as exc:
        raise _refusal(exc) from exc
    except (InvalidHandshake, OSError, TimeoutError) as exc:
        raise TemporaryError(f"could not reach {LABEL} at {url.split('?')[0]}: {exc}") from exc
    raise TemporaryError(f"{LABEL} closed the stream")


def _event(payload: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        log.warning("skipped a %s message that is not JSON (%d bytes)", LABEL, len(payload))
        return None
    return doc if isinstance(doc, dict) else None


def _keep(doc: dict[str, Any], account: Account) -> bool:
    """Whether the event goes to the parser: a post deletion, or a post (or edit) the brand wants."""
    commit = doc.get("commit")
    if doc.get("kind") != "commit" or not isinstance(commit, dict) or commit.get("collection") != parse.POST:
        return False
    operation = commit.get("operation")
    if operation == "delete":
        return True
    record = commit.get("record")
    did = doc.get("did")
    return (
        operation in ("create", "update")
        and isinstance(record, dict)
        and isinstance(did, str)
        and parse.wanted(did, record, account)
    )


def _refusal(exc: InvalidStatus) -> ChannelError:
    status = exc.response.status_code
    body = exc.response.body.decode("utf-8", "replace").strip()[:300] if exc.response.body else ""
    reason = body or exc.response.reason_phrase
    if status == 429:
        answer = httpx.Response(429, headers=list(exc.response.headers.raw_items()))
        return RateLimited(f"{LABEL} rate limit: {reason}", net.retry_at(answer))
    if status >= 500:
        return TemporaryError(f"{LABEL} answered {status}: {reason}")
    if status in (401, 403):
        return CredentialsError(f"{LABEL} refused the connection ({status}): {reason}")
    return PermanentSendError(f"{LABEL} refused the subscription ({status}): {reason}", status)


def reconnect_delay(error: Exception, attempt: int) -> float:
    """Jetstream documents no reconnection timing: 1 s doubling to a minute for drops and 5xx, five
    minutes when it refused the subscription itself (a wrong address or parameter)."""
    if isinstance(error, CredentialsError | PermanentSendError):
        return 300.0
    return min(default_reconnect_delay(error, attempt), 60.0)
