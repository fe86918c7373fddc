"""Answering on Reddit: public replies, private messages, moderation actions, and finding a lost reply.

`POST /api/comment` with `thing_id` = the fullname answered makes a comment under a post (t3) or a
comment (t1), or a message in a private conversation (t4). A conversation is started with
`POST /api/compose`, whose answer names no message, so the message is looked up in `/message/sent`.
With `api_type=json` Reddit refuses with a 200 and `json.errors` (`[["RATELIMIT", "you are doing that
too much. try again in 5 minutes.", "ratelimit"]]`), which become SocialDesk's errors here.

Reddit has no idempotency key. A reply whose fate is unknown (a worker died, a timeout, a 5xx) is looked
for among the account's own comments or sent messages: same text, same parent or recipient, made after
the agent wrote it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx2 as httpx

from socialdesk.channels.base import Account, Action, need
from socialdesk.channels.reddit import api
from socialdesk.channels.reddit.parse import (
    COMMENT,
    LINK,
    MESSAGE,
    answer_errors,
    bare_handle,
    decoded,
    read,
)
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import (
    ChannelError,
    PayloadError,
    PermanentSendError,
    RateLimited,
    TemporaryError,
)
from socialdesk.core.types import OutboundMessage, SendResult

MAX_TEXT = 10_000  # comments and private messages alike (r2's VMarkdownLength for both)
MAX_SUBJECT = 100
LOOK_BACK = timedelta(minutes=10)  # our clock and Reddit's differ a little
_WAIT = re.compile(r"(\d+(?:\.\d+)?)\s*(millisecond|second|minute|hour)s?", re.IGNORECASE)
_UNIT = {"millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600}
# The subjects Reddit gives inbox notifications; no one wrote them, so a new conversation gets its own.
_NOTIFICATION_SUBJECTS = {"comment reply", "post reply", "username mention"}


def send(http: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
    text = message.text
    if not text.strip():
        raise PermanentSendError("the reply is empty")
    if len(text) > MAX_TEXT:
        raise PermanentSendError(f"Reddit takes {MAX_TEXT} characters; this reply has {len(text)}")
    if message.private:
        thread = next((m for m in (message.in_reply_to, message.conversation_key) if _is(m, MESSAGE)), None)
        if thread is not None:
            return _comment(http, account, message, thread)
        return _compose(http, account, message)
    if not (_is(message.in_reply_to, COMMENT) or _is(message.in_reply_to, LINK)):
        # Never let a public reply land in a private conversation (a t4 parent) or nowhere.
        raise PermanentSendError(
            "a public Reddit reply answers a comment or a post; this one answers neither"
        )
    assert message.in_reply_to is not None
    return _comment(http, account, message, message.in_reply_to)


def _comment(http: httpx.Client, account: Account, message: OutboundMessage, parent: str) -> SendResult:
    form = {"api_type": "json", "thing_id": parent, "text": message.text}
    answer = _post(http, account, message, "/api/comment", form)
    if isinstance(answer, SendResult):
        return answer
    data = answer.get("data")
    things = data.get("things") if isinstance(data, dict) else None
    made = things[0] if isinstance(things, list) and things else None
    made_data = made.get("data") if isinstance(made, dict) else None
    name = made_data.get("name") if isinstance(made_data, dict) else None
    if not isinstance(name, str) or not name or not isinstance(made_data, dict):
        found = _look(http, account, message)  # it was made: find it rather than fail and resend
        if found is not None:
            return found
        raise PayloadError("Reddit took the reply but its answer names no comment or message")
    return SendResult(name, _time(made_data.get("created_utc")))


def _compose(http: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
    recipient = bare_handle(message.recipient_handle or "")
    if not recipient:
        raise PermanentSendError("a new Reddit conversation needs the customer's username; none is known")
    form = {
        "api_type": "json",
        "to": recipient,
        "subject": _subject(message, account),
        "text": message.text,
    }
    answer = _post(http, account, message, "/api/compose", form)
    if isinstance(answer, SendResult):
        return answer
    found = _look(http, account, message)
    if found is not None:
        return found
    # Sent, but not (yet) listed: resending would write twice, so record it under a stand-in id.
    return SendResult(f"compose:{message.idempotency_key}", utcnow())


def _post(
    http: httpx.Client, account: Account, message: OutboundMessage, path: str, form: dict[str, str]
) -> dict[str, Any] | SendResult:
    """The `json` part of Reddit's answer to the reply's POST; or the reply itself, found among the
    account's own, when the POST timed out or failed with a 5xx: that can come after Reddit made it,
    so it is looked for before the outbox retries."""
    try:
        body = api.request(http, account, "POST", path, data=form)
    except TemporaryError:
        found = _look(http, account, message)
        if found is not None:
            return found
        raise
    return _answer(body)


def _look(http: httpx.Client, account: Account, message: OutboundMessage) -> SendResult | None:
    try:
        return find_sent(http, account, message)
    except ChannelError:
        return None


def _subject(message: OutboundMessage, account: Account) -> str:
    subject = decoded(message.subject, escaped=True).strip()
    if not subject or subject.lower() in _NOTIFICATION_SUBJECTS:
        subject = f"A message from u/{api.username(account)}"
    return subject[:MAX_SUBJECT]


def _answer(body: Any) -> dict[str, Any]:
    """The `json` part of an `api_type=json` answer; the error it carries raised."""
    answer = body.get("json") if isinstance(body, dict) else None
    if not isinstance(answer, dict):
        raise PayloadError("Reddit answered without its json envelope")
    errors = answer_errors(answer)
    for code, text in errors:
        if code == "RATELIMIT":
            raise RateLimited(f"Reddit rate limit: {text}", utcnow() + _wait(answer, text))
    if errors:
        raise PermanentSendError("Reddit refused it: " + "; ".join(f"{c}: {m}" for c, m in errors))
    return answer


def _wait(answer: dict[str, Any], text: str) -> timedelta:
    """How long a RATELIMIT error asks to wait: `json.ratelimit` seconds, else the sentence's."""
    seconds = answer.get("ratelimit")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
        return timedelta(seconds=min(float(seconds), 86_400))
    found = _WAIT.search(text)
    if found is None:
        return timedelta(minutes=1)
    amount = float(found.group(1)) * _UNIT[found.group(2).lower()]
    return timedelta(seconds=min(max(amount, 1), 86_400))


