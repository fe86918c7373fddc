"""Meta webhook bodies: `{"object": "page" | "instagram", "entry": [...]}`, batched, into posts.

An entry carries `changes` (Page feed: comments and posts; Instagram: comments and live comments) and
`messaging` or `standby` events (Messenger and Instagram direct messages; standby while another app owns
the thread). Only what a person wrote becomes a post: reactions, likes, shares, hides, delivery and read
receipts, postbacks (a tapped button, not typed text), opt-ins and @mentions (whose webhook holds no
text, only ids) carry none. Unknown fields and events are skipped, so a new Meta event never breaks
a delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from socialdesk.channels.base import Account, need
from socialdesk.channels.meta.posts import (
    FACEBOOK,
    INSTAGRAM,
    Author,
    Brand,
    author_from,
    deletion,
    ident,
    items,
    mapping,
    optional_ident,
    optional_moment,
    private_message,
    public_post,
    text_of,
)
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import InboundEvent

OBJECTS = {"page": FACEBOOK, "instagram": INSTAGRAM}
# Feed items that are a post of their own (a status, or a post with a photo or video); comments thread
# under them. Albums, events, shares, likes and reactions carry nothing a customer wrote to answer.
_POST_ITEMS = frozenset({"post", "status", "photo", "video"})
_ADDED = frozenset({"add"})
_EDITED = frozenset({"edited", "edit"})  # Meta sends both spellings for post edits
_REMOVED = frozenset({"remove", "delete"})


def parse_webhook(body: dict[str, Any], account: Account | None) -> list[InboundEvent]:
    kind = body.get("object")
    network = OBJECTS.get(kind) if isinstance(kind, str) else None
    if network is None:
        raise PayloadError(f"the webhook is for object {kind!r}, not a Facebook Page or Instagram account")
    events: list[InboundEvent] = []
    for number, entry in enumerate(need(body, "entry", list, "the webhook")):
        where = f"entry[{number}]"
        entry = mapping(entry, where)
        brand = Brand.of(network, ident(entry.get("id"), f"{where}.id"), account)
        sent = optional_moment(entry.get("time"), f"{where}.time")
        for index, change in enumerate(items(entry.get("changes"), f"{where}.changes")):
            events += _change(
                brand, mapping(change, f"{where}.changes[{index}]"), sent, f"{where}.changes[{index}]"
            )
        for key in ("messaging", "standby"):
            for index, event in enumerate(items(entry.get(key), f"{where}.{key}")):
                events += messaging_event(
                    brand, mapping(event, f"{where}.{key}[{index}]"), sent, f"{where}.{key}[{index}]"
                )
    return events


def _change(brand: Brand, change: dict[str, Any], sent: datetime | None, where: str) -> list[InboundEvent]:
    field = change.get("field")
    if field == "feed" and brand.network == FACEBOOK:
        return _feed(brand, mapping(change.get("value"), f"{where}.value"), sent, change, f"{where}.value")
    if field in ("comments", "live_comments") and brand.network == INSTAGRAM:
        return [
            _ig_comment(brand, mapping(change.get("value"), f"{where}.value"), sent, change, f"{where}.value")
        ]
    if field == "messages" and isinstance(change.get("value"), dict) and "sender" in change["value"]:
        # The App Dashboard's test deliveries (and Instagram Login apps) wrap a messaging event so.
        return messaging_event(brand, change["value"], sent, f"{where}.value")
    return []  # mentions (ids only), story insights, ratings, handovers, fields added later


def _feed(
    brand: Brand, value: dict[str, Any], sent: datetime | None, change: dict[str, Any], where: str
) -> list[InboundEvent]:
    item, verb = value.get("item"), value.get("verb")
    if item == "comment":
        external_id = ident(value.get("comment_id"), f"{where}.comment_id")
    elif item in _POST_ITEMS:
        external_id = ident(value.get("post_id"), f"{where}.post_id")
    else:
        return []
    if verb in _REMOVED:
        return [deletion(brand, external_id, sent or optional_moment(value.get("created_time"), where))]
    if verb not in _ADDED | _EDITED:
        return []  # hide, unhide, block, mute: the post itself did not change
    if item != "comment" and value.get("published") in (0, "0", False):
        return []  # a scheduled or draft Page post nobody can see yet
    if verb in _EDITED and "message" not in value:
        return []  # an edit of something else (a photo, the audience): the stored text stands
    created = optional_moment(value.get("created_time"), f"{where}.created_time") or sent
    if created is None:
        raise PayloadError(f"{where} has no created_time and its entry no time")
    edited = max(sent or created, created) if verb in _EDITED else None
    post_id = ident(value.get("post_id"), f"{where}.post_id")
    parent = optional_ident(value.get("parent_id"), f"{where}.parent_id")
    return [
        public_post(
            brand,
            external_id=external_id,
            author=author_from(value, where),
            text=text_of(value.get("message"), f"{where}.message"),
            created_at=created,
            # A top-level comment answers the Page post; a reply, the comment it is under.
            in_reply_to=(parent or post_id) if item == "comment" else None,
            thread=post_id,
            edited_at=edited,
            raw=change,
        )
    ]


def _ig_comment(
    brand: Brand, value: dict[str, Any], sent: datetime | None, change: dict[str, Any], where: str
) -> InboundEvent:
    external_id = ident(value.get("id"), f"{where}.id")
    media = mapping(value.get("media"), f"{where}.media")
    media_id = ident(media.get("id"), f"{where}.media.id")
    if sent is None:
        raise PayloadError(f"{where} is a comment whose entry has no time")  # the webhook has no other
    return public_post(
        brand,
        external_id=external_id,
        author=author_from(value, where),
        text=text_of(value.get("text"), f"{where}.text"),
        created_at=sent,
        in_reply_to=optional_ident(value.get("parent_id"), f"{where}.parent_id") or media_id,
        thread=media_id,
        raw=change,
    )


def messaging_event(
    brand: Brand, event: dict[str, Any], sent: datetime | None, where: str
) -> list[InboundEvent]:
    """One Messenger or Instagram messaging event: a message, its echo, edit or deletion become events;
    deliveries, reads, reactions, postbacks, opt-ins, referrals and handovers carry no post."""
    if "message" in event:
        message = mapping(event["message"], f"{where}.message")
        edited = False
    elif "message_edit" in event:
        message = mapping(event["message_edit"], f"{where}.message_edit")
        edited = True
    else:
        return []
    mid = ident(message.get("mid"), f"{where}.message.mid")
    if edited and "text" not in message:
        return []  # nothing to replace the stored text with
    when = optional_moment(event.get("timestamp"), f"{where}.timestamp") or sent
    if message.get("is_deleted") is True:
        return [deletion(brand, mid, when)]  # the customer unsent it
    if when is None:
        raise PayloadError(f"{where} has no timestamp and its entry no time")
    sender = ident(mapping(event.get("sender"), f"{where}.sender").get("id"), f"{where}.sender.id")
    recipient = ident(
        mapping(event.get("recipient"), f"{where}.recipient").get("id"), f"{where}.recipient.id"
    )
    outbound = message.get("is_echo") is True or sender in brand.ids
    own_id = brand.own_id or (sender if outbound else recipient)
    customer = recipient if outbound else sender
    return [
        private_message(
            brand,
            external_id=mid,
            own_id=own_id,
            customer=Author(customer, customer),
            outbound=outbound,
            text=text_of(message.get("text"), f"{where}.message.text"),
            created_at=when,
            edited_at=when if edited else None,
            raw=event,
        )
    ]
