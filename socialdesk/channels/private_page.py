"""SocialDesk's own private page: where a customer continues a public conversation after a hand-off.

Nothing travels over a network: the customer reads the conversation on the page, which shows an
agent's reply once the outbox has marked it sent. `send` therefore only acknowledges, with an id made
from the reply's delivery key, so a retry after a crash finds "the same" message and nothing doubles.
Customers' messages are written by the page itself (`pipeline.private_messages`), never parsed from
a payload, so there is no webhook, no poll and nothing to act on.
"""

from __future__ import annotations

import httpx2 as httpx

from socialdesk.channels.base import Account, Action, FetchResult, HookReply, HookRequest, Limits
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import PayloadError, PermanentSendError, SignatureError
from socialdesk.core.types import InboundEvent, OutboundMessage, SendResult

NETWORK = "socialdesk"
MAX_TEXT = 5000


class PrivatePageConnector:
    network = NETWORK
    limits = Limits(max_text=None, max_private_text=MAX_TEXT)
    credential_fields = ()
    sources = ()

    def handshake(self, request: HookRequest, account: Account) -> HookReply | None:
        return None

    def verify(self, request: HookRequest, account: Account) -> None:
        raise SignatureError("the private page takes no webhooks: customers write on the page itself")

    def payloads(self, data: bytes) -> list[bytes]:
        return []

    def parse(self, payload: bytes, account: Account | None = None) -> list[InboundEvent]:
        raise PayloadError("the private page has no payloads: customers write on the page itself")

    def fetch(self, client: httpx.Client, account: Account, source: str, cursor: str | None) -> FetchResult:
        return FetchResult([], cursor)

    def send(self, client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
        if not message.private:
            # The outbox never lets this happen; refusing here too costs nothing.
            raise PermanentSendError("the private page only carries private replies")
        return SendResult(sent_id(message.idempotency_key), utcnow())

    def find_sent(
        self, client: httpx.Client, account: Account, message: OutboundMessage
    ) -> SendResult | None:
        return None  # sending again is harmless: it makes the same id and shows the same reply

    def act(self, client: httpx.Client, account: Account, action: Action, external_id: str) -> None:
        raise PermanentSendError(f"the private page has no {action}")

    def check(self, client: httpx.Client, account: Account) -> str:
        return account.handle


def sent_id(delivery_key: str) -> str:
    return f"socialdesk-reply-{delivery_key}"


CONNECTOR = PrivatePageConnector()
