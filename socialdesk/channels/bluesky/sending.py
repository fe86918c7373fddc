"""Sending to Bluesky: public replies as app.bsky.feed.post records, private ones as chat messages, and
what an agent may do to a post (like, hide a reply in the brand's thread, delete the brand's own post).

A reply is never posted twice. Its record key is a TID derived from the reply's idempotency key and the
time the agent wrote it (`text.deterministic_tid`), the same on every attempt; a repository holds one
record per key, so a retry of a post that did reach the PDS is refused, and `find_sent` (or the refusal
itself) finds the earlier record at that key with com.atproto.repo.getRecord. Chat has no idempotency
key: `find_sent` looks for the same text from the brand in the conversation since the reply was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx2 as httpx

from socialdesk.channels import http as net
from socialdesk.channels.base import Account, Action
from socialdesk.channels.bluesky import parse, text, xrpc
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import ChannelError, PayloadError, PermanentSendError, TemporaryError
from socialdesk.core.types import OutboundMessage, SendResult

POST_GRAPHEMES, POST_BYTES = 300, 3000  # app.bsky.feed.post: text maxGraphemes, maxLength
CHAT_GRAPHEMES, CHAT_BYTES = 1000, 10000  # chat.bsky.convo.defs#messageInput
LIKE = "app.bsky.feed.like"
THREADGATE = "app.bsky.feed.threadgate"
MAX_HIDDEN = 300  # app.bsky.feed.threadgate: hiddenReplies maxLength
# How long before the reply was written a chat message is still taken to be it: clocks differ by a
# second or two; much more and two identical short answers in a row would be taken for one.
_CHAT_SLACK = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class AtUri:
    did: str
    collection: str
    rkey: str

    def __str__(self) -> str:
        return f"at://{self.did}/{self.collection}/{self.rkey}"


def at_uri(value: str) -> AtUri:
    if value.startswith("chat:"):
        raise PermanentSendError("that is a Bluesky chat message, not a post")
    parts = value.removeprefix("at://").split("/") if value.startswith("at://") else []
    if len(parts) != 3 or not all(parts):
        raise PermanentSendError(f"{value!r} is not the at:// URI of a Bluesky record")
    return AtUri(parts[0], parts[1], parts[2])


def brand_did(client: httpx.Client, account: Account) -> str:
    """The brand's DID: the channel's external id, or the session's when that is not a DID."""
    known = account.external_id
    return known if known and known.startswith("did:") else xrpc.session(client, account).did


