"""Reddit: the brand's inbox (comment replies, mentions, private messages), searches and subreddits,
polled over OAuth2; public replies, private messages, upvotes and moderator removals.

Reddit sends no webhooks: every delivery to /hooks/reddit/... is refused. The parts:
`parse` (things and listings → posts), `api` (token, user agent, rate-limit window), `fetching`
(sources and cursors), `sending` (replies, find_sent, actions).
"""

from __future__ import annotations

import httpx2 as httpx

from socialdesk.channels.base import (
    Account,
    Action,
    CredentialField,
    FetchResult,
    HookReply,
    HookRequest,
    Limits,
    json_payloads,
    load_json,
)
from socialdesk.channels.reddit import fetching, parse, sending
from socialdesk.core.errors import PayloadError, SignatureError
from socialdesk.core.types import InboundEvent, OutboundMessage, SendResult


class RedditConnector:
    network = "reddit"
    limits = Limits(
        max_text=sending.MAX_TEXT,
        max_private_text=sending.MAX_TEXT,
        media=(),  # the API attaches no uploads to comments or messages
        max_media=0,
        actions=("like", "hide", "unhide", "delete"),
    )
    credential_fields = (
        CredentialField("client_id", "Client id (from reddit.com/prefs/apps)", secret=False),
        CredentialField("client_secret", "Client secret", required=False, help="Empty for an installed app."),
        CredentialField(
            "username",
            "Reddit username",
            secret=False,
            required=False,
            help="The brand's account; the channel's handle when left empty.",
        ),
        CredentialField(
            "password", "Password", required=False, help="For a script app; or give a refresh token."
        ),
        CredentialField(
            "refresh_token",
            "Refresh token",
            required=False,
            help="From the OAuth2 code flow with duration=permanent; used instead of the password.",
        ),
        CredentialField(
            "user_agent",
            "User agent",
            secret=False,
            required=False,
            help='Reddit asks for "<platform>:<app id>:<version> (by /u/<username>)"; one is made up '
            "from the username when left empty.",
        ),
    )
    sources = fetching.SOURCES

    def handshake(self, request: HookRequest, account: Account) -> HookReply | None:
        return None

    def verify(self, request: HookRequest, account: Account) -> None:
        raise SignatureError("Reddit sends no webhooks; this channel is polled")

    def payloads(self, data: bytes) -> list[bytes]:
        return json_payloads(data)

    def parse(self, payload: bytes, account: Account | None = None) -> list[InboundEvent]:
        try:
            document = load_json(payload, "the Reddit payload")
            return parse.events(parse.read(document), account)
        except RecursionError as exc:
            raise PayloadError("the Reddit payload is nested too deeply to read") from exc

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


CONNECTOR = RedditConnector()
