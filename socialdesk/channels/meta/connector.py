"""The Facebook Pages and Instagram connectors: one class, two configurations.

Both read the same webhooks (a Meta app sends Page and Instagram objects alike, and either channel
may receive both), poll the Graph API for comments and conversations, and answer through it: a public
reply under the comment (`/{comment-id}/comments` on Facebook, `/{comment-id}/replies` on Instagram), a
private one through the Send API (`/me/messages`, RESPONSE to the customer's last message). The Graph
API takes no idempotency key, so after a crash `find_sent` reads the thread for a reply of the brand's
with the same text, written after the agent wrote it.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx

from socialdesk.channels.base import (
    Account,
    Action,
    CredentialField,
    FetchResult,
    HookReply,
    HookRequest,
    Limits,
    is_json,
    load_json,
)
from socialdesk.channels.meta.graph import Graph, require_id
from socialdesk.channels.meta.pages import CONVERSATION_FIELDS, FEED_FIELDS, MEDIA_FIELDS, parse_page
from socialdesk.channels.meta.posts import (
    FACEBOOK,
    INSTAGRAM,
    customer_of,
    ident,
    items,
    mapping,
    moment,
)
from socialdesk.channels.meta.webhooks import parse_webhook
from socialdesk.channels.signatures import require, sha256_hex
from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import InvalidAction, PayloadError, PermanentSendError, SignatureError
from socialdesk.core.types import InboundEvent, InboundPost, OutboundMessage, SendResult

POLL_PAGE = "25"  # posts, media or conversations per poll; webhooks are the main way in
DEFAULT_LOOKBACK_DAYS = "7"
# Our clock and Meta's may disagree a little; a reply found a moment "before" the agent wrote it is ours.
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Flavour:
    """What differs between the Facebook Page and the Instagram Graph API."""

    label: str
    credential: str
    platform: str  # `platform=` of the conversations edge
    reply_edge: str  # where a public reply to a comment is posted
    text_field: str  # a comment's text
    time_field: str  # a comment's creation time
    name_field: str  # the name the network knows the account by
    hide_param: str  # how a comment is hidden
    private_bytes: int | None = None  # a direct message's limit in UTF-8 bytes, where it is counted so


class MetaConnector:
    """A Facebook Page or an Instagram professional account."""

    sources: tuple[str, ...] = ("comments", "messages")

    def __init__(
        self,
        network: str,
        limits: Limits,
        credential_fields: tuple[CredentialField, ...],
        flavour: Flavour,
    ) -> None:
        self.network = network
        self.limits = limits
        self.credential_fields = credential_fields
        self.flavour = flavour

    # -- webhooks ----------------------------------------------------------------------------------

    def handshake(self, request: HookRequest, account: Account) -> HookReply | None:
        """Meta's subscription check: GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=..."""
        if request.method != "GET" or not {"hub.mode", "hub.challenge"} & set(request.query):
            return None
        expected = account.credentials.get("verify_token", "")
        given = request.query.get("hub.verify_token", "")
        challenge = request.query.get("hub.challenge", "")
        if (
            request.query.get("hub.mode") == "subscribe"
            and expected
            and challenge
            and hmac.compare_digest(given.encode(), expected.encode())
        ):
            return HookReply(200, challenge)
        return HookReply(403, "The verify token does not match this channel's.")

    def verify(self, request: HookRequest, account: Account) -> None:
        """X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the raw body with the app secret."""
        secret = account.credentials.get("app_secret", "")
        if not secret:
            raise SignatureError("this channel has no app secret to check Meta's signature with")
        header = (request.headers.get("x-hub-signature-256") or "").strip()
        given = header[len("sha256=") :] if header.lower().startswith("sha256=") else header
        require(given.lower() or None, sha256_hex(secret, request.body), "X-Hub-Signature-256 signature")

    def payloads(self, data: bytes) -> list[bytes]:
        """One JSON document, or one per line; a broken multi-line document stays one payload, so it
        is reported once rather than line by line."""
        if is_json(data):
            return [data]
        lines = [line for line in data.splitlines() if line.strip()]
        if len(lines) > 1 and is_json(lines[0]):
            return lines
        return [data] if lines else []

    def parse(self, payload: bytes, account: Account | None = None) -> list[InboundEvent]:
        body = load_json(payload, "the Meta payload")
        if not isinstance(body, dict):
            raise PayloadError("the Meta payload is not a JSON object")
        if "object" in body:
            return parse_webhook(body, account)
        if "data" in body:
            return parse_page(body, self.network if account else None, account)
        if isinstance(body.get("error"), dict):
            message = body["error"].get("message")
            raise PayloadError(f"the payload is a Graph API error, not a page: {message}")
        raise PayloadError("neither a Meta webhook (object, entry) nor a Graph API page (data)")

    # -- polling -----------------------------------------------------------------------------------

    def fetch(self, client: httpx.Client, account: Account, source: str, cursor: str | None) -> FetchResult:
        """The newest page of `source`. The cursor is the Unix time of the newest item stored; items
        at or before it are left out, so a second poll returns only what is newer."""
        graph = self._graph(account)
        since = _cursor_time(cursor)
        own = account.external_id or "me"
        if source == "comments":
            edge, fields = ("feed", FEED_FIELDS) if self.network == FACEBOOK else ("media", MEDIA_FIELDS)
            params = {"fields": fields, "limit": POLL_PAGE}
            if since is not None:
                # `since` picks the posts to read; a comment may come days after its post, so the posts
                # of the days before the cursor are read again and only their newer comments kept.
                params["since"] = str(int(since - _lookback(account).total_seconds()))
            body = graph.call(client, "GET", f"{own}/{edge}", params)
        elif source == "messages":
            params = {"platform": self.flavour.platform, "fields": CONVERSATION_FIELDS, "limit": POLL_PAGE}
            body = graph.call(client, "GET", "me/conversations", params)
        else:
            raise InvalidAction(f"{self.flavour.label} has no source {source!r}; one of {self.sources}")
        events = parse_page(mapping(body, f"{self.flavour.label}'s answer"), self.network, account)
        fresh: list[InboundEvent] = [
            e
            for e in events
            if isinstance(e, InboundPost) and (since is None or e.created_at.timestamp() > since)
        ]
        newest = max(
            (int(e.created_at.timestamp()) for e in fresh if isinstance(e, InboundPost)), default=None
        )
        if newest is None:
            return FetchResult(fresh, None)
        return FetchResult(fresh, str(max(newest, int(since or 0))))

    # -- sending -----------------------------------------------------------------------------------

    def send(self, client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
        graph = self._graph(account)
        self._fits(message)
        if message.private:
            body = graph.call(
                client,
                "POST",
                "me/messages",
                json={
                    "recipient": {"id": self._customer(message)},
                    "messaging_type": "RESPONSE",
                    "message": {"text": message.text},
                },
            )
            return SendResult(require_id(body, "message_id", self.flavour.label), utcnow())
        body = graph.call(
            client,
            "POST",
            f"{self._answered(message)}/{self.flavour.reply_edge}",
            data={"message": message.text},
        )
        return SendResult(require_id(body, "id", self.flavour.label), utcnow())

    def find_sent(
        self, client: httpx.Client, account: Account, message: OutboundMessage
    ) -> SendResult | None:
        graph = self._graph(account)
        own = account.external_id or _own_id(client, graph)
        after = as_utc(message.created_at) - CLOCK_SKEW if message.created_at else None
        if message.private:
            body = graph.call(
                client,
                "GET",
                "me/conversations",
                {
                    "platform": self.flavour.platform,
                    "user_id": self._customer(message),
                    "fields": "messages.limit(25){id,message,from,created_time}",
                },
            )
            candidates = [
                m
                for conversation in items(mapping(body, "the answer").get("data"), "data")
                for m in items(
                    mapping(mapping(conversation, "data[]").get("messages") or {}, "messages").get("data"),
                    "messages.data",
                )
            ]
            return _same_reply(
                candidates, own, account.handle, message.text, after, "message", "created_time"
            )
        params = {"fields": f"id,{self.flavour.text_field},from,{self.flavour.time_field}", "limit": "100"}
        if self.network == FACEBOOK:
            params |= {"filter": "stream", "order": "reverse_chronological"}
        body = graph.call(client, "GET", f"{self._answered(message)}/{self.flavour.reply_edge}", params)
        return _same_reply(
            items(mapping(body, "the answer").get("data"), "data"),
            own,
            account.handle,
            message.text,
            after,
            self.flavour.text_field,
            self.flavour.time_field,
        )

    def act(self, client: httpx.Client, account: Account, action: Action, external_id: str) -> None:
        if action not in self.limits.actions:
            raise InvalidAction(f"{self.flavour.label} does not let an app {action} a comment")
        graph = self._graph(account)
        if action == "like":
            body = graph.call(client, "POST", f"{external_id}/likes")
        elif action == "delete":
            body = graph.call(client, "DELETE", external_id)
        else:
            hidden = "true" if action == "hide" else "false"
            body = graph.call(client, "POST", external_id, data={self.flavour.hide_param: hidden})
        if not (isinstance(body, dict) and body.get("success") in (True, "true")):
            raise PermanentSendError(
                f"{self.flavour.label} did not confirm the {action}: {json.dumps(body)[:200]}"
            )

    def check(self, client: httpx.Client, account: Account) -> str:
        # The account itself where its id is known: for an Instagram account reached with its Page's
        # token (Facebook Login), /me would be the Page.
        node = account.external_id or "me"
        body = self._graph(account).call(client, "GET", node, {"fields": "id,name,username"})
        found = mapping(body, f"the answer to /{node}")
        name = found.get(self.flavour.name_field) or found.get("name") or found.get("id")
        if not isinstance(name, str | int):
            raise PayloadError(f"{self.flavour.label} did not say whose token this is")
        return str(name)

    # -- helpers -----------------------------------------------------------------------------------

    def _graph(self, account: Account) -> Graph:
        return Graph.of(account, self.flavour.credential, self.flavour.label)

    def _fits(self, message: OutboundMessage) -> None:
        """Refuse what the network would refuse, with the limit named, before anything is sent (the
        registry's limit is the public one; Messenger and Instagram DMs are shorter)."""
        limit = self.limits.max_private_text if message.private else self.limits.max_text
        if limit is not None and len(message.text) > limit:
            kind = "a direct message" if message.private else "a comment"
            raise PermanentSendError(
                f"{self.flavour.label} allows {limit} characters in {kind}; this has {len(message.text)}"
            )
        size = len(message.text.encode())
        if message.private and self.flavour.private_bytes and size > self.flavour.private_bytes:
            raise PermanentSendError(
                f"{self.flavour.label} allows {self.flavour.private_bytes} bytes of UTF-8 in a direct "
                f"message; this has {size}"
            )

    def _customer(self, message: OutboundMessage) -> str:
        customer = customer_of(message.conversation_key) or message.recipient_id
        if not customer:
            raise PermanentSendError(f"{self.flavour.label}: this private reply names no recipient")
        return customer

    def _answered(self, message: OutboundMessage) -> str:
        if not message.in_reply_to:
            raise PermanentSendError(
                f"a public reply on {self.flavour.label} answers a comment; this one answers none"
            )
        return message.in_reply_to


def _lookback(account: Account) -> timedelta:
    """How far before the cursor polling reads posts again for new comments (setting, in days)."""
    try:
        days = float(account.setting("poll_lookback_days", DEFAULT_LOOKBACK_DAYS))
    except ValueError:
        days = float(DEFAULT_LOOKBACK_DAYS)
    return timedelta(days=min(max(days, 0.0), 90.0))


def _cursor_time(cursor: str | None) -> int | None:
    """The stored cursor's time; a cursor we cannot read starts over (ingest drops what it holds)."""
    if cursor is None:
        return None
    try:
        return int(cursor)
    except ValueError:
        return None


def _own_id(client: httpx.Client, graph: Graph) -> str:
    """The account's own id, for a channel connected without it."""
    body = graph.call(client, "GET", "me", {"fields": "id"})
    return ident(mapping(body, "the answer to /me").get("id"), "me.id")


def _same_reply(
    candidates: list[Any],
    own: str,
    handle: str,
    text: str,
    after: datetime | None,
    text_field: str,
    time_field: str,
) -> SendResult | None:
    """The brand's reply with `text`, made after `after`, among a thread's comments or messages."""
    wanted = _normalised(text)
    for candidate in candidates:
        if not isinstance(candidate, dict):
            continue
        who: dict[str, Any] = candidate["from"] if isinstance(candidate.get("from"), dict) else {}
        ours = str(who.get("id")) == own or (who.get("username") or candidate.get("username")) == handle
        body = candidate.get(text_field)
        if not ours or not isinstance(body, str) or _normalised(body) != wanted:
            continue
        try:
            made = moment(candidate.get(time_field), time_field)
        except PayloadError:
            continue
        if after is None or made >= after:
            return SendResult(ident(candidate.get("id"), "id"), made)
    return None


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


# One Meta app serves both networks' webhooks, so both ask for its secret and verify token alike.
_WEBHOOK_FIELDS = (
    CredentialField(
        "app_secret",
        "App secret",
        help="From the Meta app's Settings → Basic; it signs every webhook delivery (X-Hub-Signature-256).",
    ),
    CredentialField(
        "verify_token",
        "Webhook verify token",
        required=False,
        help="Any string; type the same one as the callback URL's verify token in the App Dashboard.",
    ),
)

FACEBOOK_CONNECTOR = MetaConnector(
    FACEBOOK,
    # Comments take 8000 characters; the Messenger Send API 2000.
    Limits(max_text=8000, max_private_text=2000, actions=("like", "hide", "unhide", "delete")),
    (
        CredentialField(
            "page_access_token",
            "Page access token",
            help="A long-lived Page token with pages_read_engagement, pages_read_user_content, "
            "pages_manage_engagement and pages_messaging; set the channel's external id to the Page id.",
        ),
        *_WEBHOOK_FIELDS,
    ),
    Flavour(
        label="Facebook",
        credential="page_access_token",
        platform="messenger",
        reply_edge="comments",
        text_field="message",
        time_field="created_time",
        name_field="name",
        hide_param="is_hidden",
    ),
)

INSTAGRAM_CONNECTOR = MetaConnector(
    INSTAGRAM,
    # Comments and captions take 2200 characters; direct messages 1000 bytes of UTF-8.
    Limits(max_text=2200, max_private_text=1000, actions=("hide", "unhide", "delete")),
    (
        CredentialField(
            "access_token",
            "Access token",
            help="The linked Page's token (Facebook Login: instagram_basic, instagram_manage_comments, "
            "instagram_manage_messages), or an Instagram user token (Instagram Login: also set "
            "api_base=https://graph.instagram.com); set the external id to the Instagram account id.",
        ),
        *_WEBHOOK_FIELDS,
    ),
    Flavour(
        label="Instagram",
        credential="access_token",
        platform="instagram",
        reply_edge="replies",
        text_field="text",
        time_field="timestamp",
        name_field="username",
        hide_param="hide",
        private_bytes=1000,
    ),
)
