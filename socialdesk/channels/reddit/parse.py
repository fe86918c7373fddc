"""Reddit's JSON "things" as normalised posts: comments (t1), posts (t3) and private messages (t4).

Every Reddit read answers with things, `{"kind": ..., "data": {...}}`, usually gathered in a
`{"kind": "Listing", "data": {"children": [...]}}`; a comments page is a JSON array of two listings (the
post, then its comment tree, where each comment's `replies` is a listing again and "more" stubs stand for
branches not sent). The write endpoints answer `{"json": {"errors": [...], "data": {"things": [...]}}}`.

Unless asked for `raw_json=1`, Reddit replaces `&`, `<` and `>` with `&amp;`, `&lt;` and `&gt;` in every
string of its answers ("response body encoding" on reddit.com/dev/api). Which of the two forms a payload
is in is told by its `*_html` fields (the escaped form holds no literal `<` there), so saved payloads of
either kind decode to the text exactly as its author wrote it, Markdown and all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from socialdesk.channels.base import Account, need
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundEvent, InboundPost, PostDeletion

NETWORK = "reddit"
COMMENT, LINK, MESSAGE = "t1", "t3", "t4"
POST_KINDS = (COMMENT, LINK, MESSAGE)
DELETED = "[deleted]"
REMOVED = "[removed]"
_GONE = (DELETED, REMOVED)
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_BARE = re.compile(r"[<>]|&(?!amp;|lt;|gt;)")  # impossible in the escaped form
_LINK_IN_PATH = re.compile(r"/comments/([0-9a-z]+)")
_HTML_FIELDS = ("body_html", "selftext_html")
_TEXT_FIELDS = ("body", "selftext", "title", "subject")
# A reply tree deeper than this is not something Reddit sends (it stops at ten levels and links the rest).
MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class Thing:
    """One comment, post or message of a payload, with what is needed to page through a listing."""

    kind: str
    data: dict[str, Any]
    name: str  # the fullname, "t1_abc"
    created: float  # created_utc, Unix seconds


@dataclass(frozen=True, slots=True)
class Document:
    """Every thing of one payload in document order (a post before its comments), and its encoding."""

    things: list[Thing]
    escaped: bool  # the legacy encoding: &, < and > arrive as entities
    children: int  # how many children a top-level listing held (a full page means there may be more)


def read(document: Any) -> Document:
    """The things of a decoded Reddit answer; PayloadError for anything that is not one."""
    things: list[Thing] = []
    children = 0
    stack: list[tuple[Any, str, int]] = [(document, "payload", 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PayloadError(f"{where} is nested more than {MAX_DEPTH} levels deep")
        later: list[tuple[Any, str, int]] = []
        if isinstance(node, list):
            later = [(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(node)]
        elif not isinstance(node, dict):
            raise PayloadError(f"{where} is not a Reddit thing or listing")
        elif "json" in node and "kind" not in node:
            later = _api_answer(node, where, depth)
        elif not isinstance(node.get("kind"), str):
            raise PayloadError(f"{where} is not a Reddit thing, listing or API answer (it has no kind)")
        else:
            kind = node["kind"]
            data = node.get("data")
            if not isinstance(data, dict):
                raise PayloadError(f"{where}.data is missing or not an object")
            if kind == "Listing":
                items = need(data, "children", list, f"{where}.data")
                if depth == 0:
                    children = len(items)
                later = [(item, f"{where}.data.children[{i}]", depth + 1) for i, item in enumerate(items)]
            elif kind in POST_KINDS:
                thing = _thing(kind, data, where)
                things.append(thing)
                replies = data.get("replies")
                if isinstance(replies, dict):
                    later = [(replies, f"{where}.data.replies", depth + 1)]
                elif replies not in (None, ""):
                    raise PayloadError(f"{where}.data.replies is not a listing")
            # "more" stubs, accounts (t2), subreddits (t5), awards and kinds Reddit adds later carry no post
        stack.extend(reversed(later))
    return Document(things, _escaped(things), children)


def _api_answer(node: dict[str, Any], where: str, depth: int) -> list[tuple[Any, str, int]]:
    answer = node["json"]
    if not isinstance(answer, dict):
        raise PayloadError(f"{where}.json is not an object")
    errors = answer_errors(answer)
    if errors:
        raise PayloadError("Reddit refused the request: " + "; ".join(f"{c}: {m}" for c, m in errors))
    data = answer.get("data")
    things = data.get("things") if isinstance(data, dict) else None
    if things is None:
        return []  # /api/compose and friends answer {"json": {"errors": []}}: nothing was returned
    if not isinstance(things, list):
        raise PayloadError(f"{where}.json.data.things is not a list")
    return [(item, f"{where}.json.data.things[{i}]", depth + 1) for i, item in enumerate(things)]


def answer_errors(answer: dict[str, Any]) -> list[tuple[str, str]]:
    """`json.errors` of an `api_type=json` answer as (code, message): [["TOO_LONG", "…", "text"]]."""
    errors = answer.get("errors")
    if not errors:
        return []
    if not isinstance(errors, list):
        return [("ERROR", str(errors)[:300])]
    found = []
    for error in errors:
        if isinstance(error, list) and error:
            code = str(error[0])
            message = str(error[1]) if len(error) > 1 and error[1] else code
            found.append((code, message))
        else:
            found.append(("ERROR", str(error)[:300]))
    return found


def _thing(kind: str, data: dict[str, Any], where: str) -> Thing:
    name = data.get("name")
    if not isinstance(name, str) or not name:
        thing_id = need(data, "id", str, f"{where}.data")
        name = f"{kind}_{thing_id}"
    if not name.startswith(kind + "_"):
        raise PayloadError(f"{where}.data.name {name!r} is not a {kind} fullname")
    created = data.get("created_utc", data.get("created"))
    if isinstance(created, bool) or not isinstance(created, int | float) or not math.isfinite(created):
        raise PayloadError(f"{where}.data.created_utc is missing or not a number")
    if not 0 <= created < 32_503_680_000:  # before the year 3000
        raise PayloadError(f"{where}.data.created_utc {created} is not a time")
    return Thing(kind, data, name, float(created))


def _escaped(things: list[Thing]) -> bool:
    """Whether the payload is in Reddit's default, entity-escaped form (see the module's docstring)."""
    for thing in things:
        for key in _HTML_FIELDS:
            html = thing.data.get(key)
            if isinstance(html, str) and html:
                return "<" not in html
    for thing in things:
        for key in _TEXT_FIELDS:
            text = thing.data.get(key)
            if isinstance(text, str) and _BARE.search(text):
                return False
    return True


def decoded(value: Any, escaped: bool) -> str:
    text = value if isinstance(value, str) else ""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text) if escaped else text


def events(document: Document, account: Account | None = None) -> list[InboundEvent]:
    return [event for thing in document.things for event in thing_events(thing, document.escaped, account)]


def thing_events(thing: Thing, escaped: bool, account: Account | None) -> Iterator[InboundEvent]:
    """The post (or deletion) one thing stands for."""
    data = thing.data
    if _deleted(thing, escaped):
        yield PostDeletion(NETWORK, thing.name)  # Reddit does not say when
        return
    author = data.get("author")
    if not isinstance(author, str) or not author:
        raise PayloadError(f"{thing.name} has no author")
    fullname = data.get("author_fullname")
    if author == DELETED:
        author_id = f"{DELETED}/{thing.name}"  # the account is gone; one such author is not the next
    else:
        author_id = fullname if isinstance(fullname, str) and fullname else author
    outbound = account is not None and _is_brand(author, fullname, account)
    yield InboundPost(
        network=NETWORK,
        external_id=thing.name,
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        author_id=author_id,
        author_handle=author,
        text=text_of(thing, escaped),
        created_at=datetime.fromtimestamp(thing.created, UTC),
        channel=account.handle if account is not None else None,
        in_reply_to=_parent(thing),
        private=thing.kind == MESSAGE,
        conversation_key=_conversation(thing),
        edited_at=_edited(data),
        raw={k: v for k, v in data.items() if k != "replies"},
    )


def text_of(thing: Thing, escaped: bool) -> str:
    """What the author wrote: a comment's body; a post's title, a blank line, then its text or link; a
    message's body, after its subject when it opens a conversation (replies repeat it as "re: ...")."""
    data = thing.data
    if thing.kind == COMMENT:
        return decoded(need(data, "body", str, thing.name), escaped)
    if thing.kind == MESSAGE:
        body = decoded(need(data, "body", str, thing.name), escaped)
        subject = decoded(data.get("subject"), escaped)
        opens = not data.get("first_message_name") and not data.get("parent_id")
        return f"{subject}\n\n{body}" if opens and subject and body else (body or subject)
    title = decoded(need(data, "title", str, thing.name), escaped)
    selftext = decoded(data.get("selftext"), escaped)
    url = decoded(data.get("url"), escaped)
    if data.get("is_self") or selftext:
        extra = selftext
    else:
        permalink = decoded(data.get("permalink"), escaped)
        extra = url if url and not (permalink and url.endswith(permalink)) else ""
    return f"{title}\n\n{extra}" if extra else title