def send(client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
    return _send_chat(client, account, message) if message.private else _send_post(client, account, message)


def find_sent(client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult | None:
    if message.private:
        return _find_chat(client, account, message)
    rkey = text.deterministic_tid(message.idempotency_key, message.created_at)
    return _own_post(client, account, brand_did(client, account), rkey, message.text)


# Posts ------------------------------------------------------------------------------------------


def _send_post(client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
    _check_length(message.text, POST_GRAPHEMES, POST_BYTES, "a post")
    did = brand_did(client, account)
    rkey = text.deterministic_tid(message.idempotency_key, message.created_at)
    record: dict[str, Any] = {"$type": parse.POST, "text": message.text, "createdAt": _now()}
    if message.in_reply_to:
        record["reply"] = _reply_ref(client, account, message.in_reply_to)
    facets = _facets(client, account, message.text)
    if facets:
        record["facets"] = facets
    try:
        body = xrpc.call(
            client,
            account,
            "POST",
            "com.atproto.repo.createRecord",
            body={"repo": did, "collection": parse.POST, "rkey": rkey, "record": record},
        )
    except (TemporaryError, PermanentSendError) as refused:
        # The PDS refuses (a 500 today: "There is already a value at key") a record under a key that
        # is taken; that is this very reply, made by an attempt whose answer was lost.
        try:
            earlier = _own_post(client, account, did, rkey, message.text)
        except ChannelError:
            earlier = None
        if earlier is None:
            raise refused
        return earlier
    uri = body.get("uri") if isinstance(body, dict) else None
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise PayloadError("Bluesky answered createRecord without the new post's uri")
    return SendResult(uri, utcnow())


def _own_post(client: httpx.Client, account: Account, did: str, rkey: str, wording: str) -> SendResult | None:
    found = _get_record(client, account, AtUri(did, parse.POST, rkey))
    if found is None:
        return None
    value = found.get("value")
    if not isinstance(value, dict) or value.get("text") != wording:
        return None  # another record under the same key (a clash of derived keys; never seen)
    uri = found.get("uri")
    sent = parse.timestamp(value.get("createdAt")) or utcnow()
    return SendResult(uri if isinstance(uri, str) else str(AtUri(did, parse.POST, rkey)), sent)


def _reply_ref(client: httpx.Client, account: Account, parent: str) -> dict[str, Any]:
    """The reply's strong references: the parent post (its cid looked up) and its thread's root."""
    ref = at_uri(parent)
    found = _get_record(client, account, ref)
    if found is None:
        raise PermanentSendError(f"the Bluesky post this answers no longer exists ({parent})")
    cid = found.get("cid")
    if not isinstance(cid, str):
        raise PayloadError(f"Bluesky sent the record {parent} without its cid")
    parent_ref = {"uri": str(ref), "cid": cid}
    value = found.get("value")
    reply = value.get("reply") if isinstance(value, dict) else None
    root = reply.get("root") if isinstance(reply, dict) else None
    if isinstance(root, dict) and isinstance(root.get("uri"), str) and isinstance(root.get("cid"), str):
        return {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent_ref}
    return {"root": parent_ref, "parent": parent_ref}


def _get_record(client: httpx.Client, account: Account, ref: AtUri) -> dict[str, Any] | None:
    """com.atproto.repo.getRecord (the PDS asks the App View for records it does not host); None when
    there is no such record."""
    params = {"repo": ref.did, "collection": ref.collection, "rkey": ref.rkey}
    response = xrpc.call_raw(client, account, "GET", "com.atproto.repo.getRecord", params=params)
    if response.status_code in (400, 404) and (
        xrpc.error_code(response) in ("RecordNotFound", "NotFound")
        or "Could not locate record" in net.error_text(response)
    ):
        return None
    net.check(response, xrpc.LABEL)
    body = net.json_body(response, xrpc.LABEL)
    if not isinstance(body, dict):
        raise PayloadError("Bluesky answered getRecord with something that is not an object")
    return body


def _facets(client: httpx.Client, account: Account, wording: str) -> list[dict[str, Any]]:
    """Facets for the links, hashtags and @handles in the reply, so that they show as such; a handle
    that does not resolve stays plain text."""
    facets = []
    for span in text.spans(wording):
        if span.kind == "link":
            facets.append(text.facet(span, {"$type": "app.bsky.richtext.facet#link", "uri": span.value}))
        elif span.kind == "tag":
            facets.append(text.facet(span, {"$type": parse.TAG, "tag": span.value}))
        else:
            did = _resolve_handle(client, account, span.value)
            if did:
                facets.append(text.facet(span, {"$type": parse.MENTION, "did": did}))
    return facets


def _resolve_handle(client: httpx.Client, account: Account, handle: str) -> str | None:
    response = xrpc.call_raw(
        client, account, "GET", "com.atproto.identity.resolveHandle", params={"handle": handle}
    )
    if response.status_code in (400, 404):
        return None  # "Unable to resolve handle"
    net.check(response, xrpc.LABEL)
    body = net.json_body(response, xrpc.LABEL)
    did = body.get("did") if isinstance(body, dict) else None
    return did if isinstance(did, str) and did.startswith("did:") else None


# Chat -------------------------------------------------------------------------------------------


def _send_chat(client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
    _check_length(message.text, CHAT_GRAPHEMES, CHAT_BYTES, "a chat message")
    convo = _convo(client, account, message)
    content: dict[str, Any] = {"text": message.text}
    facets = _facets(client, account, message.text)
    if facets:
        content["facets"] = facets
    try:
        body = xrpc.call(
            client,
            account,
            "POST",
            "chat.bsky.convo.sendMessage",
            body={"convoId": convo, "message": content},
            chat=True,
        )
    except TemporaryError:
        # The message may have gone out and only the answer got lost: chat has no idempotency key,
        # and the outbox's next attempt would not ask, so look now.
        try:
            earlier = _find_chat(client, account, message, convo)
        except ChannelError:
            earlier = None
        if earlier is None:
            raise
        return earlier
    message_id = body.get("id") if isinstance(body, dict) else None
    if not isinstance(message_id, str):
        raise PayloadError("Bluesky chat answered sendMessage without the message's id")
    return SendResult(parse.chat_id(convo, message_id), parse.timestamp(body.get("sentAt")) or utcnow())


def _convo(client: httpx.Client, account: Account, message: OutboundMessage) -> str:
    """The conversation to write in: the case's own, or the direct one with the customer (made by
    getConvoForMembers when there is none yet)."""
    if message.conversation_key:
        return message.conversation_key
    if not message.recipient_id or not message.recipient_id.startswith("did:"):
        raise PermanentSendError("a private Bluesky reply needs the conversation or the customer's DID")
    body = xrpc.call(
        client,
        account,
        "GET",
        "chat.bsky.convo.getConvoForMembers",
        params=[("members", message.recipient_id)],
        chat=True,
    )
    convo = body.get("convo") if isinstance(body, dict) else None
    convo_id = convo.get("id") if isinstance(convo, dict) else None
    if not isinstance(convo_id, str):
        raise PayloadError("Bluesky chat answered getConvoForMembers without a conversation")
    return convo_id


def _find_chat(
    client: httpx.Client, account: Account, message: OutboundMessage, convo: str | None = None
) -> SendResult | None:
    convo = convo or _convo(client, account, message)
    body = xrpc.call(
        client,
        account,
        "GET",
        "chat.bsky.convo.getMessages",
        params={"convoId": convo, "limit": 100},
        chat=True,
    )
    messages = body.get("messages") if isinstance(body, dict) else None
    brand = brand_did(client, account)
    since = as_utc(message.created_at) - _CHAT_SLACK if message.created_at else None
    for view in messages if isinstance(messages, list) else ():  # newest first
        if not isinstance(view, dict) or view.get("text") != message.text:
            continue
        sender = view.get("sender")
        sent = parse.timestamp(view.get("sentAt"))
        if not isinstance(sender, dict) or sender.get("did") != brand or sent is None:
            continue
        if since is not None and sent < since:
            break  # older than the reply: the same words said earlier, not this reply
        if isinstance(view.get("id"), str):
            return SendResult(parse.chat_id(convo, view["id"]), sent)
    return None


# Actions ----------------------------------------------------------------------------------------


def act(client: httpx.Client, account: Account, action: Action, external_id: str) -> None:
    if external_id.startswith("chat:"):
        raise PermanentSendError(f"Bluesky chat messages cannot be {_done(action)} from SocialDesk")
    ref = at_uri(external_id)
    if action == "like":
        _like(client, account, ref)
    elif action == "delete":
        _delete(client, account, ref)
    else:
        _set_hidden(client, account, ref, hidden=action == "hide")


def _done(action: str) -> str:
    return {"like": "liked", "hide": "hidden", "unhide": "unhidden", "delete": "deleted"}.get(action, action)


def _like(client: httpx.Client, account: Account, ref: AtUri) -> None:
    found = _get_record(client, account, ref)
    if found is None or not isinstance(found.get("cid"), str):
        raise PermanentSendError(f"the Bluesky post {ref} no longer exists")
    record = {"$type": LIKE, "subject": {"uri": str(ref), "cid": found["cid"]}, "createdAt": _now()}
    body = {"repo": brand_did(client, account), "collection": LIKE, "record": record}
    xrpc.call(client, account, "POST", "com.atproto.repo.createRecord", body=body)


def _delete(client: httpx.Client, account: Account, ref: AtUri) -> None:
    brand = brand_did(client, account)
    if ref.did != brand:
        raise PermanentSendError("Bluesky lets the brand delete only its own posts")
    body = {"repo": brand, "collection": ref.collection, "rkey": ref.rkey}
    xrpc.call(client, account, "POST", "com.atproto.repo.deleteRecord", body=body)


def _set_hidden(client: httpx.Client, account: Account, ref: AtUri, hidden: bool) -> None:
    """Hide (or show again) a reply in a thread the brand started: the thread's threadgate record,
    whose key is the root post's, lists the hidden replies (app.bsky.feed.threadgate hiddenReplies)."""
    found = _get_record(client, account, ref)
    value = found.get("value") if found else None
    reply = value.get("reply") if isinstance(value, dict) else None
    root = reply.get("root") if isinstance(reply, dict) else None
    if not isinstance(root, dict) or not isinstance(root.get("uri"), str):
        raise PermanentSendError("only replies can be hidden on Bluesky, and this post is not one")
    root_ref = at_uri(root["uri"])
    brand = brand_did(client, account)
    if root_ref.did != brand:
        raise PermanentSendError("Bluesky lets the brand hide replies only in threads it started")
    gate_ref = AtUri(brand, THREADGATE, root_ref.rkey)
    gate = _get_record(client, account, gate_ref)
    current = gate.get("value") if gate else None
    record: dict[str, Any] = (
        dict(current)
        if isinstance(current, dict)
        else {"$type": THREADGATE, "post": str(root_ref), "createdAt": _now()}  # no `allow`: anyone replies
    )
    listed = [u for u in record.get("hiddenReplies") or [] if isinstance(u, str)]
    uri = str(ref)
    changed = [u for u in listed if u != uri] + ([uri] if hidden else [])
    if changed == listed:
        return
    if len(changed) > MAX_HIDDEN:
        raise PermanentSendError(f"Bluesky hides at most {MAX_HIDDEN} replies in one thread")
    record["hiddenReplies"] = changed
    body: dict[str, Any] = {"repo": brand, "collection": THREADGATE, "rkey": root_ref.rkey, "record": record}
    if gate and isinstance(gate.get("cid"), str):
        body["swapRecord"] = gate["cid"]  # so that a change made meanwhile is not overwritten
    xrpc.call(client, account, "POST", "com.atproto.repo.putRecord", body=body)


# Helpers ----------------------------------------------------------------------------------------


def _check_length(wording: str, graphemes: int, size: int, what: str) -> None:
    count = text.graphemes(wording)
    if count > graphemes:
        raise PermanentSendError(f"Bluesky allows {graphemes} characters in {what}; this one has {count}")
    if text.utf8_length(wording) > size:
        raise PermanentSendError(f"Bluesky allows {size} bytes of UTF-8 in {what}; this one is longer")


def _now() -> str:
    """An atproto datetime: UTC, milliseconds, Z (what Bluesky's own clients write)."""
    return utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
