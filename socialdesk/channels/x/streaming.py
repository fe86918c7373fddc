"""X's filtered stream: one long-lived GET that sends a post per line and a blank line as keep-alive.

A stream always ends sooner or later (X deploys, network trouble, a slow reader); `stream` then raises
and the runner (pipeline/streams.py) reconnects after `reconnect_delay`, which follows X's documented
backoff. What was posted while it was down is picked up by the "search" poller.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx2 as httpx

from socialdesk.channels import http as net
from socialdesk.channels.base import Account, StreamItem
from socialdesk.channels.x import api
from socialdesk.channels.x.reading import error_summary
from socialdesk.core.errors import ChannelError, RateLimited, TemporaryError

STREAM_SOURCES = ("filtered",)
# X sends a keep-alive every 20 seconds and says to reconnect when nothing came for that long; a few
# seconds more spares a reconnect for a keep-alive that is merely late.
READ_TIMEOUT = 25.0


class StreamDropped(TemporaryError):
    """The connection broke or ended: a network-level failure in X's backoff terms."""


def stream(http: httpx.Client, account: Account, source: str, cursor: str | None) -> Iterator[StreamItem]:
    """Yield each non-empty line of the filtered stream; raise when it drops or ends."""
    if source not in STREAM_SOURCES:
        raise ChannelError(f"X has no stream called {source!r}")
    address = api.url(account, "/2/tweets/search/stream")
    timeout = httpx.Timeout(10.0, read=READ_TIMEOUT)
    try:
        with http.stream(
            "GET", address, params=api.POST_READ, headers=api.auth(api.app_token(account)), timeout=timeout
        ) as response:
            if response.status_code != 200:
                response.read()
                net.check(response, "X's filtered stream")
                raise TemporaryError(f"X's filtered stream answered {response.status_code}")
            for line in response.iter_lines():
                if not line.strip():
                    continue  # keep-alive
                payload = line.encode()
                _raise_if_disconnect(payload)
                yield StreamItem(payload)
    except httpx.TimeoutException as exc:
        raise StreamDropped(f"X's filtered stream went silent ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise StreamDropped(f"X's filtered stream dropped: {exc}") from exc
    raise StreamDropped("X closed the filtered stream")


def _raise_if_disconnect(payload: bytes) -> None:
    """X writes why it disconnects as a last line, `{"errors": [{"title": "operational-disconnect",
    "disconnect_type": ...}]}`, then closes: say so now rather than wait for the close."""
    if not payload.startswith(b'{"errors"') and b"disconnect_type" not in payload:
        return
    try:
        doc = json.loads(payload)
    except ValueError:
        return
    if not isinstance(doc, dict) or "data" in doc:
        return
    errors = doc.get("errors")
    if isinstance(errors, list) and any(isinstance(e, dict) and "disconnect_type" in e for e in errors):
        raise StreamDropped(f"X disconnected the filtered stream: {error_summary(errors)}")


def reconnect_delay(error: Exception, attempt: int) -> float:
    """Seconds before reconnecting, as X's "Handling disconnections" guide prescribes
    (docs.x.com/x-api/fundamentals/handling-disconnections, "Reconnection strategy"): reconnect at
    once after an established stream drops; then back off linearly by 250 ms up to 16 s for network
    errors, exponentially from 5 s up to 320 s for HTTP errors, and exponentially from a minute for 429.
    """
    attempt = max(attempt, 1)
    if isinstance(error, RateLimited):
        # The guide sets no ceiling; X's rate-limit windows are 15 minutes, so no wait need be longer.
        return float(min(60 * 2 ** (attempt - 1), 15 * 60))
    if isinstance(error, StreamDropped | ConnectionError | OSError):
        return min(0.25 * (attempt - 1), 16.0)
    return float(min(5 * 2 ** (attempt - 1), 320))