def find_sent(http: httpx.Client, account: Account, message: OutboundMessage) -> SendResult | None:
    """The reply, if the account already made it: same text, same parent or recipient, after `since`."""
    written = as_utc(message.created_at) if message.created_at else utcnow() - timedelta(days=2)
    since = (written - LOOK_BACK).timestamp()
    wanted = _normal(message.text)
    if message.private:
        page = read(api.request(http, account, "GET", "/message/sent", params={"limit": "100"}))
        thread = {m for m in (message.in_reply_to, message.conversation_key) if m}
        recipient = bare_handle(message.recipient_handle or "").casefold()
        for thing in page.things:
            data = thing.data
            if thing.kind != MESSAGE or thing.created < since:
                continue
            if _normal(decoded(data.get("body"), page.escaped)) != wanted:
                continue
            to = str(data.get("dest") or "").casefold()
            if (recipient and to == recipient) or thread & {
                data.get("first_message_name"),
                data.get("parent_id"),
            }:
                return SendResult(thing.name, _time(thing.created))
        return None
    path = f"/user/{quote(api.username(account), safe='')}/comments"
    page = read(api.request(http, account, "GET", path, params={"limit": "100", "sort": "new"}))
    for thing in page.things:
        data = thing.data
        if thing.kind != COMMENT or thing.created < since or data.get("parent_id") != message.in_reply_to:
            continue
        if _normal(decoded(data.get("body"), page.escaped)) == wanted:
            return SendResult(thing.name, _time(thing.created))
    return None


def act(http: httpx.Client, account: Account, action: Action, external_id: str) -> None:
    """Upvote; hide (a moderator's removal, in a subreddit the brand moderates) and unhide (approve);
    delete the brand's own comment or post, or a message from the brand's inbox."""
    kind = external_id.partition("_")[0]
    if kind not in (COMMENT, LINK, MESSAGE):
        raise PermanentSendError(f"{external_id!r} is not a Reddit comment, post or message")
    if kind == MESSAGE and action != "delete":
        raise PermanentSendError(f"Reddit cannot {action} a private message")
    if action == "like":
        path, form = "/api/vote", {"id": external_id, "dir": "1"}
    elif action == "hide":
        path, form = "/api/remove", {"id": external_id, "spam": "false"}
    elif action == "unhide":
        path, form = "/api/approve", {"id": external_id}
    elif action == "delete":
        path, form = ("/api/del_msg" if kind == MESSAGE else "/api/del"), {"id": external_id}
    else:
        raise PermanentSendError(f"Reddit has no {action!r} action")
    body = api.request(http, account, "POST", path, data=form)
    if isinstance(body, dict) and isinstance(body.get("json"), dict):
        _answer(body)


def check(http: httpx.Client, account: Account) -> str:
    body = api.request(http, account, "GET", "/api/v1/me")
    name: str = need(body, "name", str, "Reddit's /api/v1/me answer")
    return name


def _is(fullname: str | None, kind: str) -> bool:
    return bool(fullname) and str(fullname).startswith(kind + "_")


def _normal(text: str) -> str:
    """Text as Reddit gives it back: line ends unified, outer whitespace trimmed."""
    return text.replace("\r\n", "\n").strip()


def _time(value: Any) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 32_503_680_000:
        return datetime.fromtimestamp(value, UTC)
    return utcnow()
