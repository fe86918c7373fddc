"""Graph API pages (`{"data": [...], "paging": {...}}`) that polling reads, into posts.

Three kinds: a Page feed (`/{page-id}/feed`, posts with their comments), an Instagram account's media
(`/{ig-id}/media`, media with comments and their replies) and conversations (`/me/conversations`,
Messenger or Instagram, with their latest messages). They make the same posts as the webhooks for the
same objects: the same ids, threads and conversation keys, so a post seen both ways is stored once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from socialdesk.channels.base import Account
from socialdesk.channels.meta.posts import (
    FACEBOOK,
    INSTAGRAM,
    Author,
    Brand,
    author_from,
    ident,
    items,
    mapping,
    moment,
    optional_ident,
    private_message,
    public_post,
    text_of,
)
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import InboundEvent, InboundPost

_COMMENT = "id,message,from,created_time,parent{id}"
# filter(stream) lists replies too (with their parent), not only top-level comments.
FEED_FIELDS = (
    "id,message,created_time,from,"
    f"comments.filter(stream).order(reverse_chronological).limit(100){{{_COMMENT}}}"
)
_IG_COMMENT = "id,text,timestamp,username,from,parent_id"
MEDIA_FIELDS = (
    "id,caption,timestamp,username,owner,media_product_type,"
    f"comments.limit(50){{{_IG_COMMENT},replies{{{_IG_COMMENT}}}}}"
)
CONVERSATION_FIELDS = "id,updated_time,participants,messages.limit(25){id,message,from,to,created_time}"


def parse_page(body: dict[str, Any], network: str | None, account: Account | None) -> list[InboundEvent]:
    """One Graph API page; `network` None tells Facebook from Instagram by the page's own fields."""
    data = items(body.get("data"), "data")
    if not data:
        return []
    first = mapping(data[0], "data[0]")
    if "messages" in first or "participants" in first:
        kind = network or _conversations_network(data)
        return _conversations(data, Brand.of(kind, _own_id(data, account), account))
    if "media_product_type" in first or "caption" in first or "timestamp" in first:
        return _media(data, account)
    if "created_time" in first or "comments" in first or "message" in first:
        return _feed(data, account)
    raise PayloadError("data[0] is neither a Page post, an Instagram media nor a conversation")


def _feed(data: list[Any], account: Account | None) -> list[InboundEvent]:
    events: list[InboundEvent] = []
    for number, post in enumerate(data):
        where = f"data[{number}]"
        post = mapping(post, where)
        post_id = ident(post.get("id"), f"{where}.id")
        # A Page post's id is "<page id>_<post id>": the page names the Page without an account.
        page_id = account.external_id if account and account.external_id else post_id.partition("_")[0]
        brand = Brand.of(FACEBOOK, page_id, account)
        raw = {k: v for k, v in post.items() if k != "comments"}
        events.append(
            public_post(
                brand,
                external_id=post_id,
                author=author_from(post, where),
                text=text_of(post.get("message"), f"{where}.message"),
                created_at=moment(post.get("created_time"), f"{where}.created_time"),
                in_reply_to=None,
                thread=post_id,
                raw=raw,
            )
        )
        comments = mapping(post.get("comments") or {}, f"{where}.comments")
        for index, comment in enumerate(items(comments.get("data"), f"{where}.comments.data")):
            at = f"{where}.comments.data[{index}]"
            comment = mapping(comment, at)
            parent = mapping(comment.get("parent") or {}, f"{at}.parent")
            events.append(
                public_post(
                    brand,
                    external_id=ident(comment.get("id"), f"{at}.id"),
                    author=author_from(comment, at),
                    text=text_of(comment.get("message"), f"{at}.message"),
                    created_at=moment(comment.get("created_time"), f"{at}.created_time"),
                    in_reply_to=optional_ident(parent.get("id"), f"{at}.parent.id") or post_id,
                    thread=post_id,
                    raw=comment,
                )
            )
    return events


def _media(data: list[Any], account: Account | None) -> list[InboundEvent]:
    events: list[InboundEvent] = []
    for number, media in enumerate(data):
        where = f"data[{number}]"
        media = mapping(media, where)
        media_id = ident(media.get("id"), f"{where}.id")
        owner: dict[str, Any] = media["owner"] if isinstance(media.get("owner"), dict) else {}
        own = account.external_id if account and account.external_id else owner.get("id")
        brand = Brand.of(INSTAGRAM, optional_ident(own, f"{where}.owner.id"), account)
        if brand.handle is None and isinstance(media.get("username"), str):
            brand = Brand(brand.network, brand.own_id, brand.ids, media["username"])
        comments = mapping(media.get("comments") or {}, f"{where}.comments")
        for index, comment in enumerate(items(comments.get("data"), f"{where}.comments.data")):
            at = f"{where}.comments.data[{index}]"
            comment = mapping(comment, at)
            events.append(_ig_comment(brand, comment, media_id, None, at))
            replies = mapping(comment.get("replies") or {}, f"{at}.replies")
            top = ident(comment.get("id"), f"{at}.id")
            for reply_no, reply in enumerate(items(replies.get("data"), f"{at}.replies.data")):
                reply_at = f"{at}.replies.data[{reply_no}]"
                events.append(_ig_comment(brand, mapping(reply, reply_at), media_id, top, reply_at))
    return events


