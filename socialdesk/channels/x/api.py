"""Talking to X API v2: where it is, which token a call uses, and the fields every read asks for."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from socialdesk.channels import http as net
from socialdesk.channels.base import Account
from socialdesk.core.errors import CredentialsError, PayloadError, PermanentSendError

API_BASE = "https://api.x.com"
LABEL = "X"

# Asked on every read of posts, so that a mention, a search hit and a stream line parse alike.
TWEET_FIELDS = ",".join(
    (
        "created_at",
        "author_id",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_tweets",
        "lang",
        "geo",
        "entities",
        "note_tweet",
        "edit_history_tweet_ids",
    )
)
EXPANSIONS = "author_id,referenced_tweets.id"
USER_FIELDS = "username,name,location,public_metrics"
DM_EVENT_FIELDS = (
    "id,text,event_type,dm_conversation_id,created_at,sender_id,participant_ids,referenced_tweets"
)
POST_READ = {"tweet.fields": TWEET_FIELDS, "expansions": EXPANSIONS, "user.fields": USER_FIELDS}
DM_READ = {
    "event_types": "MessageCreate",
    "dm_event.fields": DM_EVENT_FIELDS,
    "expansions": "sender_id",
    "user.fields": USER_FIELDS,
}

# 403 answers to a write that refuse the post itself, not the credentials: a duplicate, a reply to a
# post that is gone or hidden from the brand or whose author limits replies, a DM to someone who does
# not accept them, a text over the limit.
_CONTENT_REFUSALS = (
    "duplicate",
    "deleted or not visible",
    "not-authorized-for-resource",
    "resource-not-found",
    "reply to this conversation is not allowed",
    "cannot send messages",
    "too long",
)


def url(account: Account, path: str) -> str:
    return account.setting("api_base", API_BASE).rstrip("/") + path


def user_token(account: Account) -> str:
    """The brand account's OAuth 2.0 user-context token (mentions, DMs, posting, likes, hiding)."""
    token = account.credentials.get("access_token")
    if not token:
        raise CredentialsError("this X channel has no access token (the brand account's user token)")
    return token


def app_token(account: Account, fallback_to_user: bool = False) -> str:
    """The app-only bearer token (recent search, the filtered stream)."""
    token = account.credentials.get("bearer_token")
    if token:
        return token
    if fallback_to_user:
        return user_token(account)
    raise CredentialsError("this X channel has no bearer token (the app-only token)")


def brand_id(account: Account) -> str:
    if not account.external_id:
        raise CredentialsError(
            "this X channel has no user id: connect it again with the brand's numeric X user id"
        )
    return account.external_id


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(http: httpx.Client, address: str, token: str, params: dict[str, Any]) -> dict[str, Any]:
    response = net.call(http, "GET", address, LABEL, headers=auth(token), params=params)
    return _object(response)


def write(
    http: httpx.Client, method: str, address: str, token: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A write (post, DM, like, hide, delete): like `http.call`, except that a 403 refusing the content
    (a duplicate post, a deleted parent) is a refusal of this post, not of the channel's credentials."""
    response = net.request(http, method, address, LABEL, headers=auth(token), json=body)
    if response.status_code == 403:
        reason = net.error_text(response)
        if any(mark in (reason + response.text).lower() for mark in _CONTENT_REFUSALS):
            raise PermanentSendError(f"{LABEL} refused it (403): {reason}", 403)
    net.check(response, LABEL)
    return _object(response) if response.content else {}


def _object(response: httpx.Response) -> dict[str, Any]:
    body = net.json_body(response, LABEL)
    if not isinstance(body, dict):
        raise PayloadError(f"{LABEL} sent a body that is not a JSON object")
    return body
