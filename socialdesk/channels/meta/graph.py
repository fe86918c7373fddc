"""Talking to the Graph API: addresses, the access token, and what Meta's refusals mean.

Meta signals throttling by error code, usually on a 400 or 403, rarely with a 429: codes 4 (app), 17
(user), 32 (Page), 613 (custom) and 80001-80014 (Business Use Case limits: Pages, Instagram,
Messenger, ...). How long to wait comes, where it comes at all, as `estimated_time_to_regain_access`
(minutes) in the JSON of the X-Business-Use-Case-Usage header (or X-Page-Usage, X-App-Usage). Code 190
is an expired or revoked token. `channels.http.check` goes by status alone, so these requests go
through `graph_call`, which reads the error body first (see the report on `http.call` taking a check).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx

from socialdesk.channels.base import Account, optional_int
from socialdesk.channels.http import MAX_WAIT, error_text, json_body, request, retry_at
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import (
    CredentialsError,
    PayloadError,
    PermanentSendError,
    RateLimited,
    TemporaryError,
)

DEFAULT_API = "https://graph.facebook.com"
DEFAULT_VERSION = "v26.0"  # the newest Graph API version (29 July 2026)
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TOKEN_CODES = frozenset({102, 190})  # session expired; token invalid, expired or revoked
TRANSIENT_CODES = frozenset({1, 2})  # "an unknown error occurred", "service temporarily unavailable"
# A throttled answer naming no time: Meta's limits roll over an hour, so a minute would only throttle again.
THROTTLE_WAIT = timedelta(minutes=5)
_USAGE_HEADERS = ("x-business-use-case-usage", "x-page-usage", "x-app-usage", "x-ad-account-usage")


@dataclass(frozen=True, slots=True)
class GraphError:
    """The `error` object of a Graph API refusal."""

    message: str
    code: int | None
    subcode: int | None
    transient: bool

    def __str__(self) -> str:
        code = (
            f" (code {self.code}" + (f", subcode {self.subcode})" if self.subcode else ")")
            if self.code
            else ""
        )
        return self.message + code


def graph_error(response: httpx.Response) -> GraphError | None:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    message = error.get("error_user_msg") or error.get("message")
    return GraphError(
        message=message if isinstance(message, str) and message else "no message",
        code=optional_int(error.get("code")),
        subcode=optional_int(error.get("error_subcode")),
        transient=error.get("is_transient") is True,
    )


def explain(response: httpx.Response) -> str:
    """Meta's own sentence for a refusal, with its error code (what agents and admins look up)."""
    error = graph_error(response)
    return str(error) if error else error_text(response)


def regain_access_at(response: httpx.Response, now: datetime | None = None) -> datetime:
    """When a throttled app may call again: the usage headers' estimate (minutes), then Retry-After."""
    now = now or utcnow()
    minutes = max((_estimates(response.headers.get(name)) for name in _USAGE_HEADERS), default=0.0)
    if minutes > 0:
        return now + min(timedelta(minutes=minutes), MAX_WAIT)
    if response.headers.get("retry-after"):
        return retry_at(response, now)
    return now + THROTTLE_WAIT


def _estimates(header: str | None) -> float:
    if not header:
        return 0.0
    try:
        usage = json.loads(header)
    except ValueError:
        return 0.0
    return _largest_estimate(usage)


def _largest_estimate(value: Any) -> float:
    """X-Business-Use-Case-Usage maps business ids to lists of usage objects; the others are one object."""
    if isinstance(value, dict):
        found = value.get("estimated_time_to_regain_access")
        own = float(found) if isinstance(found, int | float) and not isinstance(found, bool) else 0.0
        return max([own, *(_largest_estimate(v) for v in value.values() if isinstance(v, dict | list))])
    if isinstance(value, list):
        return max((_largest_estimate(v) for v in value), default=0.0)
    return 0.0


def check(response: httpx.Response, label: str) -> None:
    """Raise the error a Graph API answer means; return quietly for a 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    error = graph_error(response)
    reason = str(error) if error else error_text(response)
    code = error.code if error else None
    if status == 429 or code in THROTTLE_CODES:
        raise RateLimited(f"{label} rate limit: {reason}", regain_access_at(response))
    if code in TOKEN_CODES or status == 401 or (status == 403 and error is None):
        raise CredentialsError(f"{label} refused the access token ({status}): {reason}")
    if status >= 500 or status == 408 or (error is not None and (error.transient or code in TRANSIENT_CODES)):
        raise TemporaryError(f"{label} answered {status}: {reason}")
    raise PermanentSendError(f"{label} refused it ({status}): {reason}", status)


@dataclass(frozen=True, slots=True)
class Graph:
    """One account's way into the Graph API (or graph.instagram.com, for Instagram Login tokens)."""

    label: str
    base: str
    version: str
    token: str
    proof: str | None  # appsecret_proof, for apps that require every call to be signed

    @classmethod
    def of(cls, account: Account, credential: str, label: str) -> Graph:
        token = account.credentials.get(credential, "").strip()
        if not token:
            raise CredentialsError(f"this {label} channel has no access token ({credential})")
        secret = account.credentials.get("app_secret", "").strip()
        signed = secret and account.setting("appsecret_proof", "on") != "off"
        return cls(
            label=label,
            base=account.setting("api_base", DEFAULT_API).rstrip("/"),
            version=account.setting("graph_version", DEFAULT_VERSION).strip("/"),
            token=token,
            proof=hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest() if signed else None,
        )

    def url(self, path: str) -> str:
        return f"{self.base}/{self.version}/{path.lstrip('/')}"

    def call(
        self,
        http: httpx.Client,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """One request; the decoded JSON answer, or the error its refusal means."""
        query = dict(params or {})
        if self.proof:
            query["appsecret_proof"] = self.proof
        response = request(
            http,
            method,
            self.url(path),
            self.label,
            params=query,
            headers={"Authorization": f"Bearer {self.token}"},  # kept out of URLs and their logs
            **kwargs,
        )
        check(response, self.label)
        return json_body(response, self.label)


def require_id(body: Any, key: str, label: str) -> str:
    """The id a successful write answers with; without it we cannot know what was posted."""
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{label} accepted the request but named no {key}: {json.dumps(body)[:200]}")
    return value