def _ig_comment(
    brand: Brand, comment: dict[str, Any], media_id: str, top: str | None, where: str
) -> InboundPost:
    author = author_from(comment, where)
    if author is None and isinstance(comment.get("username"), str):
        author = Author(f"username:{comment['username']}", comment["username"])
    parent = optional_ident(comment.get("parent_id"), f"{where}.parent_id") or top
    return public_post(
        brand,
        external_id=ident(comment.get("id"), f"{where}.id"),
        author=author,
        text=text_of(comment.get("text"), f"{where}.text"),
        created_at=moment(comment.get("timestamp"), f"{where}.timestamp"),
        in_reply_to=parent or media_id,
        thread=media_id,
        raw={k: v for k, v in comment.items() if k != "replies"},
    )


def _conversations(data: list[Any], brand: Brand) -> list[InboundEvent]:
    own = brand.own_id
    if own is None:
        raise PayloadError(
            "cannot tell which participant is the brand: the page holds one conversation and no "
            "account was given"
        )
    events: list[InboundEvent] = []
    for number, conversation in enumerate(data):
        where = f"data[{number}]"
        messages = mapping(mapping(conversation, where).get("messages") or {}, f"{where}.messages")
        for index, message in enumerate(items(messages.get("data"), f"{where}.messages.data")):
            at = f"{where}.messages.data[{index}]"
            message = mapping(message, at)
            sender = author_from(message, at)
            if sender is None:
                raise PayloadError(f"{at} names no sender (from)")
            outbound = sender.id in brand.ids
            customer = _first_recipient(message, at) if outbound else sender
            events.append(
                private_message(
                    brand,
                    external_id=ident(message.get("id"), f"{at}.id"),
                    own_id=own,
                    customer=customer,
                    outbound=outbound,
                    sender=sender,
                    text=text_of(message.get("message"), f"{at}.message"),
                    created_at=moment(message.get("created_time"), f"{at}.created_time"),
                    raw=message,
                )
            )
    return events


def _first_recipient(message: dict[str, Any], where: str) -> Author:
    to = mapping(message.get("to"), f"{where}.to")
    recipients = items(to.get("data"), f"{where}.to.data")
    if not recipients:
        raise PayloadError(f"{where}.to names nobody")
    found = author_from({"from": mapping(recipients[0], f"{where}.to.data[0]")}, f"{where}.to.data[0]")
    if found is None:
        raise PayloadError(f"{where}.to.data[0] has no id")
    return found


def _conversations_network(data: list[Any]) -> str:
    """Instagram names people by username, Messenger by name and e-mail."""
    for conversation in data:
        for person in _people(conversation):
            if "username" in person:
                return INSTAGRAM
            if "name" in person or "email" in person:
                return FACEBOOK
    return FACEBOOK


def _own_id(data: list[Any], account: Account | None) -> str | None:
    """The brand's id in a conversations page: the account's, else the one party in every conversation
    (which a page of one conversation cannot tell)."""
    if account is not None and account.external_id:
        return account.external_id
    if len(data) < 2:
        return None
    seen: Counter[str] = Counter()
    for conversation in data:
        seen.update({str(p["id"]) for p in _people(conversation) if p.get("id") is not None})
    everywhere = [person for person, count in seen.items() if count == len(data)]
    return everywhere[0] if len(everywhere) == 1 else None


def _people(conversation: Any) -> list[dict[str, Any]]:
    """Everyone a conversation names: its participants and its messages' senders and recipients."""
    if not isinstance(conversation, dict):
        return []
    found: list[dict[str, Any]] = []
    participants = conversation.get("participants")
    if isinstance(participants, dict) and isinstance(participants.get("data"), list):
        found += [p for p in participants["data"] if isinstance(p, dict)]
    messages = conversation.get("messages")
    if isinstance(messages, dict) and isinstance(messages.get("data"), list):
        for message in messages["data"]:
            if not isinstance(message, dict):
                continue
            if isinstance(message.get("from"), dict):
                found.append(message["from"])
            to = message.get("to")
            if isinstance(to, dict) and isinstance(to.get("data"), list):
                found += [p for p in to["data"] if isinstance(p, dict)]
    return found
