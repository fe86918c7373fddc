"""How Meta's objects become SocialDesk posts, whether a webhook or a Graph API page delivered them.

Meta writes times three ways (Unix seconds in feed changes, milliseconds in Messenger events, ISO 8601
with a "+0000" offset in the Graph API), ids as strings or bare numbers, and names the brand by the
Page or Instagram account id the payload is about. A public post threads under the Page post or IG
media it belongs to; a private message threads per customer and Page (`<page id>:<customer id>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from socialdesk.channels.base import Account
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundPost, PostDeletion

FACEBOOK = "facebook"
INSTAGRAM = "instagram"

# A Unix time above this is in milliseconds (Messenger's timestamps); seconds reach it in the year 5138.
_MILLISECONDS = 100_000_000_000
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def moment(value: Any, where: str) -> datetime:
    """A Meta time (seconds, milliseconds, a numeric string or ISO 8601) as aware UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PayloadError(f"{where} is missing or not a time")
    number: float
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return _iso_moment(text, where)
    else:
        number = float(value)
    if abs(number) >= _MILLISECONDS:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError(f"{where} is not a usable time: {value!r}") from exc


def _iso_moment(text: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PayloadError(f"{where} is not a time: {text[:40]!r}") from exc
    # The Graph API always names its offset; a bare time would be UTC there too.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def optional_moment(value: Any, where: str) -> datetime | None:
    return None if value is None else moment(value, where)


def ident(value: Any, where: str) -> str:
    """A Meta id, which older payloads send as a bare number, as the string the Graph API uses."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise PayloadError(f"{where} is missing or not an id")


def optional_ident(value: Any, where: str) -> str | None:
    return None if value is None or value == "" else ident(value, where)


def text_of(value: Any, where: str) -> str:
    """A message's text exactly as written ("" when it carries only media); refused when no database
    could store it (NUL, a lone surrogate from a broken \\u escape)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{where} is not text")
    if "\x00" in value:
        raise PayloadError(f"{where} contains a NUL character")
    if _SURROGATE.search(value):
        raise PayloadError(f"{where} holds a lone UTF-16 surrogate (a broken \\u escape)")
    return value


def mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} is not an object")
    return value


def items(value: Any, where: str) -> list[Any]:
    """A list field that may be absent (None: nothing in it)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{where} is not a list")
    return value


@dataclass(frozen=True, slots=True)
class Author:
    id: str
    handle: str
    name: str | None = None


def author_from(value: dict[str, Any], where: str) -> Author | None:
    """The author as Meta names it: `from` {id, name} (Facebook) or {id, username} (Instagram), or the
    older feed changes' `sender_id` and `sender_name`; None when the payload names nobody."""
    who = value.get("from")
    if isinstance(who, dict) and who.get("id") is not None:
        author_id = ident(who.get("id"), f"{where}.from.id")
        username = who.get("username") if isinstance(who.get("username"), str) else None
        name = who.get("name") if isinstance(who.get("name"), str) else None
        return Author(author_id, username or name or author_id, name)
    if value.get("sender_id") is not None:
        author_id = ident(value.get("sender_id"), f"{where}.sender_id")
        name = value.get("sender_name") if isinstance(value.get("sender_name"), str) else None
        return Author(author_id, name or author_id, name)
    return None


@dataclass(frozen=True, slots=True)
class Brand:
    """The brand's side of a payload: which network, the ids it goes by there (the Page or Instagram
    account the payload is about, and the connected account's), and the channel its posts belong to."""

    network: str
    own_id: str | None
    ids: frozenset[str]
    handle: str | None

    @classmethod
    def of(cls, network: str, own_id: str | None, account: Account | None) -> Brand:
        """The brand of a payload about `own_id`, received for `account`. One Meta app sends every
        Page's (or Instagram account's) updates to the same callback, so a payload about another one
        than the channel's is not filed under this channel."""
        known = account.external_id if account else None
        if account is None or (own_id and known and own_id != known):
            return cls(network, own_id, frozenset({own_id} if own_id else ()), None)
        own = own_id or known
        return cls(network, own, frozenset({own} if own else ()), account.handle)

    def owns(self, author: Author | None) -> bool:
        """Whether the brand wrote it: by id, or on Instagram by username (unique there; a Facebook
        name is not, and a customer could call themselves after the brand)."""
        if author is None:
            return False
        if author.id in self.ids:
            return True
        return self.network == INSTAGRAM and self.handle is not None and author.handle == self.handle

    def as_author(self, author: Author | None) -> Author:
        """The brand as the author of its own post: its account handle where known."""
        found = author or Author(self.own_id or "", self.own_id or "")
        return Author(found.id, self.handle or found.handle, found.name)


def public_post(
    brand: Brand,
    *,
    external_id: str,
    author: Author | None,
    text: str,
    created_at: datetime,
    in_reply_to: str | None,
    thread: str,
    edited_at: datetime | None = None,
    raw: dict[str, Any] | None = None,
) -> InboundPost:
    """A comment or post, threaded under `thread` (the Page post or IG media it is on)."""
    outbound = brand.owns(author)
    if outbound:
        author = brand.as_author(author)
    # A payload that names no author (Meta withholds some) still needs an identity of its own, so
    # that it is not merged with every other anonymous comment into one customer.
    who = author or Author(f"unknown:{external_id}", "")
    return _post(
        brand,
        who,
        outbound,
        external_id=external_id,
        text=text,
        created_at=created_at,
        in_reply_to=in_reply_to if in_reply_to != external_id else None,
        conversation_key=thread,
        edited_at=edited_at,
        raw=raw,
    )


def private_message(
    brand: Brand,
    *,
    external_id: str,
    own_id: str,
    customer: Author,
    outbound: bool,
    text: str,
    created_at: datetime,
    sender: Author | None = None,
    edited_at: datetime | None = None,
    raw: dict[str, Any] | None = None,
) -> InboundPost:
    """A Messenger or Instagram direct message, in the one thread of `customer` with the brand
    (`sender`: how the payload names the brand when it wrote the message)."""
    author = brand.as_author(sender or Author(own_id, own_id)) if outbound else customer
    return _post(
        brand,
        author,
        outbound,
        external_id=external_id,
        text=text,
        created_at=created_at,
        private=True,
        conversation_key=conversation_key(own_id, customer.id),
        edited_at=edited_at,
        raw=raw,
    )


def _post(
    brand: Brand,
    author: Author,
    outbound: bool,
    *,
    external_id: str,
    text: str,
    created_at: datetime,
    conversation_key: str,
    edited_at: datetime | None,
    raw: dict[str, Any] | None,
    in_reply_to: str | None = None,
    private: bool = False,
) -> InboundPost:
    return InboundPost(
        network=brand.network,
        external_id=external_id,
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        author_id=author.id,
        author_handle=author.handle,
        author_name=author.name,
        text=text,
        created_at=created_at,
        channel=brand.handle,
        in_reply_to=in_reply_to,
        private=private,
        conversation_key=conversation_key,
        edited_at=edited_at,
        raw=raw,
    )


def conversation_key(own_id: str, customer_id: str) -> str:
    return f"{own_id}:{customer_id}"


def customer_of(key: str | None) -> str | None:
    """The customer's id in a private conversation key (`<page id>:<customer id>`)."""
    if not key or ":" not in key:
        return None
    return key.split(":", 1)[1] or None


def deletion(brand: Brand, external_id: str, when: datetime | None) -> PostDeletion:
    return PostDeletion(network=brand.network, external_id=external_id, deleted_at=when)
