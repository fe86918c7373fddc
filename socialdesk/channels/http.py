"""Talking HTTP to a network: one place that turns its answers into SocialDesk's errors.

Every connector sends its requests through `call`, so that a 429 always becomes `RateLimited` with the
time the network named (whichever header it uses), a 5xx or a dropped connection `TemporaryError`, and
any other refusal `PermanentSendError` carrying the network's own explanation, which agents see.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import (
    CredentialsError,
    PayloadError,
    PermanentSendError,
    RateLimited,
    TemporaryError,
)

USER_AGENT = "SocialDesk/0.1 (+https://github.com/socialdesk)"
DEFAULT_WAIT = timedelta(seconds=60)  # a 429 that names no time
MAX_WAIT = timedelta(hours=24)
# A reset value below this is a number of seconds to wait; above it, a Unix time (X, Bluesky send
# epoch seconds; Reddit and the IETF RateLimit draft send seconds; Mastodon an ISO 8601 time).
_EPOCH_THRESHOLD = 1_000_000_000
_RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")


def client(timeout: float = 30.0) -> httpx.Client:
    """The client connectors use in production: a timeout on every call, no redirects to follow."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=10.0),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    )


def retry_at(response: httpx.Response, now: datetime | None = None) -> datetime:
    """When the network says we may call again: Retry-After first, then its rate-limit reset header."""
    now = now or utcnow()
    for name in ("retry-after", *_RESET_HEADERS):
        value = response.headers.get(name)
        if value:
            moment = _parse_time(value.strip(), now)
            if moment is not None:
                return min(max(moment, now + timedelta(seconds=1)), now + MAX_WAIT)
    return now + DEFAULT_WAIT


def _parse_time(value: str, now: datetime) -> datetime | None:
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if number >= _EPOCH_THRESHOLD:
            return datetime.fromtimestamp(number, UTC)
        return now + timedelta(seconds=max(number, 0))
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)  # Retry-After: an HTTP date
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def error_text(response: httpx.Response) -> str:
    """The network's own explanation of a refusal, as short as it comes."""
    try:
        body: Any = response.json()
    except (ValueError, UnicodeDecodeError):
        text = response.text.strip()
        return text[:300] if text else response.reason_phrase
    return _message_in(body) or json.dumps(body)[:300]


def _message_in(body: Any) -> str | None:
    """The human sentence in the error bodies networks send (X: detail/title/errors[].message; Meta:
    error.message; Mastodon: error; Bluesky: message; Reddit: json.errors)."""
    if isinstance(body, dict):
        for key in ("detail", "message", "error_description", "error", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict):
                inner = _message_in(value)
                if inner:
                    return inner
        for key in ("errors", "json"):
            if key in body:
                inner = _message_in(body[key])
                if inner:
                    return inner
    if isinstance(body, list):
        if body and all(isinstance(item, str) for item in body):  # Reddit: [code, message, field]
            return ": ".join(str(item) for item in body[:2] if item)
        for item in body:
            inner = _message_in(item) if isinstance(item, dict | list) else None
            if inner:
                return inner
            if isinstance(item, str) and item:
                return item
    return None


def check(
    response: httpx.Response, label: str, explain: Callable[[httpx.Response], str] = error_text
) -> None:
    """Raise the error a non-2xx answer means; return quietly for a 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = explain(response)
    if status == 429:
        raise RateLimited(f"{label} rate limit: {reason}", retry_at(response))
    if status >= 500 or status == 408:
        raise TemporaryError(f"{label} answered {status}: {reason}")
    if status in (401, 403):
        raise CredentialsError(f"{label} refused the credentials ({status}): {reason}", status)
    raise PermanentSendError(f"{label} refused it ({status}): {reason}", status)


def call(
    http: httpx.Client,
    method: str,
    url: str,
    label: str,
    explain: Callable[[httpx.Response], str] = error_text,
    **kwargs: Any,
) -> httpx.Response:
    """One request; transport failures become TemporaryError, refusals the errors of `check`."""
    response = request(http, method, url, label, **kwargs)
    check(response, label, explain)
    return response


def request(http: httpx.Client, method: str, url: str, label: str, **kwargs: Any) -> httpx.Response:
    """One request, its answer unchecked (for a network whose refusals need reading first); a
    timeout or a connection that fails becomes TemporaryError, as in `call`."""
    try:
        return http.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise TemporaryError(f"{label} did not answer in time ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise TemporaryError(f"could not reach {label}: {exc}") from exc


def json_body(response: httpx.Response, label: str) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{label} sent a body that is not JSON") from exc
