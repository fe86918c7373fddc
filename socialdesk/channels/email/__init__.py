"""E-mail: the support mailbox read over IMAP, replies sent over SMTP.

- Inbound: the source "inbox" polls the IMAP folder (setting `imap_folder`, INBOX) for UIDs above the
  cursor "<UIDVALIDITY>:<last UID>", in batches. A changed UIDVALIDITY means the server rebuilt the
  folder and its UIDs mean something else now: the folder is read again from the start, and ingest
  drops what it already has by Message-ID. A message that is no e-mail is logged and passed over (it
  stays in the mailbox; the cursor must not stick on it).
- Outbound: SMTP, with a Message-ID made from the reply's idempotency key; a copy goes to the Sent
  folder (settings `sent_folder`, `save_sent`), which is where `find_sent` looks after a crash.
- No webhooks (mail arrives in the mailbox), no actions on a customer's message.

This package is called `email` inside `socialdesk.channels`; imports are absolute, so `email` in
its modules is always the standard library's package.
"""

from __future__ import annotations

import logging
from datetime import datetime

import httpx2 as httpx

from socialdesk.channels.base import Account, Action, FetchResult, HookReply, HookRequest, Limits
from socialdesk.channels.email.config import CREDENTIAL_FIELDS, MailConfig, mail_config
from socialdesk.channels.email.mailbox import Fetched, open_mailbox
from socialdesk.channels.email.message import NETWORK, parse_message, split_mailbox
from socialdesk.channels.email.sending import compose, deliver, reply_message_id, smtp_session
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import (
    ChannelError,
    CredentialsError,
    PayloadError,
    PermanentSendError,
    SignatureError,
)
from socialdesk.core.types import InboundEvent, OutboundMessage, SendResult

log = logging.getLogger(__name__)

BATCH = 50  # messages per fetch
BATCH_BYTES = 25 * 1024 * 1024  # and at most this much mail, unless one message alone is larger


class EmailConnector:
    network = NETWORK
    limits = Limits(max_text=None, max_private_text=None)  # attachments are noted in raw, not sent
    credential_fields = CREDENTIAL_FIELDS
    sources = ("inbox",)

    def handshake(self, request: HookRequest, account: Account) -> HookReply | None:
        return None

    def verify(self, request: HookRequest, account: Account) -> None:
        raise SignatureError("e-mail channels take no webhooks: mail is read from the mailbox over IMAP")

    def payloads(self, data: bytes) -> list[bytes]:
        return split_mailbox(data)

    def parse(self, payload: bytes, account: Account | None = None) -> list[InboundEvent]:
        return list(parse_message(payload, account))

    def fetch(self, client: httpx.Client, account: Account, source: str, cursor: str | None) -> FetchResult:
        """The next batch of mail in the folder after the cursor's UID."""
        if source != "inbox":
            raise ChannelError(f"e-mail has no source {source!r}; it polls 'inbox'")
        config = mail_config(account)
        seen_validity, last = _read_cursor(cursor)
        with open_mailbox(config.imap) as box:
            folder = box.examine(config.folder)
            if folder is None:
                raise CredentialsError(f"the IMAP folder {config.folder!r} does not exist")
            if cursor is None and not config.read_existing and folder.uidnext is not None:
                return FetchResult([], f"{folder.validity}:{folder.uidnext - 1}")
            if folder.validity != seen_validity:
                if cursor is not None:
                    log.info(
                        "folder %s was rebuilt (UIDVALIDITY %s): reading it again",
                        config.folder,
                        folder.validity,
                    )
                last = 0
            new = box.uids_after(last, folder, enough=BATCH + 1)
            batch = _within_budget(new.uids[:BATCH], box.sizes(new.uids[:BATCH]))
            fetched = box.fetch(batch)
        events = _parsed(fetched, account, config)
        if len(batch) < len(new.uids):
            return FetchResult(events, f"{folder.validity}:{batch[-1]}", more=True)
        # All that was found is in this batch and no other UID up to `searched_to` exists, so the
        # cursor moves past gaps left by deleted mail instead of searching them again.
        newest = max(new.searched_to, batch[-1] if batch else last)
        return FetchResult(events, f"{folder.validity}:{newest}")

    def send(self, client: httpx.Client, account: Account, message: OutboundMessage) -> SendResult:
        config = mail_config(account)
        now = utcnow()
        mail = compose(config, message, now)
        deliver(config.smtp, config.address, mail)
        message_id = str(mail["Message-ID"])
        if config.save_sent:
            _keep_copy(config, mail.as_bytes(), message_id, now)
        return SendResult(message_id, now)

    def find_sent(
        self, client: httpx.Client, account: Account, message: OutboundMessage
    ) -> SendResult | None:
        """The reply's copy in the Sent folder, found by the Message-ID every attempt at it carries."""
        config = mail_config(account)
        message_id = reply_message_id(message.idempotency_key, config.domain)
        with open_mailbox(config.imap) as box:
            if box.examine(config.sent_folder) is None:
                return None
            uids = box.search_header("Message-ID", message_id)
            if not uids:
                return None
            sent_at = box.arrived(uids[0])
        return SendResult(message_id, sent_at or message.created_at or utcnow())

    def act(self, client: httpx.Client, account: Account, action: Action, external_id: str) -> None:
        raise PermanentSendError(f"e-mail has no {action}: a message in the mailbox stays as it came")

    def check(self, client: httpx.Client, account: Account) -> str:
        """Log in to IMAP (and open the polled folder) and to SMTP; the support address."""
        config = mail_config(account)
        with open_mailbox(config.imap) as box:
            if box.examine(config.folder) is None:
                raise CredentialsError(f"the IMAP folder {config.folder!r} does not exist")
        with smtp_session(config.smtp):
            pass
        return config.address


def _read_cursor(cursor: str | None) -> tuple[int | None, int]:
    validity, _, last = (cursor or "").partition(":")
    if validity.isdigit() and last.isdigit():
        return int(validity), int(last)
    return None, 0  # none yet, or not one of ours: read the folder from the start


def _within_budget(uids: list[int], sizes: dict[int, int]) -> list[int]:
    taken: list[int] = []
    total = 0
    for uid in uids:
        total += sizes.get(uid, 0)
        if taken and total > BATCH_BYTES:
            break
        taken.append(uid)
    return taken


def _parsed(fetched: list[Fetched], account: Account, config: MailConfig) -> list[InboundEvent]:
    events: list[InboundEvent] = []
    for item in fetched:
        try:
            events.extend(parse_message(item.body, account, item.arrived))
        except PayloadError as exc:
            log.warning("passing over message UID %s in %s: %s", item.uid, config.folder, exc)
    return events


def _keep_copy(config: MailConfig, data: bytes, message_id: str, now: datetime) -> None:
    """A copy in the Sent folder. The reply is sent by now, so failing here must not fail the send:
    it only means a crash in the next instant would not be recognised (and is logged)."""
    try:
        with open_mailbox(config.imap) as box:
            box.append(config.sent_folder, data, now)
    except ChannelError as exc:
        log.warning("reply %s was sent but not copied to %s: %s", message_id, config.sent_folder, exc)


CONNECTOR = EmailConnector()
