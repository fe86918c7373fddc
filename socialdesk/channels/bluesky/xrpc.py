"""Calling Bluesky: XRPC over HTTP with an app password session, renewed when the PDS says it expired.

A session comes from com.atproto.server.createSession (identifier + app password → accessJwt,
refreshJwt, did, handle). It is kept per account in a small module-level cache, so that polls, sends and
checks share one login: createSession is rate limited hard (30 per 5 minutes, 300 a day per account).
When a call answers ExpiredToken (400 from a PDS, 401 from the App View) or another 401, the session is
renewed with com.atproto.server.refreshSession, or a new login if the refresh token is no good either,
and the call is made once more.

Chat (chat.bsky.*) goes to the same host with `atproto-proxy: did:web:api.bsky.chat#bsky_chat`: the PDS
forwards it to Bluesky's chat service with a token of its own. The app password must be created with
"Allow access to your direct messages" for that to work.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from socialdesk.channels import http as net
from socialdesk.channels.base import Account
from socialdesk.core.errors import CredentialsError, TemporaryError

DEFAULT_SERVICE = "https://bsky.social"
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
LABEL = "Bluesky"
CHAT_LABEL = "Bluesky chat"
_RENEW_ERRORS = ("ExpiredToken", "InvalidToken")


@dataclass(frozen=True, slots=True)
class Session:
    access_jwt: str
    refresh_jwt: str
    did: str
    handle: str


_sessions: dict[tuple[str, str, str], Session] = {}
_lock = threading.Lock()


def service(account: Account) -> str:
    return account.setting("api_base", DEFAULT_SERVICE).rstrip("/")


def _key(account: Account) -> tuple[str, str, str]:
    # The password's digest is part of the key: new credentials must not reuse an old login.
    secret = hashlib.sha256(account.credentials.get("app_password", "").encode()).hexdigest()
    return (service(account), account.credentials.get("identifier", "").lower(), secret)


def forget_sessions() -> None:
    """Drop every cached login (tests; an admin who changed credentials gets a new key anyway)."""
    with _lock:
        _sessions.clear()


def session(client: httpx.Client, account: Account) -> Session:
    """The account's session, logging in when there is none yet."""
    key = _key(account)
    with _lock:
        cached = _sessions.get(key)
    return cached if cached is not None else _login(client, account)


def _login(client: httpx.Client, account: Account) -> Session:
    identifier = account.credentials.get("identifier") or account.external_id or account.handle
    password = account.credentials.get("app_password")
    if not identifier or not password:
        raise CredentialsError("the Bluesky channel needs its identifier (handle or DID) and an app password")
    response = net.request(
        client,
        "POST",
        f"{service(account)}/xrpc/com.atproto.server.createSession",
        LABEL,
        json={"identifier": identifier, "password": password},
    )
    if response.status_code in (400, 401) and error_code(response) != "RateLimitExceeded":
        # createSession answers 401 AuthenticationRequired for a wrong password, 400 for a handle it
        # does not know: both mean the credentials, not the request, are wrong.
        raise CredentialsError(f"Bluesky refused the login: {net.error_text(response)}")
    net.check(response, LABEL)
    return _store(account, net.json_body(response, LABEL))


def _store(account: Account, body: Any) -> Session:
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) for k in ("accessJwt", "refreshJwt", "did", "handle")
    ):
        raise TemporaryError("Bluesky answered the login without a session")
    made = Session(body["accessJwt"], body["refreshJwt"], body["did"], body["handle"])
    with _lock:
        _sessions[_key(account)] = made
    return made


def _renew(client: httpx.Client, account: Account, stale: Session) -> Session:
    with _lock:
        current = _sessions.get(_key(account))
    if current is not None and current.access_jwt != stale.access_jwt:
        return current  # another thread renewed it meanwhile
    response = net.request(
        client,
        "POST",
        f"{service(account)}/xrpc/com.atproto.server.refreshSession",
        LABEL,
        headers={"Authorization": f"Bearer {stale.refresh_jwt}"},
    )
    if response.status_code in (400, 401):
        return _login(client, account)  # the refresh token expired or was revoked
    net.check(response, LABEL)
    return _store(account, net.json_body(response, LABEL))


def call(
    client: httpx.Client,
    account: Account,
    method: str,
    nsid: str,
    *,
    params: dict[str, Any] | list[tuple[str, str]] | None = None,
    body: dict[str, Any] | None = None,
    chat: bool = False,
) -> Any:
    """One authenticated XRPC call; its JSON answer, or the error that `http.check` makes of a refusal."""
    response = call_raw(client, account, method, nsid, params=params, body=body, chat=chat)
    if chat and response.status_code == 400 and error_code(response) == "InvalidToken":
        # "Bad token method": an app password made without direct-message access.
        raise CredentialsError(
            f"Bluesky chat refused the app password ({net.error_text(response)}): create one with "
            "“Allow access to your direct messages” ticked"
        )
    net.check(response, CHAT_LABEL if chat else LABEL)
    return net.json_body(response, CHAT_LABEL if chat else LABEL)


def call_raw(
    client: httpx.Client,
    account: Account,
    method: str,
    nsid: str,
    *,
    params: dict[str, Any] | list[tuple[str, str]] | None = None,
    body: dict[str, Any] | None = None,
    chat: bool = False,
) -> httpx.Response:
    """One authenticated XRPC call, renewing the session once if it expired; the response unchecked."""
    label = CHAT_LABEL if chat else LABEL
    url = f"{service(account)}/xrpc/{nsid}"
    current = session(client, account)
    for attempt in range(2):
        headers = {"Authorization": f"Bearer {current.access_jwt}"}
        if chat:
            headers["atproto-proxy"] = CHAT_PROXY
        response = net.request(client, method, url, label, params=params, json=body, headers=headers)
        if attempt == 0 and _expired(response):
            current = _renew(client, account, current)
            continue
        return response
    return response


def _expired(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 400 and error_code(response) in _RENEW_ERRORS


def error_code(response: httpx.Response) -> str | None:
    """The `error` name of an XRPC error body ({"error": "ExpiredToken", "message": "..."})."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None
