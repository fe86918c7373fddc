"""Polling X: mentions and recent search with `since_id`, DM events by the newest id seen.

X returns every list newest first and pages backwards (`meta.next_token`). So a round that finds more
than a page keeps, in its cursor, where it is in the pages *and* the newest id of its first page; only
after the last page does the cursor become that newest id, the `since_id` of the next round (X's
"polling" pattern, docs.x.com/x-api/posts/search/integrate/paginate). A worker that dies mid-round
resumes from the last stored page, and the next round asks only for newer posts.

Cursor values: an idle source stores a bare id (`"1849..."`); a round under way stores JSON
`{"since_id": ..., "next": <page token>, "newest": ...}` (search adds `"q"`, a digest of the query the
token belongs to). A first poll (no cursor) reads only the newest page: connecting a channel does not
import its whole history.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx2 as httpx

from socialdesk.channels.base import Account, FetchResult
from socialdesk.channels.x import api
from socialdesk.channels.x.parsing import parse_document
from socialdesk.channels.x.reading import snowflake_time
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import ChannelError, PayloadError, PermanentSendError
from socialdesk.core.types import InboundEvent

log = logging.getLogger(__name__)

SOURCES = ("mentions", "search", "dms")
PAGE_SIZE = 100  # the most X returns per page on all three endpoints
# Recent search refuses a since_id older than its seven days; such a since_id means "everything X
# still has", which is what leaving it out asks for.
_SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class _State:
    since_id: str | None = None  # mentions/search: the since_id of this round; dms: newest event stored
    next: str | None = None  # the page token to read next, during a round
    newest: str | None = None  # the newest id this round has seen
    query: str | None = None  # search: the digest of the query `next` belongs to

    @staticmethod
    def load(cursor: str | None) -> _State:
        if not cursor:
            return _State()
        if cursor.isdigit():
            return _State(since_id=cursor)
        try:
            data = json.loads(cursor)
        except ValueError:
            return _State()  # a cursor from an older format: start afresh rather than fail forever
        if not isinstance(data, dict):
            return _State()
        return _State(*(_text(data.get(k)) for k in ("since_id", "next", "newest", "q")))

    def dump(self) -> str:
        """The in-round cursor (idle cursors are the bare id)."""
        values = {"since_id": self.since_id, "next": self.next, "newest": self.newest, "q": self.query}
        return json.dumps({k: v for k, v in values.items() if v is not None}, separators=(",", ":"))


def fetch(http: httpx.Client, account: Account, source: str, cursor: str | None) -> FetchResult:
    if source == "mentions":
        address = api.url(account, f"/2/users/{api.brand_id(account)}/mentions")
        return _timeline(http, account, address, api.user_token(account), {}, "pagination_token", cursor)
    if source == "search":
        return _search(http, account, cursor)
    if source == "dms":
        return _dms(http, account, cursor)
    raise ChannelError(f"X has no source called {source!r} (one of {', '.join(SOURCES)})")


def _search(http: httpx.Client, account: Account, cursor: str | None) -> FetchResult:
    queries = account.settings.get("queries")
    terms = (
        [q.strip() for q in queries if isinstance(q, str) and q.strip()] if isinstance(queries, list) else []
    )
    if not terms:
        return FetchResult([], None)  # nothing to listen for
    # Each listening query in parentheses, OR-ed; reposts say nothing new.
    query = "(" + " OR ".join(f"({t})" for t in terms) + ") -is:retweet"
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    token = api.app_token(account, fallback_to_user=True)
    address = api.url(account, "/2/tweets/search/recent")
    return _timeline(http, account, address, token, {"query": query}, "next_token", cursor, digest)


def _timeline(
    http: httpx.Client,
    account: Account,
    address: str,
    token: str,
    params: dict[str, Any],
    page_param: str,
    cursor: str | None,
    query: str | None = None,
) -> FetchResult:
    state = _State.load(cursor)
    first_poll = cursor is None or (state.since_id is None and state.next is None)
    if state.next is not None and state.query != query:
        state = _State(since_id=state.since_id)  # the listening queries changed: that token is void
    since = state.since_id
    if state.next is None and since and query is not None and _older_than_search(since):
        since = None
    request = {**params, **api.POST_READ, "max_results": PAGE_SIZE}
    if since:
        request["since_id"] = since
    if state.next:
        request[page_param] = state.next
    try:
        page = api.get(http, address, token, request)
    except PermanentSendError as exc:
        if not state.next:
            raise
        # Page tokens may expire; the round starts again from its since_id, losing nothing.
        log.warning("X refused a page token, reading the round again: %s", exc)
        return _timeline(http, account, address, token, params, page_param, state.since_id, query)
    events = _oldest_first(parse_document(page, account) if "data" in page or "errors" in page else [])
    meta = _obj(page.get("meta"))
    newest = state.newest if state.next else _text(meta.get("newest_id")) or _max_id(page.get("data"))
    following = _text(meta.get("next_token"))
    if following and not first_poll:
        after = _State(since_id=since, next=following, newest=newest, query=query)
        return FetchResult(events, after.dump(), more=True)
    done = newest or state.since_id
    return FetchResult(events, done, more=False)


def _oldest_first(events: list[InboundEvent]) -> list[InboundEvent]:
    """X pages newest first; stored oldest first, a parent comes before its replies and an original
    before its edit (which then marks it as replaced)."""
    return events[::-1]


def _older_than_search(since_id: str) -> bool:
    moment = snowflake_time(since_id)
    return moment is not None and moment < utcnow() - _SEARCH_WINDOW


def _dms(http: httpx.Client, account: Account, cursor: str | None) -> FetchResult:
    """DM events have no since_id: read pages until one reaches an event already stored."""
    state = _State.load(cursor)
    first_poll = cursor is None or (state.since_id is None and state.next is None)
    stored = int(state.since_id) if state.since_id else 0
    request: dict[str, Any] = {**api.DM_READ, "max_results": PAGE_SIZE}
    if state.next:
        request["pagination_token"] = state.next
    try:
        page = api.get(http, api.url(account, "/2/dm_events"), api.user_token(account), request)
    except PermanentSendError as exc:
        if not state.next:
            raise
        log.warning("X refused a DM page token, reading the round again: %s", exc)
        return _dms(http, account, state.since_id)
    data = page.get("data")
    if data is not None and not isinstance(data, list):
        raise PayloadError("X's dm_events data is not a list")
    ids = [int(e["id"]) for e in data or [] if isinstance(e, dict) and str(e.get("id", "")).isdigit()]
    fresh = [e for e in data or [] if isinstance(e, dict) and _newer(e.get("id"), stored)]
    events = _oldest_first(parse_document({**page, "data": fresh}, account) if fresh else [])
    run_newest = int(state.newest) if state.next and state.newest and state.newest.isdigit() else 0
    newest = max([run_newest, *ids])
    following = _text(_dig(page, "meta", "next_token"))
    reached_stored = any(i <= stored for i in ids)
    if following and not reached_stored and not first_poll:
        after = _State(since_id=state.since_id, next=following, newest=str(newest) if newest else None)
        return FetchResult(events, after.dump(), more=True)
    done = max(newest, stored)
    return FetchResult(events, str(done) if done else None, more=False)


def _max_id(data: Any) -> str | None:
    ids = (
        [int(i["id"]) for i in data if isinstance(i, dict) and str(i.get("id", "")).isdigit()]
        if isinstance(data, list)
        else []
    )
    return str(max(ids)) if ids else None


def _newer(event_id: Any, stored: int) -> bool:
    return isinstance(event_id, str) and event_id.isdigit() and int(event_id) > stored


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj
