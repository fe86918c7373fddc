"""Bluesky payloads → normalised posts: notification pages, Jetstream events and chat logs.

What a payload is, is told by its shape (Bluesky's JSON carries no envelope naming it):

- app.bsky.notification.listNotifications pages (`{"notifications": [...], "cursor"}`) or one
  notification: `mention`, `reply` and `quote` carry the post that was addressed to the brand; every
  other reason (like, repost, follow, starterpack-joined, verified, ... and reasons added later) is no post.
- Jetstream events, one JSON object per line (`{"did", "time_us", "kind": "commit", "commit": {...}}`):
  creates and updates in app.bsky.feed.post are posts, deletes are deletions; `identity` and `account`
  events and other collections (likes, follows, reposts) are nothing. Jetstream names the author by DID
  only, so such posts have the DID as `author_handle` too.
- chat.bsky.convo.getLog pages (`{"logs": [...], "cursor"}`): `#logCreateMessage` entries are private
  messages; the rest (reads, reactions, convo begin/accept/leave, ...) are nothing. A getMessages page
  lists messages without naming their conversation, so it is accepted only with its `convoId` beside.

A post's `external_id` is its at:// URI; a chat message's is `chat:<convoId>:<messageId>` (message ids
are only known to be unique within their conversation, and the prefix keeps them apart from URIs).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from socialdesk.channels.base import Account, json_payloads, load_json, need
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundEvent, InboundPost, PostDeletion

log = logging.getLogger(__name__)

NETWORK = "bluesky"
POST = "app.bsky.feed.post"
POST_REASONS = ("mention", "reply", "quote")
CREATE_MESSAGE = "chat.bsky.convo.defs#logCreateMessage"
DELETED_MESSAGE = "chat.bsky.convo.defs#deletedMessageView"
SYSTEM_MESSAGE = "chat.bsky.convo.defs#systemMessageView"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"
# A client's clock may run ahead; a createdAt this far past when the network indexed it is not believed.
_CLOCK_SKEW = timedelta(minutes=5)
_FRACTION = re.compile(r"(\.\d{6})\d+")


def payloads(data: bytes) -> list[bytes]:
    """One JSON document, or one Jetstream event per line. A document cut short (an indented page
    that is not whole) stays one payload, so that it is reported once and not line by line."""
    chunks = json_payloads(data)
    if len(chunks) > 1 and not all(c.lstrip().startswith(b"{") for c in chunks):
        return [data]
    return chunks


def parse(payload: bytes, account: Account | None = None) -> list[InboundEvent]:
    doc = load_json(payload, "the Bluesky payload")
    if not isinstance(doc, dict):
        raise PayloadError("the Bluesky payload is not a JSON object")
    if "notifications" in doc:
        items = need(doc, "notifications", list, "the listNotifications page")
        return tolerant(items, lambda item: notification(item, account), "notification")
    if "reason" in doc and "uri" in doc:
        return notification(doc, account)
    if "kind" in doc and "did" in doc:
        return jetstream_event(doc, account)
    if "logs" in doc:
        logs = need(doc, "logs", list, "the getLog page")
        return chat_log(logs, account)
    if "messages" in doc:
        messages = need(doc, "messages", list, "the getMessages page")
        convo = doc.get("convoId")
        if not isinstance(convo, str) or not convo:
            raise PayloadError(
                "a chat.bsky.convo.getMessages page does not name its conversation: "
                'save it with its "convoId" beside "messages"'
            )
        profiles = doc.get("relatedProfiles")
        return tolerant(messages, lambda m: message(m, convo, account, profiles, m), "chat message")
    if str(doc.get("$type", "")).startswith("chat.bsky.convo.defs#log"):
        return log_entry(doc, account)
    raise PayloadError(
        "not a Bluesky payload SocialDesk reads: expected a listNotifications page or notification, "
        "a Jetstream event, or a chat getLog page"
    )


def tolerant(
    items: Iterable[Any], read: Callable[[Any], list[InboundEvent]], what: str
) -> list[InboundEvent]:
    """Every item of a page that can be read; one malformed item is logged and skipped, so that it
    cannot hold back the rest of the page (nor, in a poll, every page after it)."""
    events: list[InboundEvent] = []
    for item in items:
        try:
            events += read(item)
        except PayloadError as exc:
            log.warning("skipped a Bluesky %s: %s", what, exc)
    return events


# Notifications ----------------------------------------------------------------------------------


def notification(item: Any, account: Account | None) -> list[InboundEvent]:
    reason = need(item, "reason", str, "the notification")
    if reason not in POST_REASONS:
        return []
    uri = _at_uri(need(item, "uri", str, "the notification"), "the notification's uri")
    author = need(item, "author", dict, "the notification")
    did = need(author, "did", str, "the notification's author")
    record = need(item, "record", dict, "the notification")
    kind = record.get("$type", POST)
    if kind != POST:
        raise PayloadError(f"a {reason} notification carries a {kind!r} record, not a post")
    return [
        post(
            uri,
            did,
            _text_or_none(author.get("handle")) or did,
            _text_or_none(author.get("displayName")),
            record,
            timestamp(item.get("indexedAt")),
            account,
            item,
        )
    ]


# Jetstream --------------------------------------------------------------------------------------


def jetstream_event(doc: dict[str, Any], account: Account | None) -> list[InboundEvent]:
    kind = need(doc, "kind", str, "the Jetstream event")
    if kind != "commit":
        return []  # identity, account, and kinds Jetstream may add
    did = need(doc, "did", str, "the Jetstream event")
    seen = event_time(need(doc, "time_us", int, "the Jetstream event"))
    commit = need(doc, "commit", dict, "the Jetstream event")
    if need(commit, "collection", str, "the Jetstream commit") != POST:
        return []
    operation = need(commit, "operation", str, "the Jetstream commit")
    uri = f"at://{did}/{POST}/{need(commit, 'rkey', str, 'the Jetstream commit')}"
    if operation == "delete":
        return [PostDeletion(NETWORK, uri, seen)]
    if operation not in ("create", "update"):
        return []
    record = need(commit, "record", dict, "the Jetstream commit")
    if account is not None and not wanted(did, record, account):
        return []
    edited = seen if operation == "update" else None
    return [post(uri, did, did, None, record, seen, account, doc, edited)]


def event_time(time_us: int) -> datetime:
    seconds, micros = divmod(time_us, 1_000_000)
    try:
        return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError(f"the Jetstream event's time_us {time_us} is not a time") from exc


def wanted(author_did: str, record: dict[str, Any], account: Account) -> bool:
    """Whether a post seen on the firehose is the brand's business (see the connector's docs):

    it replies to, quotes or mentions (by facet or by @handle) the brand's account, is a reply the brand
    itself wrote, or matches one of the channel's listening `queries` (case-insensitive, whole words;
    `#tag` queries also match the post's tag facets and tags).
    """
    brand = account.external_id
    if brand:
        if author_did == brand:
            return isinstance(record.get("reply"), dict)  # the brand answering someone, from the app
        prefix = f"at://{brand}/"
        if any(uri.startswith(prefix) for uri in _referenced(record)):
            return True
        if brand in _mentioned(record):
            return True
    text = record.get("text")
    text = text if isinstance(text, str) else ""
    pattern = _query_pattern(_handle_term(account), *_queries(account))
    if pattern is not None and pattern.search(text):
        return True
    tags = {t.casefold() for t in _tags(record)}
    return any(q.startswith("#") and q[1:].casefold() in tags for q in _queries(account))


def _referenced(record: dict[str, Any]) -> list[str]:
    """The at:// URIs a post replies to or quotes."""
    found: list[str] = []
    reply = record.get("reply")
    if isinstance(reply, dict):
        for side in ("parent", "root"):
            ref = reply.get(side)
            if isinstance(ref, dict) and isinstance(ref.get("uri"), str):
                found.append(ref["uri"])
    embed = record.get("embed")
    if isinstance(embed, dict):
        quoted = embed.get("record")
        if isinstance(quoted, dict) and isinstance(quoted.get("record"), dict):
            quoted = quoted["record"]  # app.bsky.embed.recordWithMedia wraps the record once more
        if isinstance(quoted, dict) and isinstance(quoted.get("uri"), str):
            found.append(quoted["uri"])
    return found


def _features(record: dict[str, Any]) -> Iterable[dict[str, Any]]:
    facets = record.get("facets")
    for item in facets if isinstance(facets, list) else ():
        features = item.get("features") if isinstance(item, dict) else None
        for feature in features if isinstance(features, list) else ():
            if isinstance(feature, dict):
                yield feature


def _mentioned(record: dict[str, Any]) -> set[str]:
    return {
        f["did"] for f in _features(record) if f.get("$type") == MENTION and isinstance(f.get("did"), str)
    }


def _tags(record: dict[str, Any]) -> list[str]:
    tags = [f["tag"] for f in _features(record) if f.get("$type") == TAG and isinstance(f.get("tag"), str)]
    extra = record.get("tags")
    return tags + [t for t in extra if isinstance(t, str)] if isinstance(extra, list) else tags


def _queries(account: Account) -> tuple[str, ...]:
    value = account.settings.get("queries")
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        return ()
    return tuple(q.strip() for q in value if isinstance(q, str) and q.strip())


def _handle_term(account: Account) -> str:
    handle = account.handle.strip().lstrip("@")
    return f"@{handle}" if "." in handle else ""


@functools.lru_cache(maxsize=64)
def _query_pattern(*terms: str) -> re.Pattern[str] | None:
    """One regex for all of a channel's terms: each a whole word or phrase, any case, any spacing."""
    parts = []
    for term in terms:
        words = term.split()
        if words:
            parts.append(r"\s+".join(re.escape(w) for w in words))
    if not parts:
        return None
    # Not followed by a word character, nor by a dot and one: "@acme.bsky.social.evil.example" is
    # another handle, "acme.example" a domain.
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w|\.\w)", re.IGNORECASE)


