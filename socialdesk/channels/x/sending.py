"""Writing to X: public replies, DMs, likes, hiding and deleting, and finding a reply a crash lost.

X takes no idempotency key, so a reply whose answer was lost (the worker died after POSTing) is looked
for in the brand's own recent posts, or the DM conversation, before it is sent again (`find_sent`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx

from socialdesk.channels.base import Account, Action
from socialdesk.channels.x import api
from socialdesk.channels.x.reading import error_summary, unescape
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import CredentialsError, PayloadError, PermanentSendError
from socialdesk.core.types import OutboundMessage, SendResult

# How far before the agent wrote the reply a lost copy is looked for: clocks differ a little.
CLOCK_SLACK = timedelta(minutes=2)
SEARCH_PAGES = 5  # pages of the brand's timeline / the conversation read when looking for a lost reply
_WHEN_UNKNOWN = timedelta(days=1)  # how far back to look when the reply's creation time is unknown


def send(http: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
    token = api.user_token(account)
    if message.private:
        address, body = _dm_target(account, message), {"text": message.text}
        data = _data(api.write(http, "POST", address, token, body))
        event_id = data.get("dm_event_id")
        if not isinstance(event_id, str) or not event_id:
            raise PayloadError("X accepted the DM but named no dm_event_id")
        return SendResult(event_id, utcnow())
    post: dict[str, Any] = {"text": message.text}
    if message.in_reply_to:
        post["reply"] = {"in_reply_to_tweet_id": message.in_reply_to}
    data = _data(api.write(http, "POST", api.url(account, "/2/tweets"), token, post))
    post_id = data.get("id")
    if not isinstance(post_id, str) or not post_id:
        raise PayloadError("X accepted the post but named no id")
    return SendResult(post_id, utcnow())


def _dm_target(account: Account, message: OutboundMessage) -> str:
    if message.conversation_key:
        return api.url(account, f"/2/dm_conversations/{message.conversation_key}/messages")
    if message.recipient_id:
        return api.url(account, f"/2/dm_conversations/with/{message.recipient_id}/messages")
    raise PermanentSendError("this DM has neither a conversation nor a recipient on X")


def find_sent(http: httpx.Client, account: Account, message: OutboundMessage) -> SendResult | None:
    """The reply, if an earlier attempt posted it: same text, same parent, made after the agent wrote
    it (less a little clock slack)."""
    written = as_utc(message.created_at) if message.created_at else utcnow() - _WHEN_UNKNOWN
    # X refuses a start_time in its future, and our clock may run ahead of X's.
    since = min(written - CLOCK_SLACK, utcnow() - timedelta(seconds=10))
    if message.private:
        return _find_dm(http, account, message, since)
    return _find_post(http, account, message, since)


def _find_post(
    http: httpx.Client, account: Account, message: OutboundMessage, since: datetime
) -> SendResult | None:
    params: dict[str, Any] = {
        "start_time": _x_time(since),
        "max_results": 100,
        "tweet.fields": "created_at,referenced_tweets,entities,note_tweet",
        "exclude": "retweets",
    }
    address = api.url(account, f"/2/users/{api.brand_id(account)}/tweets")
    for item in _pages(http, address, api.user_token(account), params):
        parent = next(
            (r.get("id") for r in _list(item.get("referenced_tweets")) if r.get("type") == "replied_to"),
            None,
        )
        if parent != message.in_reply_to or not _same_text(item, message.text):
            continue
        return SendResult(str(item["id"]), _time(item.get("created_at")) or utcnow())
    return None


def _find_dm(
    http: httpx.Client, account: Account, message: OutboundMessage, since: datetime
) -> SendResult | None:
    if message.conversation_key:
        address = api.url(account, f"/2/dm_conversations/{message.conversation_key}/dm_events")
    elif message.recipient_id:
        address = api.url(account, f"/2/dm_conversations/with/{message.recipient_id}/dm_events")
    else:
        return None
    brand = api.brand_id(account)
    params = {
        "event_types": "MessageCreate",
        "dm_event.fields": "id,text,sender_id,created_at",
        "max_results": 100,
    }
    for item in _pages(http, address, api.user_token(account), params):
        created = _time(item.get("created_at"))
        if created is not None and created < since:
            return None  # newest first: everything further back is older still
        if item.get("sender_id") == brand and _same_text(item, message.text):
            return SendResult(str(item["id"]), created or utcnow())
    return None


def _pages(http: httpx.Client, address: str, token: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The items of up to SEARCH_PAGES pages, newest first."""
    request = dict(params)
    for _ in range(SEARCH_PAGES):
        page = api.get(http, address, token, request)
        for item in _list(page.get("data")):
            if isinstance(item.get("id"), str):
                yield item
        following = _dig(page, "meta", "next_token")
        if not isinstance(following, str) or not following:
            return
        request["pagination_token"] = following


