"""Mastodon payloads → normalised posts.

What arrives: API pages (a JSON array of Notifications, of Statuses for timelines, a Search result, a
grouped-notifications page), single entities, streaming events as server-sent-event blocks
("event: update" / "data: {...}") or WebSocket messages ({"stream": [...], "event": ..., "payload":
"<JSON as a string>"}). Entities: https://docs.joinmastodon.org/entities/Status/ and /Notification/;
events: https://docs.joinmastodon.org/methods/streaming/#events.

What makes a post: a Status (not a boost: the booster wrote nothing; its original reached us on its
own if it concerned the brand), a Notification of type mention or quote (addressed to the brand by
definition), and of type status/update, and stream update/status.update events, when the status is
addressed to the brand or written by it. That can only be told with the brand's account at hand;
without one (`channels parse`) every status they carry is a post.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from socialdesk.channels.base import Account, is_json, json_payloads, load_json, need
from socialdesk.channels.mastodon.text import clean, html_to_text
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundEvent, InboundPost, PostDeletion

log = logging.getLogger(__name__)

NETWORK = "mastodon"
DEFAULT_API = "https://mastodon.social"

# Notifications that carry a status addressed to the brand; "status" and "update" only sometimes
# (someone the brand follows with notifications on posted; a status the brand boosted was edited).
_ADDRESSED_TYPES = frozenset({"mention", "quote"})
_MAYBE_TYPES = frozenset({"status", "update"})
_STATUS_EVENTS = frozenset({"update", "status.update"})
_SSE_LINE = re.compile(rb"^(?::|event:|data:|id:|retry:)")
# SSE lines end in CR, LF or CRLF only: a status's JSON may hold U+2028 or NEL raw (JSON.stringify
# leaves them), which str.splitlines would break a line at.
_EOL = re.compile(r"\r\n|\r|\n")


def payloads(data: bytes) -> list[bytes]:
    """A saved server-sent-event capture splits into its event blocks (blank-line separated, as the
    streaming server writes them); anything else is one JSON document or one per line (a WebSocket
    capture, several API pages)."""
    first = next((line for line in data.lstrip(b"\xef\xbb\xbf").splitlines() if line.strip()), b"")
    if not _SSE_LINE.match(first.lstrip()):
        chunks = json_payloads(data)
        if len(chunks) > 1 and not is_json(chunks[0]):
            return [data]  # one document, broken (a truncated page): one error, not one per line
        return chunks
    blocks: list[bytes] = []
    current: list[bytes] = []
    for line in data.lstrip(b"\xef\xbb\xbf").splitlines():
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(b"\n".join(current))
            current = []
    if current:
        blocks.append(b"\n".join(current))
    return blocks


def parse(payload: bytes, account: Account | None = None) -> list[InboundEvent]:
    """One payload → posts and deletions, oldest first; PayloadError when it is not Mastodon's."""
    text = _decode(payload).lstrip("\ufeff")
    stripped = text.strip()
    if not stripped:
        raise PayloadError("the payload is empty")
    if stripped[0] in "[{":
        return _document(load_json(payload.lstrip(b"\xef\xbb\xbf"), "the Mastodon payload"), account)
    if _SSE_LINE.match(stripped.encode()):
        events: list[InboundEvent] = []
        for name, data in _sse_events(stripped):
            events += _event(name, data, account)
        return events
    raise PayloadError("the payload is neither JSON nor a server-sent event")


def page_events(items: list[Any], account: Account | None) -> list[InboundEvent]:
    """An API page's posts, oldest first. An item that cannot be read is logged and skipped: one
    broken notification must not hold a channel's cursor back for good."""
    events: list[InboundEvent] = []
    for index, item in reversed(list(enumerate(items))):
        try:
            events += _entity(item, account, f"item {index}")
        except PayloadError as exc:
            log.warning("skipped a Mastodon item: %s", exc)
    return events


def _decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"the Mastodon payload is not UTF-8 (byte {exc.start})") from exc


def _sse_events(text: str) -> Iterator[tuple[str, str | None]]:
    """(event name, data) of each event in server-sent-event text; comments (":thump") are skipped,
    several data lines join with a line break (the SSE rules)."""
    name: str | None = None
    data: list[str] = []
    for line in [*_EOL.split(text), ""]:
        if not line:
            if name is not None or data:
                yield name or "message", "\n".join(data) if data else None
            name, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)