# Chat -------------------------------------------------------------------------------------------


def chat_log(logs: list[Any], account: Account | None) -> list[InboundEvent]:
    """The messages of getLog entries. A profile comes with the entry that first involves someone, so
    the page's profiles are pooled to name the authors of the later entries too."""
    profiles = [
        profile
        for entry in logs
        if isinstance(entry, dict) and isinstance(entry.get("relatedProfiles"), list)
        for profile in entry["relatedProfiles"]
    ]
    return tolerant(logs, lambda entry: log_entry(entry, account, profiles), "chat log entry")


def log_entry(entry: Any, account: Account | None, profiles: list[Any] | None = None) -> list[InboundEvent]:
    if not isinstance(entry, dict):
        raise PayloadError("the chat log entry is not an object")
    if entry.get("$type") != CREATE_MESSAGE:
        # Reads, reactions, begin/accept/leave/mute, group events, and #logDeleteMessage, which is
        # the brand deleting a message for itself (chat has no deletion for everyone).
        return []
    convo = need(entry, "convoId", str, "the logCreateMessage")
    view = need(entry, "message", dict, "the logCreateMessage")
    related = entry.get("relatedProfiles")
    return message(
        view, convo, account, (related if isinstance(related, list) else []) + (profiles or []), entry
    )


