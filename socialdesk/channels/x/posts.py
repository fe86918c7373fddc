"""The InboundPost that every shape of X post or DM becomes (API v2 and Account Activity alike).

Both wire formats name the author with a user object (v2: `username`, followers under
`public_metrics`; v1.1: `screen_name`, `followers_count` at the top), and fill the rest of a post the
same way: X's entities decoded, the direction read from the brand's user id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialdesk.channels.base import optional_int
from socialdesk.channels.x.reading import NETWORK, Brand, opt_str, unescape
from socialdesk.core.types import Geo, InboundPost


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a post or DM, as far as the payload's user object says."""

    id: str
    handle: str
    name: str | None
    location: str | None
    followers: int | None

    @classmethod
    def of(cls, author_id: str, user: dict[str, Any], handle_key: str, followers: Any) -> Author:
        """`user` may be empty (X left the author out of `includes`): the id then stands in for the
        handle, so that the customer still has one."""
        return cls(
            id=author_id,
            handle=opt_str(user.get(handle_key)) or author_id,
            name=opt_str(user.get("name")),
            location=opt_str(user.get("location")),
            followers=optional_int(followers),
        )


def x_post(
    external_id: str,
    author: Author,
    brand: Brand,
    text: str,
    created_at: datetime,
    *,
    channel: str | None,
    raw: dict[str, Any],
    in_reply_to: str | None = None,
    private: bool = False,
    conversation_key: str | None = None,
    lang: str | None = None,
    geo: Geo | None = None,
    edit_of: str | None = None,
) -> InboundPost:
    """A post or DM; `text` as X sent it (its `&amp;`, `&lt;` and `&gt;` are decoded here)."""
    return InboundPost(
        network=NETWORK,
        external_id=external_id,
        direction=brand.direction(author.id),
        author_id=author.id,
        author_handle=author.handle,
        author_name=author.name,
        text=unescape(text),
        created_at=created_at,
        channel=channel,
        in_reply_to=in_reply_to,
        private=private,
        conversation_key=conversation_key,
        lang=lang,
        geo=geo,
        user_location=author.location,
        followers=author.followers,
        edit_of=edit_of,
        raw=raw,
    )
