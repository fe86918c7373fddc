"""The e-mail connector's pieces that need no server: HTML to text, format=flowed, charsets, the reply
as composed for SMTP, the settings, and the IMAP response details."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from socialdesk.channels import connector
from socialdesk.channels.base import Account, HookRequest
from socialdesk.channels.email.body import decode_bytes, unflow
from socialdesk.channels.email.config import mail_config
from socialdesk.channels.email.html_text import html_to_text
from socialdesk.channels.email.mailbox import Folder, Mailbox, _records, folder_name, internaldate
from socialdesk.channels.email.message import reply_subject
from socialdesk.channels.email.sending import compose, reply_message_id
from socialdesk.core.errors import CredentialsError, PermanentSendError, SignatureError
from socialdesk.core.types import OutboundMessage

EMAIL = connector("email")
CREDENTIALS = {
    "imap_host": "imap.acme.example",
    "imap_user": "support@acme.example",
    "imap_password": " pass with spaces ",
    "smtp_host": "smtp.acme.example",
}
ACCOUNT = Account(handle="support@acme.example", credentials=CREDENTIALS)
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


# --- HTML ----------------------------------------------------------------------------------------


def test_html_paragraphs_breaks_and_entities() -> None:
    markup = (
        "<html><head><style>p{color:red}</style><title>T</title></head><body>"
        "<p>Hello&nbsp;there &amp; welcome,</p><p>My order <b>#123</b>\n never   arrived.<br>Line two"
        "<br><br>After a blank line</p><div>Thanks,</div><div>Jo</div><script>alert(1)</script></body></html>"
    )
    assert html_to_text(markup) == (
        "Hello\xa0there & welcome,\n\nMy order #123 never arrived.\nLine two\n\nAfter a blank line\n\n"
        "Thanks,\nJo"
    )


def test_html_quotes_links_lists_tables() -> None:
    markup = (
        '<div dir="ltr">Hi!<div><br></div><div>See <a href="https://acme.example/orders/5">my order</a>'
        ' and <a href="https://x.example/">https://x.example</a></div></div><br>'
        '<div class="gmail_quote"><div>On Mon, Support wrote:<br></div><blockquote>Hello<br>'
        "How can we help?<blockquote>deep</blockquote></blockquote></div>"
        "<ul><li>one</li><li>two<ol start=3><li>three</li></ol></li></ul>"
        "<table><tr><td>a</td><td>b</td></tr></table><img alt='😀'>"
    )
    assert html_to_text(markup) == (
        "Hi!\n\nSee my order (https://acme.example/orders/5) and https://x.example\n\n"
        "On Mon, Support wrote:\n> Hello\n> How can we help?\n>> deep\n"
        "- one\n- two\n  3. three\n\na b\n\n😀"
    )


def test_html_pre_and_broken_markup() -> None:
    assert html_to_text("<pre>  x = 1\n\n  y</pre>") == "  x = 1\n\n  y"
    # html.parser gives up on this marked section; the words between the tags still come through.
    assert html_to_text("<p>broken <b>markup <![weird stuff]> &amp; more<br>next") == (
        "broken markup & more\nnext"
    )


# --- format=flowed and charsets --------------------------------------------------------------------


def test_unflow() -> None:
    assert unflow("one \ntwo\nthree") == "one two\nthree"
    assert unflow("one \ntwo", delsp=True) == "onetwo"
    assert unflow("> quoted \n> on\n>> deeper \n>> still\nplain") == "> quoted on\n>> deeper still\nplain"
    assert unflow("> one \n>> two") == "> one \n>> two"  # a change of depth ends the paragraph
    assert unflow(" From the start\n-- \nsig") == "From the start\n-- \nsig"
    assert unflow("flowed at the end ") == "flowed at the end "


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ("naïve".encode("cp1252"), "iso-8859-1", "naïve"),
        (b"It\x92s", "ISO-8859-1", "It\u2019s"),  # Windows-1252's apostrophe
        ("naïve".encode(), "us-ascii", "naïve"),  # UTF-8 labelled ASCII
        ("naïve".encode(), None, "naïve"),
        ("naïve".encode(), "x-unknown", "naïve"),
        ("中文".encode("gb18030"), "gb2312", "中文"),
        ("한국어".encode("cp949"), "ks_c_5601-1987", "한국어"),
        ("日本".encode("cp932"), "shift_jis", "日本"),
        ("Привет".encode("koi8-r"), "koi8-r", "Привет"),
        (b"\xff\xfe", "utf-8", "\ufffd\ufffd"),  # not UTF-8 after all: marked, not guessed at
        (b"\x81\xe9", None, "\ufffdé"),  # no label, not UTF-8: Windows-1252 as the last word
        (b"abc", "us\x00ascii", "abc"),
    ],
)
def test_decode_bytes(data: bytes, charset: str | None, text: str) -> None:
    assert decode_bytes(data, charset) == text


# --- the reply ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "reply"),
    [
        ("Order #48213 has not arrived", "Re: Order #48213 has not arrived"),
        ("Re: Order", "Re: Order"),
        ("RE:Order", "RE:Order"),
        ("re [2]: Order", "re [2]: Order"),
        ("Reply needed", "Re: Reply needed"),
        ("", "Re:"),
        (None, "Re:"),
        ("two\r\n lines", "Re: two lines"),
    ],
)
def test_reply_subject(subject: str | None, reply: str) -> None:
    assert reply_subject(subject) == reply


def test_reply_message_id_is_deterministic() -> None:
    assert reply_message_id("3f9a1c0e5b7d4e2a", "acme.example") == "<3f9a1c0e5b7d4e2a@acme.example>"
    assert reply_message_id("socialdesk-post-12", "acme.example") == "<socialdesk-post-12@acme.example>"
    odd = reply_message_id("has space@and>bracket", "acme.example")
    assert odd == reply_message_id("has space@and>bracket", "acme.example")
    assert " " not in odd
    assert odd.count("@") == 1
    assert odd.endswith("@acme.example>")


def message(**extra: object) -> OutboundMessage:
    fields: dict[str, object] = {
        "network": "email",
        "text": "Hi Maria,\n\nit is on its way — sorry for the wait!\n\nSam",
        "private": True,
        "idempotency_key": "3f9a1c0e5b7d4e2a",
        "in_reply_to": "<a8f2@example.com>",
        "recipient_handle": "Maria.Lopez@example.com",
        "conversation_key": "<5c1e@example.com>",
        "subject": "Re: Order #48213 has not arrived",
    }
    fields.update(extra)
    return OutboundMessage(**fields)  # type: ignore[arg-type]


def test_compose_threads_the_reply() -> None:
    config = mail_config(
        Account(
            handle="support@acme.example", credentials=CREDENTIALS, settings={"from_name": "Acme Support"}
        )
    )
    mail = compose(config, message(), NOW)
    assert mail["From"] == "Acme Support <support@acme.example>"
    assert mail["To"] == "Maria.Lopez@example.com"
    assert mail["Subject"] == "Re: Order #48213 has not arrived"  # no second "Re:"
    assert mail["Message-ID"] == "<3f9a1c0e5b7d4e2a@acme.example>"
    assert mail["In-Reply-To"] == "<a8f2@example.com>"
    assert mail["References"] == "<5c1e@example.com> <a8f2@example.com>"
    assert mail["Date"] == "Tue, 01 Dec 2026 09:30:00 +0000"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    data = mail.as_bytes()
    assert b"\r\n" in data
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert (
        parsed.get_content().replace("\r\n", "\n")
        == "Hi Maria,\n\nit is on its way — sorry for the wait!\n\nSam\n"
    )


def test_compose_a_first_reply_without_thread_or_subject() -> None:
    mail = compose(mail_config(ACCOUNT), message(in_reply_to=None, conversation_key=None, subject=None), NOW)
    assert mail["Subject"] == "Re:"
    assert "In-Reply-To" not in mail
    assert "References" not in mail
    assert mail["From"] == "support@acme.example"
    root = compose(mail_config(ACCOUNT), message(in_reply_to="<5c1e@example.com>"), NOW)
    assert root["References"] == "<5c1e@example.com>"  # the root is the parent: named once


@pytest.mark.parametrize("recipient", [None, "", "not an address", "a@b.example\r\nBcc: x@y.example"])
def test_compose_refuses_a_missing_or_odd_recipient(recipient: str | None) -> None:
    with pytest.raises(PermanentSendError):
        compose(mail_config(ACCOUNT), message(recipient_handle=recipient), NOW)


def test_compose_keeps_long_lines_within_smtp_limits() -> None:
    mail = compose(mail_config(ACCOUNT), message(text="x" * 5000), NOW)
    assert mail["Content-Transfer-Encoding"] == "quoted-printable"
    assert max(len(line) for line in mail.as_bytes().split(b"\r\n")) <= 78


# --- settings -------------------------------------------------------------------------------------


def test_mail_config_defaults() -> None:
    config = mail_config(ACCOUNT)
    assert (config.imap.host, config.imap.port, config.imap.security) == ("imap.acme.example", 993, "ssl")
    assert (config.smtp.host, config.smtp.port, config.smtp.security) == (
        "smtp.acme.example",
        587,
        "starttls",
    )
    assert config.imap.password == " pass with spaces "  # taken as typed
    assert config.smtp.password is None
    assert config.smtp.user is None
    assert (config.folder, config.sent_folder, config.save_sent) == ("INBOX", "Sent", True)
    assert config.read_existing is True
    assert config.domain == "acme.example"
    assert "pass with spaces" not in repr(config)


def test_mail_config_smtp_login_defaults_to_the_imap_user() -> None:
    config = mail_config(
        Account(
            handle="Support@Acme.example",
            credentials={
                **CREDENTIALS,
                "smtp_password": "s",
                "smtp_security": "ssl",
                "imap_security": "none",
            },
            settings={"save_sent": "no", "imap_folder": "Support", "sent_folder": "Gesendet"},
        )
    )
    assert (config.smtp.user, config.smtp.port, config.imap.port) == ("support@acme.example", 465, 143)
    assert (config.folder, config.sent_folder, config.save_sent) == ("Support", "Gesendet", False)
    assert config.address == "support@acme.example"


@pytest.mark.parametrize(
    ("handle", "credentials", "settings", "error"),
    [
        ("support", CREDENTIALS, {}, "not an e-mail address"),
        ("support@acme.example", {**CREDENTIALS, "imap_host": ""}, {}, "no imap_host"),
        ("support@acme.example", {**CREDENTIALS, "smtp_security": "tls"}, {}, "smtp_security must be"),
        ("support@acme.example", {**CREDENTIALS, "imap_port": "99999"}, {}, "not a port"),
        ("support@acme.example", {**CREDENTIALS, "smtp_port": "x"}, {}, "not a number"),
        ("support@acme.example", CREDENTIALS, {"timeout": "never"}, "timeout"),
    ],
)
def test_mail_config_errors(
    handle: str, credentials: dict[str, str], settings: dict[str, str], error: str
) -> None:
    with pytest.raises(CredentialsError, match=error):
        mail_config(Account(handle=handle, credentials=credentials, settings=settings))


def test_connector_surface() -> None:
    assert EMAIL.network == "email"
    assert EMAIL.sources == ("inbox",)
    assert EMAIL.limits.max_text is None
    assert EMAIL.limits.actions == ()
    fields = {f.name: f for f in EMAIL.credential_fields}
    assert {n for n, f in fields.items() if f.secret} == {"imap_password", "smtp_password"}
    assert {n for n, f in fields.items() if f.required} == {
        "imap_host",
        "imap_user",
        "imap_password",
        "smtp_host",
    }
    request = HookRequest("POST", {}, {}, b"{}")
    assert EMAIL.handshake(request, ACCOUNT) is None
    with pytest.raises(SignatureError):
        EMAIL.verify(request, ACCOUNT)


# --- IMAP details ---------------------------------------------------------------------------------


def test_folder_names_are_modified_utf7_and_quoted() -> None:
    assert folder_name("INBOX") == '"INBOX"'
    assert folder_name("Sent Items") == '"Sent Items"'
    assert folder_name("Éléments envoyés") == '"&AMk-l&AOk-ments envoy&AOk-s"'
    assert folder_name("Tom & Jerry") == '"Tom &- Jerry"'
    assert folder_name('a"b\\c') == '"a\\"b\\\\c"'
    assert folder_name("日本語") == '"&ZeVnLIqe-"'  # RFC 3501 5.1.3's own example


def test_fetch_records_whatever_order_the_server_answers_in() -> None:
    data: list[object] = [
        (b'1 (UID 7 INTERNALDATE "17-Jul-2026 02:44:25 -0700" BODY[] {5}', b"hello"),
        b")",
        (b"2 (BODY[] {3}", b"bye"),
        b' UID 9 INTERNALDATE " 3-Dec-2026 07:12:40 +0000")',
        b"3 (FLAGS (\\Seen) UID 10)",  # an unsolicited flag update: no body
    ]
    records = list(_records(data))
    assert [(head.split(b" ")[0], body) for head, body in records] == [
        (b"1", b"hello"),
        (b"2", b"bye"),
        (b"3", None),
    ]
    assert b"UID 9" in records[1][0]
    assert internaldate(records[0][0]) == datetime(2026, 7, 17, 9, 44, 25, tzinfo=UTC)
    assert internaldate(records[1][0]) == datetime(2026, 12, 3, 7, 12, 40, tzinfo=UTC)
    assert internaldate(b'INTERNALDATE "31-Foo-2026 00:00:00 +0000"') is None


class _NoUidnextServer:
    """An IMAP connection whose server names no UIDNEXT and answers "n:*" as RFC 3501 says: with
    the highest UID in use even when n is above it."""

    uids = (3, 9, 12)

    def uid(self, command: str, *args: str) -> tuple[str, list[bytes]]:
        assert command == "SEARCH"
        low, _, high = args[0].removeprefix("UID ").partition(":")
        top = max(self.uids) if high == "*" else int(high)
        matched = [u for u in self.uids if min(int(low), top) <= u <= max(int(low), top)]
        return "OK", [" ".join(map(str, matched)).encode()]


def test_new_uids_without_uidnext_filter_the_star_quirk() -> None:
    box = Mailbox(_NoUidnextServer())  # type: ignore[arg-type]
    folder = Folder(validity=1, uidnext=None)
    assert box.uids_after(0, folder, enough=51).uids == [3, 9, 12]
    assert box.uids_after(9, folder, enough=51).uids == [12]
    nothing = box.uids_after(12, folder, enough=51)  # "13:*" matches 12
    assert (nothing.uids, nothing.searched_to) == ([], 12)
