"""Talking to Reddit's OAuth2 API: the access token, the user agent, and its rate-limit window.

Reddit hands a script app an access token for the account's username and password
(`grant_type=password`), and any app one for a refresh token (`grant_type=refresh_token`), from
`POST https://www.reddit.com/api/v1/access_token` with the app's id and secret as HTTP basic auth
(github.com/reddit-archive/reddit/wiki/OAuth2). API calls then go to `https://oauth.reddit.com` with
`Authorization: bearer <token>` and a descriptive User-Agent, "<platform>:<app id>:<version>
(by /u/<user>)"; generic agents are throttled hard.

Connectors are stateless module objects, so the token (an hour's worth) and what the last answer said
about the rate-limit window (`X-Ratelimit-Remaining`, `X-Ratelimit-Reset`: seconds to the window's end)
live here, in memory, one entry per app and account. A token Reddit no longer takes (401) is replaced
once and the call repeated; a window that is used up turns the next call into `RateLimited` at once
instead of a request Reddit would refuse.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx

from socialdesk.channels.base import Account
from socialdesk.channels.http import call, error_text, json_body
from socialdesk.channels.reddit.parse import bare_handle
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import CredentialsError, PayloadError, RateLimited

LABEL = "Reddit"
API_BASE = "https://oauth.reddit.com"
AUTH_BASE = "https://www.reddit.com"
VERSION = "0.1"
TOKEN_MARGIN = timedelta(seconds=60)  # renew a little before Reddit's expiry, not on its heels


@dataclass
class _Session:
    token: str | None = None
    expires_at: datetime | None = None
    blocked_until: datetime | None = None  # the rate-limit window is used up until then


_sessions: dict[tuple[str, ...], _Session] = {}
_lock = threading.Lock()


def api_base(account: Account) -> str:
    return account.setting("api_base", API_BASE).rstrip("/")


def auth_base(account: Account) -> str:
    return account.setting("auth_base", AUTH_BASE).rstrip("/")


def user_agent(account: Account) -> str:
    given = account.credentials.get("user_agent") or account.settings.get("user_agent")
    if isinstance(given, str) and given.strip():
        return given.strip()
    return f"server:socialdesk:{VERSION} (by /u/{username(account)})"


def username(account: Account) -> str:
    return bare_handle(account.credentials.get("username") or account.handle)


def _key(account: Account) -> tuple[str, ...]:
    grant = account.credentials.get("refresh_token") or account.credentials.get("password") or ""
    # The secret itself is not kept as a key; its digest tells a changed credential from the old one.
    digest = hashlib.sha256(grant.encode()).hexdigest()[:16]
    client_id = account.credentials.get("client_id", "")
    return (auth_base(account), api_base(account), client_id, username(account).lower(), digest)


def _session(account: Account) -> _Session:
    with _lock:
        return _sessions.setdefault(_key(account), _Session())


def forget_sessions() -> None:
    """Drop every cached token and rate-limit window (tests; a credentials change needs nothing)."""
    with _lock:
        _sessions.clear()


def _token(http: httpx.Client, account: Account, session: _Session, renew: bool) -> str:
    with _lock:
        now = utcnow()
        if not renew and session.token and session.expires_at and session.expires_at > now:
            return session.token
    token, lifetime = _new_token(http, account)
    with _lock:
        session.token = token
        session.expires_at = utcnow() + max(lifetime - TOKEN_MARGIN, timedelta(seconds=30))
    return token


def _new_token(http: httpx.Client, account: Account) -> tuple[str, timedelta]:
    credentials = account.credentials
    client_id = credentials.get("client_id")
    if not client_id:
        raise CredentialsError("the Reddit channel has no client id")
    if credentials.get("refresh_token"):
        form = {"grant_type": "refresh_token", "refresh_token": credentials["refresh_token"]}
    elif credentials.get("password"):
        form = {"grant_type": "password", "username": username(account), "password": credentials["password"]}
    else:
        raise CredentialsError("the Reddit channel needs a refresh token, or the account's password")
    response = call(
        http,
        "POST",
        f"{auth_base(account)}/api/v1/access_token",
        LABEL,
        data=form,
        auth=(client_id, credentials.get("client_secret", "")),
        headers={"User-Agent": user_agent(account), "Accept": "application/json"},
    )
    body = json_body(response, LABEL)
    if not isinstance(body, dict):
        raise PayloadError("Reddit's token endpoint answered something that is not an object")
    if body.get("error"):
        # A wrong password or a revoked refresh token is a 200 with {"error": "invalid_grant"}.
        raise CredentialsError(f"Reddit refused the credentials: {body['error']}")
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise PayloadError("Reddit's token endpoint answered without an access token")
    expires_in = body.get("expires_in")
    seconds = expires_in if isinstance(expires_in, int | float) and expires_in > 0 else 3600
    return token, timedelta(seconds=float(seconds))


def request(
    http: httpx.Client,
    account: Account,
    method: str,
    path: str,
    *,
    params: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
) -> Any:
    """One API call (path below the API base); its JSON body, or the error its answer means."""
    session = _session(account)
    with _lock:
        blocked = session.blocked_until
    if blocked is not None and blocked > utcnow():
        raise RateLimited("Reddit rate limit: this window's requests are used up", blocked)
    for attempt in (1, 2):
        token = _token(http, account, session, renew=attempt == 2)
        statuses: list[int] = []
        try:
            response = call(
                http,
                method,
                api_base(account) + path,
                LABEL,
                _recording(statuses),
                params=params,
                data=data,
                headers={"Authorization": f"bearer {token}", "User-Agent": user_agent(account)},
            )
        except CredentialsError as exc:
            if attempt == 1 and statuses == [401]:
                continue  # the token expired early or was revoked: take a new one, once
            if statuses == [403]:
                raise CredentialsError(
                    f"{exc} (the token may lack the scope for it, or the account is "
                    "not allowed there: banned, not a moderator, or the thread is "
                    "locked or archived)"
                ) from exc
            raise
        except RateLimited as exc:
            with _lock:
                session.blocked_until = exc.retry_at
            raise
        _note_window(session, response)
        return json_body(response, LABEL)
    raise AssertionError("unreachable")  # pragma: no cover


def _recording(statuses: list[int]) -> Callable[[httpx.Response], str]:
    """Reddit's own explanation of a refusal, noting its status (a 401 is told from a 403 by it)."""

    def explain(response: httpx.Response) -> str:
        statuses.append(response.status_code)
        return error_text(response)

    return explain


def _note_window(session: _Session, response: httpx.Response) -> None:
    remaining = _number(response.headers.get("x-ratelimit-remaining"))
    reset = _number(response.headers.get("x-ratelimit-reset"))
    with _lock:
        if remaining is not None and remaining < 1 and reset is not None:
            session.blocked_until = utcnow() + timedelta(seconds=max(reset, 1))
        else:
            session.blocked_until = None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
