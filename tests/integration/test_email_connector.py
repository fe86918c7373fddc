"""The e-mail connector against real local mail servers: Dovecot for IMAP, aiosmtpd for SMTP.

Polling goes through `polling.poll_channel` and sending through `outbox.deliver_due`, on both
databases; test mail reaches the mailbox by IMAP APPEND.
"""

from __future__ import annotations

from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import select

from socialdesk.channels import connector
from socialdesk.channels.base import Account
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import CredentialsError
from socialdesk.core.types import CaseStatus, DeliveryStatus, Direction, OutboundMessage
from socialdesk.pipeline import outbox, polling
from socialdesk.pipeline.case_actions import record_reply
from socialdesk.pipeline.channel_accounts import LoadedChannel, load_account
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Post
from tests.channels import connect, fixture, make_due, vault
from tests.factories import agent, workspace
from tests.mail_servers import (
    MailUser,
    SmtpServer,
    mail_credentials,
    self_signed_certificate,
    smtp_server,
)
from tests.stand_ins.server import free_port

EMAIL = connector("email")
SUPPORT = "support@acme.example"
ROOT = "<5c1e7b0a-3f2d-4e8b-9a61-0d2f4c7e91b3@example.com>"  # plain__new_question.eml


def connected(
    db: Database, mailbox: MailUser, smtp: SmtpServer, settings: dict[str, str] | None = None, **changes: str
) -> tuple[int, LoadedChannel]:
    ws = workspace(db)
    channel_id = connect(db, ws, "email", SUPPORT, mail_credentials(mailbox, smtp, **changes), settings)
    return ws, load_account(db, vault(), channel_id)


def cursor(db: Database, channel: LoadedChannel) -> str | None:
    with db.read() as session:
        return polling.read_cursor(session, channel.id, "inbox")


def only_case(db: Database, ws: int) -> int:
    with db.read() as session:
        (case_id,) = session.scalars(select(Case.id).where(Case.workspace_id == ws)).all()
        return case_id


def reply_post(db: Database, ws: int) -> Post:
    with db.read() as session:
        row = session.scalars(select(Post).where(Post.workspace_id == ws, Post.agent_id.is_not(None))).one()
        session.expunge(row)
        return row


def answer_case(db: Database, ws: int, text: str = "Hi Maria,\n\nit is on its way — sorry!\n\nSam") -> int:
    """An agent's reply on the workspace's one case; the reply post's id."""
    agent_id = agent(db, "Acme", "sam@acme.example")
    return record_reply(db, ws, only_case(db, ws), agent_id, text).post_id


def answered(
    db: Database,
    mailbox: MailUser,
    smtp: SmtpServer,
    http: httpx.Client,
    settings: dict[str, str] | None = None,
    **changes: str,
) -> tuple[int, LoadedChannel, int]:
    """A customer's question polled in from the mailbox and the agent's answer to it queued: the
    workspace, the channel and the answer's post id."""
    mailbox.append("INBOX", fixture("email", "plain__new_question.eml"))
    ws, channel = connected(db, mailbox, smtp, settings, **changes)
    polling.poll_channel(db, channel, http)
    return ws, channel, answer_case(db, ws)


# --- polling --------------------------------------------------------------------------------------