def _event(name: str, data: str | None, account: Account | None) -> list[InboundEvent]:
    """One streaming event (SSE or WebSocket): its name, and its payload as the string it was sent as."""
    if name == "delete":
        return [PostDeletion(NETWORK, _deleted_id(data))]
    if name not in _STATUS_EVENTS and name not in ("notification", "conversation"):
        return []  # filters_changed, announcement*, notifications_merged, encrypted_message, ...
    if data is None:
        raise PayloadError(f"the {name} event has no payload")
    entity = load_json(data.encode(), f"the {name} event's payload")
    if name == "notification":
        return _notification(entity, account, "notification")
    if name == "conversation":
        return _conversation(entity, account)
    return _status_if_addressed(entity, account, f"the {name} event's status")


def _deleted_id(data: str | None) -> str:
    value = (data or "").strip()
    if value.startswith('"'):  # a server that sends the id JSON-quoted
        with contextlib.suppress(ValueError):
            value = str(json.loads(value))
    if not value or any(c.isspace() for c in value):
        raise PayloadError("the delete event does not name a status id")
    return value


def _document(body: Any, account: Account | None) -> list[InboundEvent]:
    if isinstance(body, list):
        events: list[InboundEvent] = []
        for index, item in reversed(list(enumerate(body))):  # pages are newest first
            events += _entity(item, account, f"item {index}")
        return events
    return _entity(body, account, "the payload")


def _entity(item: Any, account: Account | None, where: str) -> list[InboundEvent]:
    """Whatever Mastodon entity `item` is: told apart by the fields only it has."""
    if not isinstance(item, dict):
        raise PayloadError(f"{where} is not an object")
    if "event" in item and ("stream" in item or "payload" in item):
        return _websocket(item, account)
    if "notification_groups" in item:
        return _grouped(item, account)
    if isinstance(item.get("statuses"), list) and "hashtags" in item:  # a Search result
        return _document(item["statuses"], account)
    if "last_status" in item and "accounts" in item:
        return _conversation(item, account)
    if "type" in item and "content" not in item:
        return _notification(item, account, where)
    if "content" in item or "uri" in item:
        return status_events(item, account, where)
    if isinstance(item.get("error"), str):
        raise PayloadError(f"{where} is an error answer from Mastodon: {item['error']}")
    raise PayloadError(f"{where} is not a Mastodon status, notification or streaming event")


def _websocket(message: dict[str, Any], account: Account | None) -> list[InboundEvent]:
    name = need(message, "event", str, "the WebSocket message")
    payload = message.get("payload")
    if payload is not None and not isinstance(payload, str):
        payload = json.dumps(payload)  # a server that sends the entity itself, not as a string
    return _event(name, payload, account)


def _notification(item: Any, account: Account | None, where: str) -> list[InboundEvent]:
    kind = need(item, "type", str, where)
    status = item.get("status")
    if status is None or kind not in _ADDRESSED_TYPES | _MAYBE_TYPES:
        return []  # favourite, reblog, follow, poll, admin.*, severed_relationships, unknown types, ...
    if kind in _MAYBE_TYPES:
        return _status_if_addressed(status, account, f"{where}.status")
    return status_events(status, account, f"{where}.status")


def _grouped(page: dict[str, Any], account: Account | None) -> list[InboundEvent]:
    """GET /api/v2/notifications: groups name their status by id; the statuses come alongside."""
    statuses = {s.get("id"): s for s in page.get("statuses") or [] if isinstance(s, dict)}
    events: list[InboundEvent] = []
    groups = page.get("notification_groups")
    if not isinstance(groups, list):
        raise PayloadError("notification_groups is not a list")
    for index, group in reversed(list(enumerate(groups))):
        where = f"notification_groups[{index}]"
        kind = need(group, "type", str, where)
        status = statuses.get(group.get("status_id"))
        if status is None or kind not in _ADDRESSED_TYPES | _MAYBE_TYPES:
            continue
        if kind in _MAYBE_TYPES:
            events += _status_if_addressed(status, account, where)
        else:
            events += status_events(status, account, where)
    return events


def _conversation(item: Any, account: Account | None) -> list[InboundEvent]:
    status = item.get("last_status") if isinstance(item, dict) else None
    return status_events(status, account, "the conversation's last_status") if status else []


def _status_if_addressed(status: Any, account: Account | None, where: str) -> list[InboundEvent]:
    events = status_events(status, account, where)  # read first: a broken status is an error either way
    if events and account is not None and not _concerns_brand(status, account):
        return []  # a home-timeline status of someone the brand follows
    return events


def status_events(status: Any, account: Account | None, where: str = "the status") -> list[InboundEvent]:
    """A Status entity → its post; [] for a boost."""
    if not isinstance(status, dict):
        raise PayloadError(f"{where} is not an object")
    if status.get("reblog") is not None:
        return []
    return [_post(status, account, where)]


