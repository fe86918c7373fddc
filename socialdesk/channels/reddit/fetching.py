"""Polling Reddit: the brand's inbox, searches for the brand, and the brand's own subreddits.

Reddit has no webhooks, so everything arrives by polling. The listings (the inbox, a subreddit's new
comments or posts) come newest first and are paged by fullname: `before=<the newest one seen>` asks for
what came after it. Reddit answers that with an empty page both when nothing is new and when that thing
is gone (a deleted message, a removed comment), so an empty answer is checked against the newest page:
if the anchor is missing there, its newer items are taken by time and the cursor moves to a thing that
still exists. Search has no such paging; it is asked for the newest matches and filtered by time, with
an overlap because Reddit's search index lags behind new posts. Ingest drops what it already holds.

Settings: `queries` (OR-ed into one search), `subreddits` (the brand's own: their new comments and
posts; search stays inside them too unless `search_subreddits` names others, or "all").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx2 as httpx

from socialdesk.channels.base import Account, FetchResult
from socialdesk.channels.reddit import api
from socialdesk.channels.reddit.parse import Document, Thing, read, thing_events
from socialdesk.core.errors import ChannelError
from socialdesk.core.types import InboundEvent

SOURCES = ("inbox", "search", "subreddits", "subreddit_posts")
PAGE = 100  # the most a Reddit listing returns at once
SEARCH_OVERLAP = timedelta(minutes=15)
MAX_QUERY = 512  # Reddit refuses longer search queries
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a source was read up to: the newest thing seen (for `before=`) and its time."""

    name: str | None
    at: float

    def dump(self) -> str:
        return json.dumps({"name": self.name, "at": self.at}, separators=(",", ":"))

    @classmethod
    def load(cls, value: str | None) -> Cursor | None:
        if not value:
            return None
        try:
            data: Any = json.loads(value)
        except ValueError:
            return None  # not one of ours: read the source afresh rather than fail every round
        name, at = (data.get("name"), data.get("at")) if isinstance(data, dict) else (None, None)
        if not isinstance(at, int | float) or isinstance(at, bool):
            return None
        return cls(name if isinstance(name, str) and name else None, float(at))


def fetch(http: httpx.Client, account: Account, source: str, cursor: str | None) -> FetchResult:
    if source == "inbox":
        return _listing(http, account, "/message/inbox", cursor)
    if source in ("subreddits", "subreddit_posts"):
        subreddits = _subreddits(account)
        if not subreddits:
            return FetchResult([], None)
        tail = "comments" if source == "subreddits" else "new"
        return _listing(http, account, f"/r/{'+'.join(subreddits)}/{tail}", cursor)
    if source == "search":
        return _search(http, account, cursor)
    raise ChannelError(f"Reddit has no source {source!r}; it polls {', '.join(SOURCES)}")


def _listing(http: httpx.Client, account: Account, path: str, cursor: str | None) -> FetchResult:
    last = Cursor.load(cursor)
    if last is None or last.name is None:
        page = _get(http, account, path, {"limit": str(PAGE)})
        return _result(page.things, page, account, last)
    page = _get(http, account, path, {"limit": str(PAGE), "before": last.name})
    if page.things:
        return _result(page.things, page, account, last, more=page.children >= PAGE)
    newest = _get(http, account, path, {"limit": str(PAGE)})
    if not newest.things or any(thing.name == last.name for thing in newest.things):
        return FetchResult([], None)  # the anchor is there: nothing is new
    fresh = [thing for thing in newest.things if thing.created >= last.at]
    return _result(fresh, newest, account, last, anchor=max(newest.things, key=lambda t: t.created))


def _search(http: httpx.Client, account: Account, cursor: str | None) -> FetchResult:
    queries = _strings(account.settings.get("queries"))
    if not queries:
        return FetchResult([], None)
    query = " OR ".join(_term(q) for q in queries)
    if len(query) > MAX_QUERY:
        raise ChannelError(
            f"the Reddit search for this channel has {len(query)} characters; Reddit takes 512"
        )
    params = {"q": query, "sort": "new", "type": "link", "limit": str(PAGE)}
    subreddits = _search_subreddits(account)
    if subreddits:
        params["restrict_sr"] = "on"
    path = f"/r/{'+'.join(subreddits)}/search" if subreddits else "/search"
    page = _get(http, account, path, params)
    last = Cursor.load(cursor)
    since = last.at - SEARCH_OVERLAP.total_seconds() if last is not None else None
    fresh = [thing for thing in page.things if since is None or thing.created >= since]
    return _result(fresh, page, account, last, by_name=False)


def _result(
    things: list[Thing],
    page: Document,
    account: Account,
    last: Cursor | None,
    more: bool = False,
    anchor: Thing | None = None,
    by_name: bool = True,
) -> FetchResult:
    """The page's events, oldest first (parents before replies), and the cursor past its newest thing."""
    ordered = sorted(things, key=lambda t: t.created)
    events: list[InboundEvent] = [
        event for thing in ordered for event in thing_events(thing, page.escaped, account)
    ]
    newest = anchor or (ordered[-1] if ordered else None)
    if newest is None:
        return FetchResult(events, None)
    at = max(newest.created, last.at) if last is not None else newest.created
    cursor = Cursor(newest.name if by_name else None, at)  # search pages by time alone
    return FetchResult(events, None if cursor == last else cursor.dump(), more=more)


def _get(http: httpx.Client, account: Account, path: str, params: dict[str, str]) -> Document:
    return read(api.request(http, account, "GET", path, params=params))


def _term(query: str) -> str:
    """One listening query inside an OR of several: several words stay together."""
    query = query.strip()
    quoted = query.startswith('"') and query.endswith('"')
    return f"({query})" if " " in query and not quoted else query


def _subreddits(account: Account, setting: str = "subreddits") -> list[str]:
    names = []
    for name in _strings(account.settings.get(setting)):
        name = name.removeprefix("/").removeprefix("r/")
        if setting == "search_subreddits" and name.lower() == "all":
            return []
        if not _SUBREDDIT.match(name):
            raise ChannelError(f"{name!r} is not a subreddit name (settings: {setting})")
        names.append(name)
    return names


def _search_subreddits(account: Account) -> list[str]:
    """Where search looks: `search_subreddits` when set ("all": all of Reddit), else the brand's own
    `subreddits`, else all of Reddit."""
    if account.settings.get("search_subreddits"):
        return _subreddits(account, "search_subreddits")
    return _subreddits(account)


def _strings(value: Any) -> list[str]:
    """A setting given as a list, or as one comma-separated string."""
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return []
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]
