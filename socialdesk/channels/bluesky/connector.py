"""The Bluesky connector: notifications and chat polled over XRPC, Jetstream for listening, replies as
posts or chat messages, all with an app password session on the brand's PDS (or the bsky.social
entryway)."""

from __future__ import annotations

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
)
from socialdesk.channels.bluesky import fetching, parse, sending, stream, text, xrpc
from socialdesk.core.errors import PayloadError, SignatureError
from socialdesk.core.types import InboundEvent, OutboundMessage, SendResult


class BlueskyConnector:
    network = parse.NETWORK
    limits = Limits(
        # Grapheme clusters, as Bluesky counts them (text.graphemes; a post also has a 3000-byte cap).
        max_text=sending.POST_GRAPHEMES,
        max_private_text=sending.CHAT_GRAPHEMES,
        # app.bsky.embed.images: up to 4 images of image/*, 1 MB each; app.bsky.embed.video: one MP4.
        media=("image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4"),
        max_media=4,
        actions=("like", "hide", "unhide", "delete"),
    )
    credential_fields = (
        CredentialField(
            "identifier",
            "Handle or DID of the brand account",
            secret=False,
            help="e.g. acme.bsky.social or did:plc:… (the channel's external id should be the DID).",
        ),
        CredentialField(
            "app_password",
            "App password",
            help="Settings → Privacy and security → App passwords; tick “Allow access to your direct "
            "messages” so that chat can be read and answered.",
        ),
    )
    sources = fetching.SOURCES
    stream_sources = stream.STREAM_SOURCES

    def text_length(self, wording: str) -> int:
        """A reply's length as Bluesky counts it against `limits` (grapheme clusters, not code points)."""
        return text.graphemes(wording)

    def handshake(self, request: HookRequest, account: Account) -> HookReply | None:
        return None  # Bluesky has no webhooks

    def verify(self, request: HookRequest, account: Account) -> None:
        raise SignatureError("Bluesky sends no webhooks; nothing posted here comes from it")

    def payloads(self, data: bytes) -> list[bytes]:
        return parse.payloads(data)

    def parse(self, payload: bytes, account: Account | None = None) -> list[InboundEvent]:
        try:
            return parse.parse(payload, account)
        except RecursionError as exc:  # JSON nested deeper than the parser goes
            raise PayloadError("the Bluesky payload is nested too deeply") from exc

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
        """com.atproto.server.getSession: the handle the PDS knows the app password's account by."""
        body = xrpc.call(client, account, "GET", "com.atproto.server.getSession")
        handle = body.get("handle") if isinstance(body, dict) else None
        did = body.get("did") if isinstance(body, dict) else None
        if not isinstance(handle, str):
            raise PayloadError("Bluesky answered getSession without a handle")
        if account.external_id and isinstance(did, str) and did != account.external_id:
            return f"{handle} ({did}; the channel's external id says {account.external_id})"
        return handle

    def stream(
        self, client: httpx.Client, account: Account, source: str, cursor: str | None
    ) -> Iterator[StreamItem]:
        return stream.stream(account, source, cursor)

    def reconnect_delay(self, error: Exception, attempt: int) -> float:
        return stream.reconnect_delay(error, attempt)


CONNECTOR = BlueskyConnector()
