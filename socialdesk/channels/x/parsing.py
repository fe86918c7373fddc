"""X's payloads → normalised posts: API v2 responses and stream lines, Account Activity (v1.1) webhooks.

Two wire formats reach us. API v2 (mentions, recent search, DM events, the filtered stream) sends
`{"data": ..., "includes": {"users": [...]}, "meta": ...}` with ISO 8601 times and the long text of a
post in `note_tweet`. The Account Activity API sends v1.1 objects: `tweet_create_events` with the long
text in `extended_tweet.full_text`, `"Wed Oct 10 20:19:24 +0000 2018"` times, and
`direct_message_events` whose authors are in a `users` map.

In both, X writes `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`; those three are decoded and nothing
else is touched (mentions, links, and the text outside `display_text_range` stay).
"""

from __future__ import annotations

from typing import Any

from socialdesk.channels.base import Account, load_json
from socialdesk.channels.x.account_activity import parse_account_activity, parse_status
from socialdesk.channels.x.posts import Author, x_post
from socialdesk.channels.x.reading import (
    Brand,
    as_list,
    as_obj,
    created,
    dig,
    each,
    error_summary,
    geojson_point,
    iso_time,
    language,
    need_id,
    opt_str,
)
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import InboundEvent, InboundPost


def parse(payload: bytes, account: Account | None = None) -> list[InboundEvent]:
    """One payload (webhook body, API page, stream line) → posts and deletions."""
    if not payload.strip():
        return []  # the filtered stream's keep-alive
    return parse_document(load_json(payload, "the X payload"), account)


def parse_document(doc: Any, account: Account | None = None) -> list[InboundEvent]:
    """`parse` for a payload already read as JSON (an API page the poller fetched)."""
    if isinstance(doc, list):  # a saved v1.1 timeline: a list of status objects
        return each(doc, lambda item: parse_status(item, Brand.of(account, None)), "status")
    if not isinstance(doc, dict):
        raise PayloadError("the X payload is not a JSON object")
    if "for_user_id" in doc or any(key.endswith("_events") or key == "user_event" for key in doc):
        return parse_account_activity(doc, account)
    if "data" in doc:
        return _v2(doc, account)
    if "id_str" in doc and isinstance(doc.get("user"), dict):  # a single saved v1.1 status
        return each([doc], lambda item: parse_status(item, Brand.of(account, None)), "status")
    if "errors" in doc:
        raise PayloadError(f"X answered with an error: {error_summary(doc['errors'])}")
    if "title" in doc and ("type" in doc or "status" in doc):  # a problem document: X's error answer
        raise PayloadError(f"X answered with an error: {error_summary(doc)}")
    meta = doc.get("meta")
    if isinstance(meta, dict) and meta.get("result_count") == 0:
        return []  # an empty page
    raise PayloadError("not an X API v2 response, stream line or Account Activity event")


# --- API v2 -------------------------------------------------------------------------------------


def _v2(doc: dict[str, Any], account: Account | None) -> list[InboundEvent]:
    data = doc["data"]
    includes = as_obj(doc.get("includes"))
    users = _users_by_id(includes.get("users"))
    brand = Brand.of(account, None)
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise PayloadError("X's data is not an object or a list of objects")
    if any("event_type" in item for item in items):
        return each(items, lambda item: _v2_dm(item, users, brand), "DM event")
    extra = {"matching_rules": doc["matching_rules"]} if "matching_rules" in doc else {}
    return each(items, lambda item: _v2_post(item, users, brand, extra), "post")


def _users_by_id(users: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(users, list):
        return {}
    return {u["id"]: u for u in users if isinstance(u, dict) and isinstance(u.get("id"), str)}


def _v2_post(
    item: dict[str, Any], users: dict[str, dict[str, Any]], brand: Brand, extra: dict[str, Any]
) -> InboundPost | None:
    post_id = need_id(item, "id", "post")
    references = as_list(item.get("referenced_tweets", item.get("referenced_posts")))
    if any(isinstance(r, dict) and r.get("type") == "retweeted" for r in references):
        return None  # a repost adds no words of its own: nothing to answer
    author_id = need_id(item, "author_id", f"post {post_id}")
    note = item.get("note_tweet", item.get("note_post"))
    text = note.get("text") if isinstance(note, dict) and isinstance(note.get("text"), str) else None
    if text is None:
        text = item.get("text")
    if not isinstance(text, str):
        raise PayloadError(f"post {post_id} has no text")
    parent = next(
        (
            str(r["id"])
            for r in references
            if isinstance(r, dict) and r.get("type") == "replied_to" and r.get("id")
        ),
        None,
    )
    history = [str(i) for i in as_list(item.get("edit_history_tweet_ids", item.get("edit_history_post_ids")))]
    user = users.get(author_id, {})
    conversation = item.get("conversation_id")
    return x_post(
        post_id,
        _v2_author(author_id, user),
        brand,
        text,
        created(item.get("created_at"), post_id, iso_time),
        channel=brand.handle,
        in_reply_to=parent,
        conversation_key=str(conversation) if conversation else None,
        lang=language(item.get("lang")),
        geo=geojson_point(dig(item, "geo", "coordinates")),
        edit_of=history[0] if len(history) > 1 and history[0] != post_id else None,
        raw={"data": item, **({"author": user} if user else {}), **extra},
    )


def _v2_dm(item: dict[str, Any], users: dict[str, dict[str, Any]], brand: Brand) -> InboundPost | None:
    event_id = need_id(item, "id", "DM event")
    if item.get("event_type") != "MessageCreate":
        return None  # ParticipantsJoin / ParticipantsLeave
    sender = need_id(item, "sender_id", f"DM event {event_id}")
    conversation = opt_str(item.get("dm_conversation_id"))
    if not conversation:
        raise PayloadError(f"DM event {event_id} has no dm_conversation_id")
    text = item.get("text")
    if not isinstance(text, str):
        raise PayloadError(f"DM event {event_id} has no text")
    user = users.get(sender, {})
    return x_post(
        event_id,
        _v2_author(sender, user),
        brand,
        text,
        created(item.get("created_at"), event_id, iso_time),
        channel=brand.handle,
        private=True,
        conversation_key=conversation,
        raw={"data": item, **({"author": user} if user else {})},
    )


def _v2_author(author_id: str, user: dict[str, Any]) -> Author:
    return Author.of(author_id, user, "username", as_obj(user.get("public_metrics")).get("followers_count"))
