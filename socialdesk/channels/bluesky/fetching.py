"""Polling Bluesky: the brand's notifications (mentions, replies, quotes) and its chat log.

listNotifications pages backwards in time: newest first, and its `cursor` leads to older notifications.
So "what is new since the last poll" is read by walking from the newest page back until a notification
no newer than the one last stored shows up. The stored cursor says how far the brand is caught up
(`since`, the newest indexedAt stored) and, in the middle of a walk, which page comes next (`page`) and
where the walk started (`top`, which becomes `since` once the walk ends). A walk cut short by a crash
resumes at its page. Notifications as old as `since` are read again and dropped by ingest as
duplicates, so two notifications indexed in the same instant are never lost. A channel's first poll
reads only the newest page: the history before SocialDesk was connected is not replayed.

chat.bsky.convo.getLog goes forward: given the last rev seen it returns what happened after it. Without
a cursor it answers the current one, which is where a new channel starts (as Bluesky's own app does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx2 as httpx

from socialdesk.channels.base import Account, FetchResult, need
from socialdesk.channels.bluesky import parse, xrpc
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import InboundEvent

SOURCES = ("notifications", "chat")
PAGE = 50  # listNotifications' default; it allows 100
_REASONS = [("reasons", reason) for reason in parse.POST_REASONS]


@dataclass(frozen=True, slots=True)
class NotificationCursor:
    since: datetime | None = None
    page: str | None = None
    top: datetime | None = None

    @classmethod
    def load(cls, value: str | None) -> NotificationCursor:
        if not value:
            return cls()
        try:
            data = json.loads(value)
        except ValueError:
            data = {"since": value}  # a bare timestamp
        if not isinstance(data, dict):
            return cls()
        page = data.get("page")
        return cls(
            parse.timestamp(data.get("since")),
            page if isinstance(page, str) and page else None,
            parse.timestamp(data.get("top")),
        )

    def dump(self) -> str | None:
        data = {
            "since": self.since.isoformat() if self.since else None,
            "page": self.page,
            "top": self.top.isoformat() if self.top else None,
        }
        kept = {k: v for k, v in data.items() if v}
        return json.dumps(kept, separators=(",", ":")) if kept else None


def fetch(client: httpx.Client, account: Account, source: str, cursor: str | None) -> FetchResult:
    if source == "notifications":
        return notifications(client, account, cursor)
    if source == "chat":
        return chat(client, account, cursor)
    raise PayloadError(f"Bluesky has no source called {source!r}; it has {', '.join(SOURCES)}")


def notifications(client: httpx.Client, account: Account, cursor: str | None) -> FetchResult:
    state = NotificationCursor.load(cursor)
    params: list[tuple[str, str]] = [("limit", str(PAGE)), *_REASONS]
    if state.page:
        params.append(("cursor", state.page))
    body = xrpc.call(client, account, "GET", "app.bsky.notification.listNotifications", params=params)
    items = need(body, "notifications", list, "the listNotifications page")
    events: list[InboundEvent] = []
    top = state.top
    reached = False
    for item in items:
        indexed = parse.timestamp(item.get("indexedAt")) if isinstance(item, dict) else None
        if indexed is not None and (top is None or indexed > top):
            top = indexed
        if state.since is not None and indexed is not None and indexed < state.since:
            reached = True  # older than what is stored: the walk is done
            continue
        events += parse.tolerant([item], lambda one: parse.notification(one, account), "notification")
    following = body.get("cursor") if isinstance(body, dict) else None
    if reached or not items or not isinstance(following, str) or not following or state.since is None:
        done = NotificationCursor(since=top or state.since)
        return FetchResult(events, done.dump(), more=False)
    walking = NotificationCursor(since=state.since, page=following, top=top)
    return FetchResult(events, walking.dump(), more=True)


def chat(client: httpx.Client, account: Account, cursor: str | None) -> FetchResult:
    body = xrpc.call(
        client,
        account,
        "GET",
        "chat.bsky.convo.getLog",
        params={"cursor": cursor} if cursor else None,
        chat=True,
    )
    logs = need(body, "logs", list, "the getLog page")
    fresh: list[Any] = []
    revs: list[str] = []
    for entry in logs:
        rev = _rev(entry)
        if rev is not None and (cursor is None or rev > cursor):  # revs sort as strings
            fresh.append(entry)
            revs.append(rev)
    events = parse.chat_log(fresh, account)
    answered = body.get("cursor") if isinstance(body, dict) else None
    if isinstance(answered, str) and answered:
        revs.append(answered)
    newest = max(revs, default=None)
    if newest is None or (cursor is not None and newest <= cursor):
        return FetchResult(events, None, more=False)
    return FetchResult(events, newest, more=bool(fresh))


def _rev(entry: Any) -> str | None:
    rev = entry.get("rev") if isinstance(entry, dict) else None
    return rev if isinstance(rev, str) and rev else None
