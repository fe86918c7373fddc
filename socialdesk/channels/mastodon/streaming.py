"""Mastodon's streaming API: server-sent events, read as the runner's stream items.

The connector (connector.py) hands its credentials over; the reading, the redirect to a separate
streaming host and the SSE framing are here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import httpx2 as httpx

from socialdesk.channels import http
from socialdesk.channels.base import Account, StreamItem
from socialdesk.channels.mastodon.parse import DEFAULT_API
from socialdesk.core.errors import PermanentSendError, TemporaryError

LABEL = "Mastodon"
_STREAM_PATHS = {"user": "/api/v1/streaming/user", "user:notification": "/api/v1/streaming/user/notification"}
# The server writes ":thump" every 15 s; a minute of silence is a dead connection.
_STREAM_TIMEOUT = httpx.Timeout(10.0, read=60.0)
_REDIRECTS = (301, 302, 307, 308)
STREAM_SOURCES = tuple(_STREAM_PATHS)


def stream_items(
    client: httpx.Client, account: Account, source: str, auth: dict[str, str]
) -> Iterator[StreamItem]:
    """GET /api/v1/streaming/<source> as server-sent events: one item per event block, and one per
    heartbeat (so that the runner can look up from a quiet stream). The streaming server may live on
    another host: the `streaming_base` setting, or the redirect Mastodon answers with."""
    path = _STREAM_PATHS.get(source)
    if path is None:
        raise PermanentSendError(f"Mastodon has no stream called {source!r}")
    url = account.setting("streaming_base", account.setting("api_base", DEFAULT_API)).rstrip("/") + path
    headers = {**auth, "Accept": "text/event-stream"}
    for hop in range(2):
        redirect: str | None = None
        try:
            with client.stream("GET", url, headers=headers, timeout=_STREAM_TIMEOUT) as response:
                if response.status_code in _REDIRECTS and hop == 0:
                    redirect = _redirect_target(response, url)
                else:
                    if not 200 <= response.status_code < 300:
                        response.read()
                        http.check(response, f"{LABEL} streaming")
                    yield from _stream_items(_lines(response.iter_bytes()))
        except httpx.TimeoutException as exc:
            raise TemporaryError(f"the Mastodon stream went quiet ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TemporaryError(f"the Mastodon stream dropped: {exc}") from exc
        if redirect is None:
            raise TemporaryError("the Mastodon stream was closed by the server")
        url = redirect
    raise TemporaryError("the Mastodon streaming server redirected twice")


def _redirect_target(response: httpx.Response, url: str) -> str:
    """Where the REST host sends us for streaming; only over https, or the scheme we came with."""
    location = response.headers.get("location")
    if not location:
        raise TemporaryError("the Mastodon streaming redirect names no address")
    target = str(httpx.URL(url).join(location))
    if not (target.startswith("https://") or target.split(":", 1)[0] == url.split(":", 1)[0]):
        raise PermanentSendError(f"the Mastodon streaming redirect leads to {target}, not over https")
    return target


_EOL = re.compile(rb"\r\n|\r|\n")


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a byte stream, split at CR, LF or CRLF only (the SSE line ends). httpx's own
    iter_lines also splits at U+2028, NEL and form feeds, which a status's JSON may hold raw."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        held = buffer.endswith(b"\r")  # perhaps the first half of a CRLF
        parts = _EOL.split(buffer[:-1] if held else buffer)
        buffer = parts.pop() + (b"\r" if held else b"")
        yield from parts


def _stream_items(lines: Iterable[bytes]) -> Iterator[StreamItem]:
    block: list[bytes] = []
    for line in lines:
        if not line:
            if block:
                yield StreamItem(b"\n".join(block))
                block = []
        elif line.startswith(b":"):
            if not block:
                yield StreamItem(line)
        else:
            block.append(line)
