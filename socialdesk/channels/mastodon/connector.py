"""The Mastodon connector: REST calls (notifications, search, statuses) and the streaming API."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx2 as httpx

from socialdesk.channels import http
from socialdesk.channels.base import (
    Account,
    Action,
    CredentialField,
    FetchResult,
    HookReply,
    HookRequest,
    Limits,
    StreamItem,
    default_reconnect_delay,
)
from socialdesk.channels.mastodon.parse import (
    DEFAULT_API,
    NETWORK,
    is_brand,
    local_domain,
    page_events,
    parse,
    payloads,
    same_acct,
    timestamp,
)
from socialdesk.channels.mastodon.streaming import STREAM_SOURCES, stream_items
from socialdesk.channels.mastodon.text import countable_length, html_to_text, mentions
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import (
    CredentialsError,
    PayloadError,
    PermanentSendError,
    SignatureError,
)
from socialdesk.core.types import InboundEvent, OutboundMessage, SendResult

log = logging.getLogger(__name__)

LABEL = "Mastodon"
MAX_CHARACTERS = 500  # the default; a server may set another (configuration.statuses.max_characters)
NOTIFICATION_PAGE = 40  # the default page since 4.1 (max 80)
STATUS_PAGE = 40  # the maximum of timelines, account statuses and search
# Notifications that carry a status meant for the brand: a mention (DMs are mentions too), a quote of
# one of its posts, an edit of a status it boosted.
NOTIFICATION_TYPES = ("mention", "quote", "update")
_VISIBILITY = ("public", "unlisted", "private", "direct")  # widest first
_FIND_PAGES = 5
_CLOCK_SKEW = timedelta(minutes=5)
_MENTION_TOKEN = re.compile(r"(?<![/\w])@\w+(?:@[\w.-]+\w)?")


class MastodonConnector:
    """Mastodon (and servers speaking its API: the instance is the account's `api_base` setting)."""

    network = NETWORK
    limits = Limits(
        max_text=MAX_CHARACTERS,
        max_private_text=MAX_CHARACTERS,  # a direct message is a status like any other
        media=("image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "video/webm", "audio/mpeg"),
        max_media=4,
        # Delete applies to the brand's own statuses only: nobody deletes another account's post.
        actions=("like", "delete"),
    )
    credential_fields = (
        CredentialField(
            "access_token",
            "Access token",
            help="The brand account's OAuth token (Preferences → Development → New application) with "
            "the scopes read, write:statuses and write:favourites.",
        ),
    )
    sources = ("notifications", "search")
    stream_sources = STREAM_SOURCES

    # Webhooks -----------------------------------------------------------------------------------

    def text_length(self, text: str) -> int:
        """As Mastodon counts a status: graphemes, a URL 23, a mention without its domain."""
        return countable_length(text)

    def handshake(self, request: HookRequest, account: Account) -> HookReply | None:
        return None

    def verify(self, request: HookRequest, account: Account) -> None:
        # Mastodon's webhooks are for server admins (every status on the server); a brand's account
        # gets its posts through notifications and the streaming API.
        raise SignatureError("Mastodon sends no webhooks to an account; this address takes no deliveries")

    # Payloads -----------------------------------------------------------------------------------

    def payloads(self, data: bytes) -> list[bytes]:
        return payloads(data)

    def parse(self, payload: bytes, account: Account | None = None) -> list[InboundEvent]:
        return parse(payload, account)

    # Polling ------------------------------------------------------------------------------------

    def fetch(self, client: httpx.Client, account: Account, source: str, cursor: str | None) -> FetchResult:
        if source == "notifications":
            return self._notifications(client, account, cursor)
        if source == "search":
            return self._search(client, account, cursor)
        raise PermanentSendError(f"Mastodon has no source called {source!r}")

    def _notifications(self, client: httpx.Client, account: Account, cursor: str | None) -> FetchResult:
        # min_id pages forward from the cursor without gaps (since_id would return the newest page and
        # skip what lies between). Filtered notifications (by default: private mentions from accounts
        # the brand does not follow, i.e. customers' DMs) are asked for too.
        params: list[tuple[str, str]] = [("limit", str(NOTIFICATION_PAGE)), ("include_filtered", "true")]
        params += [("types[]", kind) for kind in NOTIFICATION_TYPES]
        if cursor:
            params.append(("min_id", cursor))
        page = self._get_list(client, account, "/api/v1/notifications", params)
        newest = _newest(page) or _link_min_id(page)
        more = bool(cursor) and len(page) >= NOTIFICATION_PAGE
        return FetchResult(page_events(page, account), newest, more=more)

    def _search(self, client: httpx.Client, account: Account, cursor: str | None) -> FetchResult:
        """The account's `queries`: "#tag" reads the hashtag's timeline, anything else full-text
        search (statuses are only searchable where the server runs Elasticsearch). The cursor holds
        the newest status id seen per query."""
        queries = [
            q.strip() for q in account.settings.get("queries") or [] if isinstance(q, str) and q.strip()
        ]
        seen = _cursor_map(cursor)
        events: list[InboundEvent] = []
        more = False
        for query in queries:
            params: list[tuple[str, str]] = [("limit", str(STATUS_PAGE))]
            if seen.get(query):
                params.append(("min_id", seen[query]))
            if query.startswith("#"):
                path = f"/api/v1/timelines/tag/{quote(query.lstrip('#'), safe='')}"
                page = self._get_list(client, account, path, params)
            else:
                params += [("q", query), ("type", "statuses"), ("resolve", "false")]
                body = self._get(client, account, "/api/v2/search", params)
                found = body.get("statuses") if isinstance(body, dict) else None
                if not isinstance(found, list):
                    raise PayloadError("Mastodon's search answer has no statuses list")
                page = found
            events += page_events(page, account)
            newest = _newest(page)
            if newest:
                more = more or (bool(seen.get(query)) and len(page) >= STATUS_PAGE)
                seen[query] = newest
        seen = {q: seen[q] for q in queries if q in seen}  # a query taken off the settings is forgotten
        new_cursor = json.dumps(seen, sort_keys=True, ensure_ascii=False)
        return FetchResult(events, new_cursor if seen and new_cursor != cursor else None, more=more)

    # Sending ------------------------------------------------------------------------------------

    def send(self, client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
        """POST /api/v1/statuses with the message's Idempotency-Key: Mastodon answers a repeat of a
        key it has seen (kept for an hour) with the status the first request made."""
        parent = self._status(client, account, message.in_reply_to) if message.in_reply_to else None
        text = self._addressed(account, message, parent)
        limit = _max_characters(account)
        length = countable_length(text)
        if length > limit:
            raise PermanentSendError(
                f"Mastodon allows {limit} characters; with the mentions it needs this reply has {length}"
            )
        form = {"status": text, "visibility": self._visibility(account, message, parent)}
        if message.in_reply_to:
            form["in_reply_to_id"] = message.in_reply_to
        response = http.call(
            client,
            "POST",
            _url(account, "/api/v1/statuses"),
            LABEL,
            data=form,
            headers={**_auth(account), "Idempotency-Key": message.idempotency_key},
        )
        return _result(http.json_body(response, LABEL))

    def _addressed(self, account: Account, message: OutboundMessage, parent: dict[str, Any] | None) -> str:
        """The text with the mentions Mastodon needs in front: a reply notifies only the accounts it
        mentions, and a direct status reaches only them. A public reply mentions the customer; a
        private one everyone in the conversation (as Mastodon's own composer does), the brand aside."""
        wanted: list[tuple[Any, Any]] = []  # (account id, acct) of whom the answer is for
        if parent is not None:
            author = parent.get("account")
            author = author if isinstance(author, dict) else {}
            wanted.append((author.get("id"), author.get("acct")))
            if message.private:
                wanted += [
                    (m.get("id"), m.get("acct")) for m in parent.get("mentions") or [] if isinstance(m, dict)
                ]
        if message.recipient_handle:
            wanted.append((message.recipient_id, message.recipient_handle))
        home = local_domain(account)
        missing: list[str] = []
        for account_id, acct in wanted:
            acct = str(acct or "").strip().lstrip("@")
            if (
                not acct
                or is_brand(account, account_id, acct)
                or any(same_acct(acct, m, home) for m in missing)
            ):
                continue
            if not mentions(message.text, acct):
                missing.append(acct)
        if message.private and not missing and not _MENTION_TOKEN.search(message.text):
            raise PermanentSendError("a Mastodon direct message needs a recipient; this one has none")
        prefix = " ".join(f"@{acct}" for acct in missing)
        return f"{prefix} {message.text}" if prefix else message.text

    def _visibility(self, account: Account, message: OutboundMessage, parent: dict[str, Any] | None) -> str:
        """direct for a private answer; otherwise the account's `reply_visibility` (public), never
        wider than the post answered (a followers-only post gets a followers-only answer)."""
        if message.private:
            return "direct"
        chosen = account.setting("reply_visibility", "public")
        chosen = chosen if chosen in _VISIBILITY[:3] else "public"
        answered = parent.get("visibility") if parent else None
        if answered in _VISIBILITY and _VISIBILITY.index(answered) > _VISIBILITY.index(chosen):
            return str(answered)
        return chosen

    def find_sent(
        self, client: httpx.Client, account: Account, message: OutboundMessage
    ) -> SendResult | None:
        """Look through the brand's own latest statuses for this answer (same post answered, same
        visibility, same text once mentions are set aside). Sending again with the same Idempotency-Key
        would also be safe, but only within the hour Mastodon keeps keys."""
        brand_id = account.external_id or _id_of(self._me(client, account))
        since = message.created_at - _CLOCK_SKEW if message.created_at else None
        wanted = _comparable(message.text)
        params: list[tuple[str, str]] = [("limit", str(STATUS_PAGE)), ("exclude_reblogs", "true")]
        path = f"/api/v1/accounts/{quote(brand_id, safe='')}/statuses"
        for _ in range(_FIND_PAGES):
            page = self._get_list(client, account, path, params)
            for status in page:
                if not isinstance(status, dict):
                    continue
                created = status.get("created_at")
                if since and isinstance(created, str) and timestamp(created, "created_at") < since:
                    return None
                if _is_answer(status, message, wanted):
                    return _result(status)
            if not page or since is None:
                return None
            params = [*params[:2], ("max_id", _id_of(page[-1]))]
        return None

    # Actions and credentials --------------------------------------------------------------------

    def act(self, client: httpx.Client, account: Account, action: Action, external_id: str) -> None:
        path = f"/api/v1/statuses/{quote(external_id, safe='')}"
        if action == "like":
            http.call(client, "POST", _url(account, path + "/favourite"), LABEL, headers=_auth(account))
        elif action == "delete":
            http.call(client, "DELETE", _url(account, path), LABEL, headers=_auth(account))
        else:
            # Muting or reporting the author is not hiding the post, so none is offered.
            raise PermanentSendError(f"Mastodon cannot {action} another account's post")

    def check(self, client: httpx.Client, account: Account) -> str:
        """verify_credentials for the name; the server's own domain and character limit from
        GET /api/v2/instance, when it answers (servers before 4.0 do not)."""
        me = self._me(client, account)
        acct = str(me.get("acct") or me.get("username") or "")
        if not acct:
            raise PayloadError("Mastodon's verify_credentials answer names no account")
        try:
            instance = self._get(client, account, "/api/v2/instance", [])
        except PermanentSendError:
            instance = {}
        domain = instance.get("domain") if isinstance(instance, dict) else None
        name = f"@{acct}" if "@" in acct or not domain else f"@{acct}@{domain}"
        configuration = instance.get("configuration") if isinstance(instance, dict) else None
        statuses = configuration.get("statuses") if isinstance(configuration, dict) else None
        allowed = statuses.get("max_characters") if isinstance(statuses, dict) else None
        if isinstance(allowed, int) and allowed != _max_characters(account):
            name += f" (this server allows {allowed} characters a post: set max_characters={allowed})"
        return name

    # Streaming ----------------------------------------------------------------------------------

    def stream(
        self, client: httpx.Client, account: Account, source: str, cursor: str | None
    ) -> Iterator[StreamItem]:
        """GET /api/v1/streaming/<source> as server-sent events (streaming.py)."""
        yield from stream_items(client, account, source, _auth(account))

    def reconnect_delay(self, error: Exception, attempt: int) -> float:
        """Mastodon documents no reconnection timing (its web client retries with a short backoff and
        polls meanwhile, as the pollers do here): 1 s doubling to a minute; five minutes when the
        token or the stream was refused, which waiting briefly does not mend."""
        if isinstance(error, CredentialsError | PermanentSendError):
            return 300.0
        return min(default_reconnect_delay(error, attempt), 60.0)

    # Helpers ------------------------------------------------------------------------------------

    def _get(self, client: httpx.Client, account: Account, path: str, params: list[tuple[str, str]]) -> Any:
        response = http.call(client, "GET", _url(account, path), LABEL, params=params, headers=_auth(account))
        body = http.json_body(response, LABEL)
        if isinstance(body, list) and "link" in response.headers:
            return _Page(body, response.headers["link"])
        return body

    def _get_list(
        self, client: httpx.Client, account: Account, path: str, params: list[tuple[str, str]]
    ) -> list[Any]:
        body = self._get(client, account, path, params)
        if not isinstance(body, list):
            raise PayloadError(f"Mastodon answered {path} with something other than a list")
        return body

    def _status(self, client: httpx.Client, account: Account, status_id: str) -> dict[str, Any]:
        body = self._get(client, account, f"/api/v1/statuses/{quote(status_id, safe='')}", [])
        if not isinstance(body, dict):
            raise PayloadError("Mastodon's status answer is not an object")
        return body

    def _me(self, client: httpx.Client, account: Account) -> dict[str, Any]:
        body = self._get(client, account, "/api/v1/accounts/verify_credentials", [])
        if not isinstance(body, dict):
            raise PayloadError("Mastodon's verify_credentials answer is not an object")
        return body


class _Page(list[Any]):
    """An API page and its Link header (rel="prev" names the min_id to read newer items from)."""

    def __init__(self, items: Iterable[Any], link: str) -> None:
        super().__init__(items)
        self.link = link


def _url(account: Account, path: str) -> str:
    return account.setting("api_base", DEFAULT_API).rstrip("/") + path


def _auth(account: Account) -> dict[str, str]:
    token = account.credentials.get("access_token")
    if not token:
        raise CredentialsError("the Mastodon channel has no access token")
    return {"Authorization": f"Bearer {token}"}


def _max_characters(account: Account) -> int:
    value = account.settings.get("max_characters")
    try:
        return int(value) if value else MAX_CHARACTERS
    except (TypeError, ValueError):
        return MAX_CHARACTERS


def _id_of(entity: Any) -> str:
    value = entity.get("id") if isinstance(entity, dict) else None
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value):
        raise PayloadError("a Mastodon entity has no id")
    return str(value)


def _newest(items: list[Any]) -> str | None:
    """The newest id of a page. Ids are strings: Mastodon's integers, other servers' fixed-length
    sortable ids; by length then text orders both."""
    ids = [str(i["id"]) for i in items if isinstance(i, dict) and isinstance(i.get("id"), str | int)]
    return max(ids, key=lambda i: (len(i), i)) if ids else None


_LINK_PREV = re.compile(r'<([^>]*)>\s*;\s*rel="?prev"?')


def _link_min_id(page: list[Any]) -> str | None:
    link = getattr(page, "link", "")
    match = _LINK_PREV.search(link)
    if not match:
        return None
    found = re.search(r"[?&]min_id=([^&]+)", match.group(1))
    return found.group(1) if found else None


def _cursor_map(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _result(status: Any) -> SendResult:
    external_id = _id_of(status)
    created = status.get("created_at")
    sent_at = timestamp(created, "created_at") if isinstance(created, str) else utcnow()
    return SendResult(external_id, sent_at)


def _comparable(text: str) -> str:
    """Text with mentions set aside and white space collapsed: Mastodon renders "@user@domain" as
    "@user", and its HTML round trip may change line breaks."""
    return " ".join(_MENTION_TOKEN.sub(" ", text).split())


def _is_answer(status: dict[str, Any], message: OutboundMessage, wanted: str) -> bool:
    if str(status.get("in_reply_to_id") or "") != (message.in_reply_to or ""):
        return False
    if (status.get("visibility") == "direct") != message.private:
        return False
    content = status.get("content")
    return isinstance(content, str) and _comparable(html_to_text(content)) == wanted


CONNECTOR = MastodonConnector()
