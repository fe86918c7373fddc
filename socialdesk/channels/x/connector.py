"""The X / Twitter connector: API v2 for reading, posting and the filtered stream; the Account Activity
API for webhooks (CRC handshake, `x-twitter-webhooks-signature`)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx2 as httpx

from socialdesk.channels.base import (
    Account,
    Action,
    CredentialField,
    FetchResult,
    HookReply,
    HookRequest,
    Limits,
    StreamItem,
    json_payloads,
)
from socialdesk.channels.signatures import require, sha256_base64
from socialdesk.channels.x import fetching, parsing, sending, streaming
from socialdesk.core.errors import SignatureError
from socialdesk.core.types import InboundEvent, OutboundMessage, SendResult

SIGNATURE_HEADER = "x-twitter-webhooks-signature"


class XConnector:
    network = "x"
    limits = Limits(
        # X weighs some characters double (CJK, emoji) and every link as 23; its answer has the last word.
        max_text=280,
        max_private_text=10_000,
        # Up to 4 images, or 1 GIF or video (docs.x.com/x-api/media/quickstart/best-practices).
        media=("image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "video/quicktime"),
        max_media=4,
        actions=("like", "hide", "unhide", "delete"),
    )
    credential_fields = (
        CredentialField(
            "access_token",
            "OAuth 2.0 user access token of the brand account",
            help="User context, with tweet.read tweet.write users.read dm.read dm.write like.write "
            "tweet.moderate.write: mentions, DMs, replies, likes and hiding replies.",
        ),
        CredentialField(
            "bearer_token",
            "App-only bearer token",
            required=False,
            help="For recent search and the filtered stream.",
        ),
        CredentialField(
            "consumer_secret",
            "App consumer secret (API key secret)",
            required=False,
            help="Signs Account Activity webhooks and answers their CRC check.",
        ),
    )
    sources = fetching.SOURCES
    stream_sources = streaming.STREAM_SOURCES

    def handshake(self, request: HookRequest, account: Account) -> HookReply | None:
        """X's Challenge-Response Check: a GET with `crc_token`, answered with its HMAC-SHA256 keyed by
        the consumer secret, base64, prefixed `sha256=` (Account Activity API, "Securing webhooks")."""
        token = request.query.get("crc_token")
        if request.method != "GET" or token is None:
            return None
        digest = sha256_base64(_consumer_secret(account), token.encode())
        body = json.dumps({"response_token": f"sha256={digest}"})
        return HookReply(200, body, "application/json")

    def verify(self, request: HookRequest, account: Account) -> None:
        expected = "sha256=" + sha256_base64(_consumer_secret(account), request.body)
        require(request.headers.get(SIGNATURE_HEADER), expected, f"{SIGNATURE_HEADER} header")

    def payloads(self, data: bytes) -> list[bytes]:
        """One document, or one stream line per payload; a broken document that is not line-delimited
        (an indented body cut short) stays one payload, so it is reported once."""
        chunks = json_payloads(data)
        if len(chunks) > 1 and not all(c.lstrip().startswith((b"{", b"[")) for c in chunks):
            return [data]
        return chunks

    def parse(self, payload: bytes, account: Account | None = None) -> list[InboundEvent]:
        return parsing.parse(payload, account)

    def fetch(self, client: httpx.Client, account: Account, source: str, cursor: str | None) -> FetchResult:
        return fetching.fetch(client, account, source, cursor)

    def send(self, client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
        return sending.send(client, account, message)

    def find_sent(
        self, client: httpx.Client, account: Account, message: OutboundMessage
    ) -> SendResult | None:
        return sending.find_sent(client, account, message)

    def act(self, client: httpx.Client, account: Account, action: Action, external_id: str) -> None:
        sending.act(client, account, action, external_id)

    def check(self, client: httpx.Client, account: Account) -> str:
        return sending.check(client, account)

    def stream(
        self, client: httpx.Client, account: Account, source: str, cursor: str | None
    ) -> Iterator[StreamItem]:
        return streaming.stream(client, account, source, cursor)

    def reconnect_delay(self, error: Exception, attempt: int) -> float:
        return streaming.reconnect_delay(error, attempt)


def _consumer_secret(account: Account) -> str:
    secret = account.credentials.get("consumer_secret")
    if not secret:
        # Without it nothing can be checked: refuse rather than accept unsigned deliveries.
        raise SignatureError("this X channel has no consumer secret to check webhooks with")
    return secret


CONNECTOR = XConnector()