def _same_text(item: dict[str, Any], text: str) -> bool:
    """X stores the text with links shortened to t.co and &, <, > encoded; undo both before comparing."""
    note = item.get("note_tweet")
    raw = (
        note.get("text") if isinstance(note, dict) and isinstance(note.get("text"), str) else item.get("text")
    )
    if not isinstance(raw, str):
        return False
    written = unescape(raw)
    for link in _list(_dig(item, "entities", "urls")):
        short, full = link.get("url"), link.get("expanded_url")
        if isinstance(short, str) and isinstance(full, str) and short not in text:
            written = written.replace(short, full)
    return " ".join(written.split()) == " ".join(text.split())


def act(http: httpx.Client, account: Account, action: Action, external_id: str) -> None:
    """Like, hide or unhide a reply to the brand's post, or delete one of the brand's own posts (X
    refuses to delete anyone else's)."""
    token = api.user_token(account)
    if action == "like":
        address = api.url(account, f"/2/users/{api.brand_id(account)}/likes")
        api.write(http, "POST", address, token, {"tweet_id": external_id})
    elif action in ("hide", "unhide"):
        address = api.url(account, f"/2/tweets/{external_id}/hidden")
        api.write(http, "PUT", address, token, {"hidden": action == "hide"})
    elif action == "delete":
        _require_own(http, account, token, external_id)
        api.write(http, "DELETE", api.url(account, f"/2/tweets/{external_id}"), token)
    else:
        raise PermanentSendError(f"X has no action called {action!r}")


def _require_own(http: httpx.Client, account: Account, token: str, post_id: str) -> None:
    """Only the brand's own posts are deleted: a customer's post is hidden instead, never removed."""
    found = _data(
        api.get(http, api.url(account, f"/2/tweets/{post_id}"), token, {"tweet.fields": "author_id"})
    )
    if found.get("author_id") != api.brand_id(account):
        raise PermanentSendError(
            "X deletes only the brand's own posts; this one is someone else's (hide it instead)"
        )


def check(http: httpx.Client, account: Account) -> str:
    """The brand account's @username, as the user token knows it."""
    data = _data(api.get(http, api.url(account, "/2/users/me"), api.user_token(account), {}))
    username = data.get("username")
    if not isinstance(username, str) or not username:
        raise PayloadError("X's /2/users/me named no username")
    if account.external_id and data.get("id") != account.external_id:
        raise CredentialsError(
            f"this token belongs to @{username} (user {data.get('id')}), not to the channel's user "
            f"{account.external_id}"
        )
    return f"@{username}"


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        if "errors" in body:  # a 200 that found nothing: X's reason is in errors
            raise PermanentSendError(f"X refused it: {error_summary(body['errors'])}")
        raise PayloadError("X answered without a data object")
    return data


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _x_time(moment: datetime) -> str:
    """X's query time format: YYYY-MM-DDTHH:mm:ssZ."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