def _post(status: dict[str, Any], account: Account | None, where: str) -> InboundPost:
    external_id = _id(status, "id", where)
    author = need(status, "account", dict, where)
    author_id = _id(author, "id", f"{where}.account")
    acct = need(author, "acct", str, f"{where}.account")
    content = status.get("content")
    if content is not None and not isinstance(content, str):
        raise PayloadError(f"{where}.content is not a string")
    text = html_to_text(content or "")
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        # The content warning is part of what the author wrote, and is read first.
        text = f"{clean(spoiler.strip())}\n\n{text}" if text else clean(spoiler.strip())
    private = status.get("visibility") == "direct"
    in_reply_to = status.get("in_reply_to_id")
    followers = author.get("followers_count")
    name = author.get("display_name")
    lang = status.get("language")
    own = account is not None and is_brand(account, author_id, acct)
    return InboundPost(
        network=NETWORK,
        external_id=external_id,
        direction=Direction.OUTBOUND if own else Direction.INBOUND,
        author_id=author_id,
        author_handle=clean(acct),
        author_name=clean(name) if isinstance(name, str) and name.strip() else None,
        text=text,
        created_at=timestamp(need(status, "created_at", str, where), f"{where}.created_at"),
        channel=account.handle if account is not None else None,
        in_reply_to=str(in_reply_to) if isinstance(in_reply_to, str | int) and in_reply_to else None,
        private=private,
        conversation_key=dm_key(status, author_id) if private else None,
        lang=lang if isinstance(lang, str) and lang else None,
        followers=followers if isinstance(followers, int) and not isinstance(followers, bool) else None,
        edited_at=_edited(status, where),
        raw=status,
    )


def _id(mapping: dict[str, Any], key: str, where: str) -> str:
    value = mapping.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"{where}.{key} is missing or not a string")
    return value


def _edited(status: dict[str, Any], where: str) -> datetime | None:
    value = status.get("edited_at")
    return timestamp(value, f"{where}.edited_at") if isinstance(value, str) and value else None


def timestamp(value: str, where: str) -> datetime:
    """A Mastodon datetime (ISO 8601, "2022-08-30T23:05:46.839Z") as an aware UTC datetime."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise PayloadError(f"{where} is not a datetime: {value[:40]!r}") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def dm_key(status: dict[str, Any], author_id: str) -> str:
    """A direct message's conversation: everyone in it (the author and the accounts mentioned, the
    brand among them), by their ids on the brand's server. The brand's answer mentions the customer,
    so it lands in the same conversation; someone added to the thread makes a new one, as its
    audience changed. (Statuses carry no conversation id; /api/v1/conversations is per viewer.)"""
    people = {author_id}
    for mention in status.get("mentions") or []:
        if isinstance(mention, dict) and isinstance(mention.get("id"), str | int) and mention["id"]:
            people.add(str(mention["id"]))
    return "dm:" + "+".join(sorted(people))


def local_domain(account: Account) -> str:
    """The brand's server's domain: the `domain` setting, else the handle's, else the API's host."""
    configured = account.settings.get("domain")
    if isinstance(configured, str) and configured:
        return configured.lower()
    _, _, domain = account.handle.lstrip("@").partition("@")
    if domain:
        return domain.lower()
    host = account.setting("api_base", DEFAULT_API).split("://", 1)[-1].split("/", 1)[0]
    return host.lower()


def same_acct(first: str, second: str, home: str) -> bool:
    """Whether two accts name one account, as the brand's server writes them (local ones bare)."""

    def full(acct: str) -> str:
        user, _, domain = acct.strip().lstrip("@").lower().partition("@")
        return f"{user}@{domain or home}"

    return full(first) == full(second)


def is_brand(account: Account, account_id: str | None, acct: str | None) -> bool:
    if account.external_id and account_id:
        return str(account_id) == account.external_id
    return bool(acct) and same_acct(str(acct), account.handle, local_domain(account))


def _concerns_brand(status: dict[str, Any], account: Account) -> bool:
    """Written by the brand, in reply to it, or mentioning it."""
    author = status.get("account")
    author = author if isinstance(author, dict) else {}
    if is_brand(account, author.get("id"), author.get("acct")):
        return True
    if account.external_id and str(status.get("in_reply_to_account_id")) == account.external_id:
        return True
    for mention in status.get("mentions") or []:
        if isinstance(mention, dict) and is_brand(account, mention.get("id"), mention.get("acct")):
            return True
    return False