def test_poll_reads_new_mail_once_and_leaves_it_unread(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    mailbox.append("INBOX", fixture("email", "plain__new_question.eml"))
    mailbox.append("INBOX", fixture("email", "multipart_alternative.eml"))
    ws, channel = connected(db, mailbox, smtp)

    report = polling.poll_channel(db, channel, http)
    assert (report.stored, report.duplicates, report.errors) == (2, 0, [])
    validity = mailbox.uidvalidity("INBOX")
    assert cursor(db, channel) == f"{validity}:2"

    again = polling.poll_channel(db, channel, http)  # UIDNEXT is 3: nothing above UID 2 to fetch
    assert (again.stored, again.duplicates) == (0, 0)
    assert cursor(db, channel) == f"{validity}:2"

    mailbox.append("INBOX", fixture("email", "reply__in_thread.eml"))
    newer = polling.poll_channel(db, channel, http)
    assert newer.stored == 1
    assert cursor(db, channel) == f"{validity}:3"

    with db.read() as session:
        rows = session.scalars(select(Post).where(Post.workspace_id == ws).order_by(Post.created_at)).all()
        assert [r.external_id for r in rows] == [
            ROOT,
            "<a8f2c3d4-77e1-4b0c-8d55-6e1f0b2a9c47@example.com>",  # Maria again, same thread
            "<CAJx8gV2mR0+Zt0Yk3w5pQe7nL1sT9uD4bF6hA2cK8jW3oE5vXg@mail.gmail.example>",
        ]
        assert rows[0].conversation_id == rows[1].conversation_id != rows[2].conversation_id
        assert all(r.is_private and r.channel_account_id == channel.id for r in rows)
        assert rows[0].raw is not None
        assert rows[0].raw["subject"] == "Order #48213 has not arrived"
    # Fetched with BODY.PEEK[] from a folder opened read-only: nobody's unread mail turns read.
    assert all(b"\\Seen" not in flags for flags, _ in mailbox.messages("INBOX"))


def test_poll_reads_a_backlog_in_batches(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    template = fixture("email", "plain__new_question.eml")
    with mailbox.session() as session:
        for n in range(51):
            session.append("INBOX", None, None, template.replace(b"<5c1e7b0a", f"<n{n}-5c1e7b0a".encode()))
    _ws, channel = connected(db, mailbox, smtp)

    first = EMAIL.fetch(http, channel.account, "inbox", None)
    assert (len(first.events), first.more) == (50, True)
    assert first.cursor is not None
    assert first.cursor.endswith(":50")

    report = polling.poll_channel(db, channel, http)  # pages on while `more`
    assert report.stored == 51
    assert cursor(db, channel) is not None
    assert str(cursor(db, channel)).endswith(":51")


def test_gaps_in_the_uids_are_searched_a_window_at_a_time(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("socialdesk.channels.email.mailbox.SEARCH_WINDOW", 2)
    template = fixture("email", "plain__new_question.eml")
    with mailbox.session() as session:
        for n in range(7):
            session.append("INBOX", None, None, template.replace(b"<5c1e7b0a", f"<g{n}-5c1e7b0a".encode()))
    mailbox.expunge("INBOX", "2:6")  # UIDs 1 and 7 are left
    _, channel = connected(db, mailbox, smtp)
    page = EMAIL.fetch(http, channel.account, "inbox", None)
    assert [e.external_id for e in page.events] == [
        "<g0-5c1e7b0a-3f2d-4e8b-9a61-0d2f4c7e91b3@example.com>",
        "<g6-5c1e7b0a-3f2d-4e8b-9a61-0d2f4c7e91b3@example.com>",
    ]
    assert page.cursor is not None
    assert page.cursor.endswith(":7")
    assert page.more is False

    mailbox.expunge("INBOX", "1:7")
    mailbox.append("INBOX", template)  # UID 8
    validity = mailbox.uidvalidity("INBOX")
    assert EMAIL.fetch(http, channel.account, "inbox", f"{validity}:7").cursor == f"{validity}:8"
    assert EMAIL.fetch(http, channel.account, "inbox", f"{validity}:8").events == []


def test_read_existing_no_starts_with_the_mail_that_comes_next(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    mailbox.append("INBOX", fixture("email", "plain__new_question.eml"))  # from before connecting
    _, channel = connected(db, mailbox, smtp, settings={"read_existing": "no"})
    assert polling.poll_channel(db, channel, http).stored == 0
    assert str(cursor(db, channel)).endswith(":1")
    mailbox.append("INBOX", fixture("email", "multipart_alternative.eml"))
    assert polling.poll_channel(db, channel, http).stored == 1


def test_a_rebuilt_folder_is_read_again_from_the_start(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    mailbox.append("Support", fixture("email", "plain__new_question.eml"))
    _ws, channel = connected(db, mailbox, smtp, settings={"imap_folder": "Support"})
    assert polling.poll_channel(db, channel, http).stored == 1
    old = cursor(db, channel)

    mailbox.recreate("Support")  # new UIDVALIDITY: UID 1 is now another message
    mailbox.append("Support", fixture("email", "plain__new_question.eml"))
    mailbox.append("Support", fixture("email", "with_attachment.eml"))
    report = polling.poll_channel(db, channel, http)
    assert (report.stored, report.duplicates) == (1, 1)  # the first one again, by its Message-ID
    new = cursor(db, channel)
    assert new == f"{mailbox.uidvalidity('Support')}:2"
    assert old is not None
    assert new is not None
    assert old.split(":")[0] != new.split(":")[0]


def test_mail_that_is_no_post_does_not_hold_the_cursor(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    mailbox.append("INBOX", fixture("email", "hostile__no_from.eml"))
    mailbox.append("INBOX", fixture("email", "read_receipt__mdn.eml"))
    mailbox.append("INBOX", fixture("email", "plain__new_question.eml"))
    _ws, channel = connected(db, mailbox, smtp)
    report = polling.poll_channel(db, channel, http)
    assert (report.stored, report.errors) == (1, [])
    assert str(cursor(db, channel)).endswith(":3")


def test_a_missing_folder_or_a_refused_login_is_a_clear_error(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    _ws, channel = connected(db, mailbox, smtp, settings={"imap_folder": "Nowhere"})
    with pytest.raises(CredentialsError, match="the IMAP folder 'Nowhere' does not exist"):
        EMAIL.fetch(http, channel.account, "inbox", None)
    wrong = Account(SUPPORT, credentials=mail_credentials(mailbox, smtp, imap_password="wrong"))
    with pytest.raises(CredentialsError, match="refused the login") as refused:
        EMAIL.fetch(http, wrong, "inbox", None)
    assert "wrong" not in str(refused.value)


# --- sending --------------------------------------------------------------------------------------


def test_a_reply_typed_on_an_email_case_is_sent_threaded(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    ws, channel, post_id = answered(db, mailbox, smtp, http, settings={"from_name": "Acme Support"})

    assert outbox.deliver_due(db, vault(), http) == 1
    (delivered,) = smtp.delivered
    assert (delivered.mail_from, delivered.rcpt_tos) == (SUPPORT, ["maria.lopez@example.com"])
    mail = BytesParser(policy=policy.default).parsebytes(delivered.data)
    row = reply_post(db, ws)
    assert row.id == post_id
    message_id = f"<{row.delivery_key}@acme.example>"
    assert mail["Message-ID"] == message_id
    assert mail["From"] == f"Acme Support <{SUPPORT}>"
    assert mail["To"] == "maria.lopez@example.com"
    assert mail["Subject"] == "Re: Order #48213 has not arrived"
    assert mail["In-Reply-To"] == ROOT
    assert mail["References"] == ROOT
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content().replace("\r\n", "\n") == "Hi Maria,\n\nit is on its way — sorry!\n\nSam\n"
    assert (row.delivery_status, row.external_id, row.send_error) == (DeliveryStatus.SENT, message_id, None)

    (copy,) = mailbox.messages("Sent")  # created on the first reply (the server said TRYCREATE)
    assert b"\\Seen" in copy[0]
    assert message_id.encode() in copy[1]

    # Maria answers from her client: the answer joins the case and opens it again.
    answer = EmailMessage()
    answer["From"] = "Maria Lopez <maria.lopez@example.com>"
    answer["To"] = SUPPORT
    answer["Subject"] = "Re: " + str(mail["Subject"])
    # Dated after our reply, whenever the test runs: a fixed date would fall before it one day.
    answer["Date"] = format_datetime(utcnow() + timedelta(minutes=1))
    answer["Message-ID"] = "<answer-1@example.com>"
    answer["In-Reply-To"] = message_id
    answer["References"] = f"{mail['References']} {message_id}"
    answer.set_content("Thank you, it just arrived!")
    mailbox.append("INBOX", answer.as_bytes())
    assert polling.poll_channel(db, channel, http).stored == 1
    with db.read() as session:
        case = session.get_one(Case, only_case(db, ws))
        assert case.status is CaseStatus.OPEN
        posts = session.scalars(select(Post).where(Post.conversation_id == case.conversation_id)).all()
        assert len(posts) == 3


def test_a_451_is_tried_again_later(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    ws, _, _ = answered(db, mailbox, smtp, http)
    smtp.refuse_next("451 4.7.1 Greylisted, please try again in 5 minutes")

    outbox.deliver_due(db, vault(), http)
    row = reply_post(db, ws)
    assert row.delivery_status is DeliveryStatus.QUEUED
    assert row.send_error is not None
    assert "451 4.7.1 Greylisted" in row.send_error
    assert row.next_send_at is not None
    assert smtp.delivered == []

    outbox.deliver_due(db, vault(), http, now=lambda: utcnow() + timedelta(minutes=10))
    row = reply_post(db, ws)
    assert row.delivery_status is DeliveryStatus.SENT
    assert len(smtp.delivered) == 1


def test_a_550_fails_with_the_server_s_words(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    ws, _, _ = answered(db, mailbox, smtp, http)
    smtp.refuse_next("550 5.1.1 <maria.lopez@example.com>: Recipient address rejected: User unknown")

    outbox.deliver_due(db, vault(), http)
    row = reply_post(db, ws)
    assert row.delivery_status is DeliveryStatus.FAILED
    assert row.send_error == (
        "the SMTP server 127.0.0.1 refused the message: 550 5.1.1 <maria.lopez@example.com>: "
        "Recipient address rejected: User unknown"
    )
    assert mailbox.messages("Sent") == []


def test_an_unreachable_smtp_server_is_tried_again_and_a_refused_login_fails(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    ws, _, _ = answered(db, mailbox, smtp, http, smtp_port=str(free_port()))
    outbox.deliver_due(db, vault(), http)
    row = reply_post(db, ws)
    assert row.delivery_status is DeliveryStatus.QUEUED
    assert row.send_error is not None
    assert "could not reach the SMTP server" in row.send_error

    connect(db, ws, "email", SUPPORT, {"smtp_port": str(smtp.port), "smtp_password": "not it"})
    outbox.deliver_due(db, vault(), http, now=lambda: utcnow() + timedelta(minutes=10))
    row = reply_post(db, ws)
    assert row.delivery_status is DeliveryStatus.FAILED
    assert row.send_error is not None
    assert "refused the login (535" in row.send_error
    assert "not it" not in row.send_error


def test_find_sent_after_a_crash_finds_the_copy_and_sends_nothing(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    # A folder name outside ASCII travels as modified UTF-7 (RFC 3501 5.1.3).
    ws, channel, _ = answered(db, mailbox, smtp, http, settings={"sent_folder": "Éléments envoyés"})
    row = reply_post(db, ws)
    assert row.delivery_key is not None
    # A worker sent it and died before recording so: the post is left SENDING, its lease run out.
    sent = EMAIL.send(
        http,
        channel.account,
        OutboundMessage(
            network="email",
            text=row.text,
            private=True,
            idempotency_key=row.delivery_key,
            in_reply_to=ROOT,
            recipient_handle="maria.lopez@example.com",
            conversation_key=ROOT,
            subject="Order #48213 has not arrived",
        ),
    )
    make_due(db, row.id, DeliveryStatus.SENDING)

    outbox.deliver_due(db, vault(), http)
    row = reply_post(db, ws)
    assert (row.delivery_status, row.external_id) == (DeliveryStatus.SENT, sent.external_id)
    assert len(smtp.delivered) == 1  # not sent a second time
    assert len(mailbox.messages('"&AMk-l&AOk-ments envoy&AOk-s"')) == 1  # "Éléments envoyés"


def test_find_sent_finds_nothing_when_the_crash_came_before_sending(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    ws, _, post_id = answered(db, mailbox, smtp, http)
    make_due(db, post_id, DeliveryStatus.SENDING)
    outbox.deliver_due(db, vault(), http)  # no Sent folder yet: nothing was sent, so it is sent now
    assert reply_post(db, ws).delivery_status is DeliveryStatus.SENT
    assert len(smtp.delivered) == 1


def test_no_copy_is_made_when_the_server_files_sent_mail_itself(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    ws, _, _ = answered(db, mailbox, smtp, http, settings={"save_sent": "no"})
    outbox.deliver_due(db, vault(), http)
    assert reply_post(db, ws).delivery_status is DeliveryStatus.SENT
    assert mailbox.messages("Sent") == []


def test_an_email_from_the_support_address_is_stored_as_outbound(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    mailbox.append("INBOX", fixture("email", "plain__new_question.eml"))
    mailbox.append("INBOX", fixture("email", "outbound__from_support.eml"))
    ws, channel = connected(db, mailbox, smtp)
    assert polling.poll_channel(db, channel, http).stored == 2
    with db.read() as session:
        rows = session.execute(select(Post.external_id, Post.direction).where(Post.workspace_id == ws))
        directions = dict(rows.all())  # Result itself looks like a mapping to dict()
    assert directions["<3f9a1c0e5b7d4e2a8c6b0d1e2f3a4b5c@acme.example>"] is Direction.OUTBOUND
    assert directions[ROOT] is Direction.INBOUND


def test_starttls_verifies_the_server_s_certificate(
    mailbox: MailUser, http: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = self_signed_certificate(tmp_path)
    with smtp_server(certificate=certificate) as tls:
        account = Account(SUPPORT, credentials=mail_credentials(mailbox, tls, smtp_security="starttls"))
        message = OutboundMessage(
            network="email",
            text="Hello over TLS",
            private=True,
            idempotency_key="tls-1",
            recipient_handle="maria.lopez@example.com",
        )
        with pytest.raises(CredentialsError, match="certificate that does not verify"):
            EMAIL.send(http, account, message)  # self-signed: not trusted by default
        assert tls.delivered == []

        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # now it is trusted
        assert EMAIL.send(http, account, message).external_id == "<tls-1@acme.example>"
        assert len(tls.delivered) == 1
        plain = Account(SUPPORT, credentials=mail_credentials(mailbox, tls, smtp_security="none"))
        with pytest.raises(CredentialsError, match="offers no login"):
            EMAIL.check(http, plain)  # the server will not take a login in the clear


def test_check_logs_in_to_both_servers(
    db: Database, mailbox: MailUser, smtp: SmtpServer, http: httpx.Client
) -> None:
    account = Account(SUPPORT, credentials=mail_credentials(mailbox, smtp))
    assert EMAIL.check(http, account) == SUPPORT
    with pytest.raises(CredentialsError, match=r"SMTP server .* refused the login"):
        EMAIL.check(http, Account(SUPPORT, credentials=mail_credentials(mailbox, smtp, smtp_password="x")))
    with pytest.raises(CredentialsError, match=r"IMAP server .* refused the login"):
        EMAIL.check(http, Account(SUPPORT, credentials=mail_credentials(mailbox, smtp, imap_password="x")))