def _deleted(thing: Thing, escaped: bool) -> bool:
    """Reddit keeps a deleted or removed thing in its listings with its text replaced."""
    data = thing.data
    author = data.get("author")
    if thing.kind == LINK:
        selftext = decoded(data.get("selftext"), escaped)
        by = data.get("removed_by_category")
        return selftext in _GONE or (by == "deleted" and author == DELETED)
    body = decoded(data.get("body"), escaped)
    return body == REMOVED or (body == DELETED and author == DELETED)


def _is_brand(author: str, fullname: Any, account: Account) -> bool:
    if account.external_id and isinstance(fullname, str):
        own = account.external_id if account.external_id.startswith("t2_") else f"t2_{account.external_id}"
        if fullname == own:
            return True
    return author.casefold() == bare_handle(account.handle).casefold()


def bare_handle(handle: str) -> str:
    """A Reddit username without the u/ or /u/ people write before it."""
    handle = handle.strip()
    for prefix in ("/u/", "u/", "/user/", "@"):
        if handle.lower().startswith(prefix):
            return handle[len(prefix) :]
    return handle


def _parent(thing: Thing) -> str | None:
    data = thing.data
    if thing.kind == LINK:
        return None
    parent = data.get("parent_id")
    if isinstance(parent, str) and parent:
        return parent
    if thing.kind == MESSAGE:
        first = data.get("first_message_name")  # nested replies in /message/messages name no parent
        if isinstance(first, str) and first and first != thing.name:
            return first
    return None


def _conversation(thing: Thing) -> str | None:
    data = thing.data
    if thing.kind == LINK:
        return thing.name
    if thing.kind == MESSAGE:
        first = data.get("first_message_name")
        return first if isinstance(first, str) and first else thing.name
    link = data.get("link_id")
    if isinstance(link, str) and link.startswith(LINK + "_"):
        return link
    # Inbox comments carry no link_id, only the comment's address ("context", "permalink").
    for key in ("context", "permalink"):
        path = data.get(key)
        found = _LINK_IN_PATH.search(path) if isinstance(path, str) else None
        if found:
            return f"{LINK}_{found.group(1)}"
    parent = data.get("parent_id")
    return parent if isinstance(parent, str) and parent.startswith(LINK + "_") else None


def _edited(data: dict[str, Any]) -> datetime | None:
    edited = data.get("edited")
    if isinstance(edited, bool) or not isinstance(edited, int | float):
        return None  # false, or the boolean true very old things carry
    if not math.isfinite(edited) or not 0 < edited < 32_503_680_000:
        return None
    return datetime.fromtimestamp(edited, UTC)