def message(
    view: Any, convo: str, account: Account | None, profiles: Any, raw: dict[str, Any]
) -> list[InboundEvent]:
    if not isinstance(view, dict):
        raise PayloadError("the chat message is not an object")
    if view.get("$type") in (DELETED_MESSAGE, SYSTEM_MESSAGE):
        return []
    message_id = need(view, "id", str, "the chat message")
    text = need(view, "text", str, "the chat message")
    did = need(need(view, "sender", dict, "the chat message"), "did", str, "the chat message's sender")
    sent = timestamp(view.get("sentAt"))
    if sent is None:
        raise PayloadError("the chat message's sentAt is missing or not a time")
    handle, name = _profile(profiles, did)
    answered = view.get("replyTo")
    answered_id = answered.get("id") if isinstance(answered, dict) else None
    return [
        InboundPost(
            network=NETWORK,
            external_id=chat_id(convo, message_id),
            direction=_direction(account, did, handle),
            author_id=did,
            author_handle=handle or did,
            author_name=name,
            text=text,
            created_at=sent,
            channel=account.handle if account else None,
            in_reply_to=chat_id(convo, answered_id) if isinstance(answered_id, str) else None,
            private=True,
            conversation_key=convo,
            raw=raw,
        )
    ]


def chat_id(convo: str, message_id: str) -> str:
    return f"chat:{convo}:{message_id}"


def _profile(profiles: Any, did: str) -> tuple[str | None, str | None]:
    for profile in profiles if isinstance(profiles, list) else ():
        if isinstance(profile, dict) and profile.get("did") == did:
            return _text_or_none(profile.get("handle")), _text_or_none(profile.get("displayName"))
    return None, None


# Posts ------------------------------------------------------------------------------------------


def post(
    uri: str,
    did: str,
    handle: str,
    name: str | None,
    record: dict[str, Any],
    indexed: datetime | None,
    account: Account | None,
    raw: dict[str, Any],
    edited_at: datetime | None = None,
) -> InboundPost:
    """An app.bsky.feed.post record as a post. Its text is kept exactly as written: facets only
    annotate byte ranges of it (mentions, links, tags), they add nothing to it."""
    text = need(record, "text", str, "the post record")
    created = timestamp(record.get("createdAt"))
    if created is None or (indexed is not None and created > indexed + _CLOCK_SKEW):
        created = indexed
    if created is None:
        raise PayloadError("the post has neither a createdAt nor an indexedAt time")
    parent, root = _reply_refs(record)
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    return InboundPost(
        network=NETWORK,
        external_id=uri,
        direction=_direction(account, did, handle),
        author_id=did,
        author_handle=handle,
        author_name=name,
        text=text,
        created_at=created,
        channel=account.handle if account else None,
        in_reply_to=parent,
        private=False,
        # The thread's root post; a post that starts a thread is its own root.
        conversation_key=root or uri,
        lang=lang,
        edited_at=edited_at,
        raw=raw,
    )


def _reply_refs(record: dict[str, Any]) -> tuple[str | None, str | None]:
    reply = record.get("reply")
    if reply is None:
        return None, None
    if not isinstance(reply, dict):
        raise PayloadError("the post's reply is not an object")
    refs = []
    for side in ("parent", "root"):
        ref = reply.get(side)
        uri = ref.get("uri") if isinstance(ref, dict) else None
        refs.append(_at_uri(uri, f"the post's reply.{side}.uri") if isinstance(uri, str) else None)
    if refs[0] is None:
        raise PayloadError("the post's reply has no parent uri")
    return refs[0], refs[1]


def _direction(account: Account | None, did: str, handle: str | None) -> Direction:
    if account is not None and (
        did == account.external_id
        or (handle is not None and handle.lower() == account.handle.lstrip("@").lower())
    ):
        return Direction.OUTBOUND
    return Direction.INBOUND


def _at_uri(value: str, what: str) -> str:
    if not value.startswith("at://") or len(value) <= len("at://"):
        raise PayloadError(f"{what} is not an at:// URI: {value[:80]!r}")
    return value


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def timestamp(value: Any) -> datetime | None:
    """An atproto datetime (RFC 3339, any fraction of a second) in UTC; None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()).replace("z", "Z"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
