"""The Account Activity API's webhook bodies (v1.1 objects) → posts, DMs and deletions.

`tweet_create_events` carry v1.1 statuses (long text in `extended_tweet.full_text`, ids in `id_str`,
`"Wed Oct 10 20:19:24 +0000 2018"` times); `direct_message_events` carry `message_create` events whose
authors are in the body's `users` map; `tweet_delete_events` name deleted posts. Likes, follows,
blocks, mutes, typing indicators, read receipts and revocations carry no post.
"""

from __future__ import annotations

import logging
from typing import Any

from socialdesk.channels.base import Account, optional_int
from socialdesk.channels.x.posts import Author, x_post
from socialdesk.channels.x.reading import (
    NETWORK,
    Brand,
    as_list,
    as_obj,
    created,
    dig,
    each,
    from_millis,
    geojson_point,
    iso_time,
    language,
    lat_lon,
    need_id,
    need_id_str,
    one_to_one,
    opt_str,
    v1_time,
)
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import InboundEvent, InboundPost, PostDeletion

log = logging.getLogger(__name__)

# Account Activity events that carry no post: likes, follows, blocks, mutes, typing, read receipts,
# app revocations. Listed so that an unknown key can be told apart in the logs.
_QUIET_EVENTS = {
    "favorite_events",
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "user_event",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
}


def parse_account_activity(doc: dict[str, Any], account: Account | None) -> list[InboundEvent]:
    for_user_id = opt_str(doc.get("for_user_id"))
    if account is not None and account.external_id and for_user_id and for_user_id != account.external_id:
        # One webhook serves every account the app subscribed; another account's events are not this
        # channel's to store (they may belong to another workspace).
        log.warning("X webhook: events for user %s reached the channel of %s", for_user_id, account.handle)
        return []
    brand = Brand.of(account, for_user_id)
    events: list[InboundEvent] = []
    known = False
    if "tweet_create_events" in doc:
        known = True
        statuses = _need_list(doc, "tweet_create_events")
        events += each(statuses, lambda item: parse_status(item, brand), "status")
    if "direct_message_events" in doc:
        known = True
        users = as_obj(doc.get("users"))
        if brand.handle is None and brand.user_id and isinstance(users.get(brand.user_id), dict):
            brand = Brand(brand.user_id, opt_str(users[brand.user_id].get("screen_name")))
        messages = _need_list(doc, "direct_message_events")
        events += each(messages, lambda item: _v1_message(item, users, brand), "direct message")
    if "tweet_delete_events" in doc:
        known = True
        deletions = _need_list(doc, "tweet_delete_events")
        events += each(deletions, _v1_deletion, "deletion")
    if not known and not _QUIET_EVENTS.intersection(doc):
        log.info("X webhook: no post in an event of kind %s", ", ".join(sorted(doc)) or "(empty)")
    return events


def _need_list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc[key]
    if not isinstance(value, list):
        raise PayloadError(f"{key} is not a list")
    return value


def parse_status(item: Any, brand: Brand) -> InboundPost | None:
    if not isinstance(item, dict):
        raise PayloadError("a status is not an object")
    status_id = need_id_str(item, "status")
    if "retweeted_status" in item:
        return None  # a repost adds no words of its own
    user = item.get("user")
    if not isinstance(user, dict):
        raise PayloadError(f"status {status_id} has no user")
    author_id = need_id_str(user, f"the author of status {status_id}")
    extended = as_obj(item.get("extended_tweet"))
    text = next(
        (
            t
            for t in (extended.get("full_text"), item.get("full_text"), item.get("text"))
            if isinstance(t, str)
        ),
        None,
    )
    if text is None:
        raise PayloadError(f"status {status_id} has no text")
    history = as_obj(item.get("edit_history"))
    first = opt_str(history.get("initial_tweet_id"))
    handle = brand.handle or _v1_brand_handle(item, extended, brand.user_id)
    return x_post(
        status_id,
        _v1_author(author_id, user),
        brand,
        text,
        created(item.get("created_at"), status_id, v1_time, item.get("timestamp_ms")),
        channel=handle,
        in_reply_to=opt_str(item.get("in_reply_to_status_id_str")),
        lang=language(item.get("lang")),
        geo=geojson_point(item.get("coordinates")) or lat_lon(dig(item, "geo", "coordinates")),
        edit_of=first if first and first != status_id else None,
        raw=item,
    )


def _v1_author(author_id: str, user: dict[str, Any]) -> Author:
    return Author.of(author_id, user, "screen_name", user.get("followers_count"))


def _v1_brand_handle(item: dict[str, Any], extended: dict[str, Any], brand_id: str | None) -> str | None:
    """The subscribed account's screen name, from wherever the status names it."""
    if not brand_id:
        return None
    user = as_obj(item.get("user"))
    if opt_str(user.get("id_str")) == brand_id:
        return opt_str(user.get("screen_name"))
    for entities in (extended.get("entities"), item.get("entities")):
        mentions = entities.get("user_mentions") if isinstance(entities, dict) else None
        for mention in as_list(mentions):
            if isinstance(mention, dict) and opt_str(mention.get("id_str")) == brand_id:
                return opt_str(mention.get("screen_name"))
    if opt_str(item.get("in_reply_to_user_id_str")) == brand_id:
        return opt_str(item.get("in_reply_to_screen_name"))
    return None


def _v1_message(item: Any, users: dict[str, Any], brand: Brand) -> InboundPost | None:
    if not isinstance(item, dict):
        raise PayloadError("a direct message event is not an object")
    event_id = need_id(item, "id", "direct message event")
    if item.get("type") != "message_create":
        return None
    create = item.get("message_create")
    if not isinstance(create, dict):
        raise PayloadError(f"direct message {event_id} has no message_create")
    sender = need_id(create, "sender_id", f"direct message {event_id}")
    recipient = opt_str(dig(create, "target", "recipient_id"))
    text = dig(create, "message_data", "text")
    if not isinstance(text, str):
        raise PayloadError(f"direct message {event_id} has no text")
    conversation = opt_str(item.get("dm_conversation_id")) or one_to_one(sender, recipient)
    if conversation is None:
        raise PayloadError(f"direct message {event_id} has no recipient")
    return x_post(
        event_id,
        _v1_author(sender, as_obj(users.get(sender))),
        brand,
        text,
        created(None, event_id, iso_time, item.get("created_timestamp")),
        channel=brand.handle,
        private=True,
        conversation_key=conversation,
        raw=item,
    )


def _v1_deletion(item: Any) -> PostDeletion:
    if not isinstance(item, dict) or not isinstance(item.get("status"), dict):
        raise PayloadError("a tweet_delete_events entry has no status")
    status_id = need_id(item["status"], "id", "deleted status")
    millis = optional_int(item.get("timestamp_ms"))
    return PostDeletion(NETWORK, status_id, from_millis(millis) if millis is not None else None)
