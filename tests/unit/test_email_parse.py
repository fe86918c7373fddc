"""The e-mail parser on every recorded message (tests/fixtures/email), and `channels parse` over them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from socialdesk.channels import connector
from socialdesk.channels.base import Account
from socialdesk.cli import cli
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, InboundPost
from tests.channels import FIXTURES, fixture

EMAIL = connector("email")
SUPPORT = Account(handle="support@acme.example")
ROOT = "<5c1e7b0a-3f2d-4e8b-9a61-0d2f4c7e91b3@example.com>"  # Maria's first message
KEVIN_ROOT = "<CAJx8gV2mR0+Zt0Yk3w5pQe7nL1sT9uD4bF6hA2cK8jW3oE5vXg@mail.gmail.example>"


def post(name: str, account: Account | None = SUPPORT) -> InboundPost:
    (found,) = EMAIL.parse(fixture("email", name), account)
    assert isinstance(found, InboundPost)
    return found


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_plain_new_question() -> None:
    p = post("plain__new_question.eml")
    assert p.network == "email"
    assert p.external_id == ROOT
    assert p.direction is Direction.INBOUND
    assert (p.author_id, p.author_handle, p.author_name) == (
        "maria.lopez@example.com",
        "maria.lopez@example.com",
        "Maria Lopez",
    )
    # CRLF line ends become "\n"; the signature after "-- " stays, as written.
    assert p.text == (
        "Hello,\n\nI ordered a kettle (order #48213) on 12 November and the tracking page\n"
        'still says "label created". Could you tell me where it is?\n\nThanks,\nMaria\n\n'
        "-- \nMaria Lopez\n+44 20 7946 0958"
    )
    assert p.created_at == at("2026-11-23T08:14:02")  # Date: 09:14:02 +0100
    assert p.in_reply_to is None
    assert p.conversation_key == ROOT  # a thread's first message is its own conversation
    assert p.private is True
    assert p.channel == "support@acme.example"
    assert p.raw == {
        "subject": "Order #48213 has not arrived",
        "message_id": ROOT,
        "references": [],
        "headers": {
            "from": "Maria Lopez <maria.lopez@example.com>",
            "to": "support@acme.example",
            "date": "Mon, 23 Nov 2026 09:14:02 +0100",
            "content-type": 'text/plain; charset="UTF-8"',  # decoded and re-rendered
        },
    }


def test_reply_in_thread_joins_the_first_message_s_conversation() -> None:
    p = post("reply__in_thread.eml")
    assert p.external_id == "<a8f2c3d4-77e1-4b0c-8d55-6e1f0b2a9c47@example.com>"
    assert p.in_reply_to == "<3f9a1c0e5b7d4e2a8c6b0d1e2f3a4b5c@acme.example>"
    assert p.conversation_key == ROOT  # the first id in References
    assert p.raw is not None
    assert p.raw["references"] == [ROOT, "<3f9a1c0e5b7d4e2a8c6b0d1e2f3a4b5c@acme.example>"]
    assert p.raw["subject"] == "Re: Order #48213 has not arrived"
    # The quoted earlier message is part of what the customer sent.
    assert p.text == (
        "It still hasn't come. The courier's site now says \"delivered\" but\n"
        "nothing was left at my door \u2013 can you open a claim?\n\n"
        "On 24/11/2026 10:31, Acme Support wrote:\n"
        "> Hi Maria,\n>\n"
        "> Sorry for the wait. The parcel left our warehouse yesterday and should\n"
        "> reach you tomorrow.\n>\n> Best regards,\n> Sam, Acme Support"
    )
    assert p.created_at == at("2026-11-24T18:02:47")


def test_html_only_outlook_mail_becomes_plain_text() -> None:
    p = post("html_only.eml")
    assert p.author_name == "Claire Dubois"
    assert p.text == (
        "Bonjour,\n\n"
        "Ma commande n° 48377 est arrivée abîmée\xa0: la boîte était ouverte & le couvercle cassé. "
        "Voici la page de la commande (https://acme.example/orders/48377).\n\n"
        "Je voudrais un remplacement, s\u2019il vous plaît.\nMerci d\u2019avance\n\n"
        "Claire Dubois"
    )
    assert p.raw is not None
    assert p.raw["subject"] == "Commande 48377 arrivée abîmée"
    assert p.raw["text_from_html"] is True


def test_multipart_alternative_takes_the_plain_version() -> None:
    p = post("multipart_alternative.eml")
    assert p.external_id == KEVIN_ROOT
    assert p.text == (
        "Hi there,\n\nI returned the blender (RMA 7731) two weeks ago and haven\u2019t seen the refund yet. "
        "Can you check?\n\nKevin"
    )
    assert p.created_at == at("2026-11-26T22:05:33")  # -0800
    assert p.raw is not None
    assert "text_from_html" not in p.raw


def test_quoted_printable_latin1_read_as_windows_1252() -> None:
    p = post("quoted_printable_latin1.eml")
    assert p.author_name == "Jörg Weiß"
    assert p.raw is not None
    assert p.raw["subject"] == "Rückfrage zur Garantie"
    # Soft line breaks joined, =3D decoded; =80 (€), =96 (en dash) and =92 (right quote) are
    # Windows-1252, which is what mail labelled ISO-8859-1 is written in.
    assert p.text == (
        "Guten Tag,\n\n"
        "mein Wasserkocher (Modell K-200) schaltet sich nach 10 Sekunden ab. Gilt da noch die Garantie? "
        "Das Gerät ist 14 Monate alt, Preis 49,90 €.\n"
        "Formel laut Anleitung: Leistung = 2200 W \u2013 das stimmt nicht. "
        "It\u2019s übrigens mein zweites.\n\n"
        "Grüße\nJörg Weiß"
    )


def test_base64_utf8_body_and_rfc2047_headers() -> None:
    p = post("base64_utf8_subject_rfc2047.eml")
    assert p.author_name == "佐藤 花子"
    assert p.raw is not None
    assert p.raw["subject"] == "マグカップが割れていました 😢"
    assert p.text == (
        "こんにちは。\n注文番号 51022 のマグカップが割れて届きました 😢\n"
        "交換をお願いできますか\uff1f\n\n佐藤 花子"
    )
    assert p.created_at == at("2026-11-28T01:03:27")  # +0900


def test_iso_2022_jp() -> None:
    p = post("charset__iso_2022_jp.eml")
    assert p.text == "お世話になっております。\n請求書の宛名を変更できますか。"
    assert p.raw is not None
    assert p.raw["subject"] == "請求書について"


def test_mislabelled_and_unknown_charsets_are_read_as_utf8() -> None:
    p = post("charset__mislabelled.eml")
    # Two inline text parts of a multipart/mixed, in order.
    assert p.text == "Olá, meu pedido nº 50110 ainda não chegou.\nObrigada, Ana — São Paulo"


def test_format_flowed_is_unflowed() -> None:
    p = post("format_flowed.eml")
    assert p.text == (
        "Thanks, the label printed fine. One question though: the box I have is a little bigger than "
        "the one you described, is that a problem for the courier?\n"
        "From what I read on your site it should be OK.\n\n"  # the space-stuffing is undone
        "Am 30.11.2026 um 17:02 schrieb Acme Support:\n"
        "> Please print the attached label and stick it on the parcel. Drop it at any post office "
        "within 14 days.\n>\n> Sam\n\n"
        "-- \nLena"  # the signature separator is never a soft break
    )
    assert p.in_reply_to == "<7b2e9f0c1a3d4b5e6f708192a3b4c5d6@acme.example>"
    assert p.conversation_key == "<7b2e9f0c1a3d4b5e6f708192a3b4c5d6@acme.example>"


def test_format_flowed_delsp_drops_the_space_before_soft_breaks() -> None:
    p = post("format_flowed__delsp.eml")
    assert p.text == (
        "My toaster stopped working after three weeks. Is it covered by the warranty, and do I need "
        "the receipt?\n\nSent from my iPhone"
    )
    assert p.external_id == "<1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9@example.net>"  # Message-Id spelling


def test_attachments_are_noted_not_text() -> None:
    p = post("with_attachment.eml")
    assert p.author_name == "O'Brien, Sean"
    assert p.text == "Hi,\n\nThe invoice and a photo of the cracked lid are attached.\n\nSean"
    assert p.raw is not None
    assert p.raw["attachments"] == [
        {"content_type": "application/pdf", "filename": "invoice-48390.pdf", "size": 69},
        {"content_type": "image/jpeg", "filename": "lid.jpg", "size": 22},
    ]
    assert p.raw["headers"]["cc"] == "accounts@example.ie"


def test_mail_from_the_support_address_is_outbound() -> None:
    p = post("outbound__from_support.eml")
    assert p.direction is Direction.OUTBOUND  # From differs from the handle only in case
    assert p.author_id == "support@acme.example"
    assert p.author_handle == "Support@Acme.example"
    assert p.in_reply_to == ROOT
    assert p.conversation_key == ROOT
    assert post("outbound__from_support.eml", account=None).direction is Direction.INBOUND


def test_auto_reply_is_a_post_flagged_as_automatic() -> None:
    p = post("auto_reply.eml")
    assert p.text == "I'm travelling until 4 December with limited access to e-mail."
    assert p.raw is not None
    assert p.raw["auto"] == "auto-replied"
    assert p.conversation_key == KEVIN_ROOT
    assert p.in_reply_to == "<9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b@acme.example>"


def test_bounce_is_threaded_to_the_reply_that_bounced() -> None:
    p = post("bounce__dsn.eml")
    assert p.author_id == "mailer-daemon@mx.acme.example"
    assert p.author_name == "Mail Delivery System"  # the name is a comment in this From
    assert p.in_reply_to == "<0d4c1f9b2e7a4c58b3e6a9d0f1c2b3a4@acme.example>"
    assert p.conversation_key == KEVIN_ROOT  # the bounced reply's first reference
    assert p.text.startswith("This is the mail system at host mx.acme.example.\n\nI'm sorry")
    assert p.text.endswith("    (in reply to RCPT TO command)")
    assert p.raw is not None
    assert p.raw["auto"] == "bounce"
    assert p.raw["bounce_of"] == "<0d4c1f9b2e7a4c58b3e6a9d0f1c2b3a4@acme.example>"
    assert p.raw["delivery_status"] == [
        {
            "final-recipient": "rfc822; kevin.park@gmail.example",
            "action": "failed",
            "status": "5.1.1",
            "diagnostic-code": "smtp; 550-5.1.1 The email account that you tried to reach does not exist.",
        }
    ]
    assert p.created_at == at("2026-12-03T07:12:40")


def test_read_receipt_carries_no_post() -> None:
    assert EMAIL.parse(fixture("email", "read_receipt__mdn.eml"), SUPPORT) == []


def test_message_without_message_id_gets_a_stable_id() -> None:
    data = fixture("email", "no_message_id.eml")
    p = post("no_message_id.eml")
    assert p.external_id.startswith("<")
    assert p.external_id.endswith("@no-message-id.socialdesk.invalid>")
    assert p.conversation_key == p.external_id
    assert p.raw is not None
    assert p.raw["message_id_derived"] is True
    assert p.raw["message_id"] is None
    (again,) = EMAIL.parse(data.replace(b"\n", b"\r\n"), SUPPORT)  # the same message from IMAP
    assert isinstance(again, InboundPost)
    assert again.external_id == p.external_id
    (other,) = EMAIL.parse(data.replace(b"Sunday", b"Saturday"), SUPPORT)
    assert isinstance(other, InboundPost)
    assert other.external_id != p.external_id


def test_no_date_falls_back_to_the_newest_received_header() -> None:
    p = post("no_date__received_only.eml")
    assert p.created_at == at("2026-12-03T15:04:10")  # 15:04:10 UTC beats 16:04:02 +0100
    assert p.author_name is None


def test_undated_message_takes_the_mailbox_arrival_time_or_is_refused() -> None:
    with pytest.raises(PayloadError, match="no readable Date"):
        EMAIL.parse(fixture("email", "hostile__undated.eml"))
    from socialdesk.channels.email.message import parse_message

    arrived = at("2026-12-04T10:00:00")
    (p,) = parse_message(fixture("email", "hostile__undated.eml"), SUPPORT, arrived)
    assert p.created_at == arrived


def test_raw_8bit_headers_are_decoded() -> None:
    p = post("headers__raw_8bit.eml")
    assert p.author_name == "René Dupont"  # Latin-1 bytes, not UTF-8: read as Windows-1252
    assert p.raw is not None
    assert p.raw["subject"] == "Problème de facturation \u2013 commande 48501"
    assert p.text == "J'ai été facturé deux fois."


def test_odd_unicode_is_kept_and_nul_replaced() -> None:
    p = post("hostile__odd_unicode.eml")
    assert p.author_name == "نور الهدى"
    assert p.raw is not None
    assert p.raw["subject"] == "\u202egpj.exe"
    assert p.text == (
        "مرحبا، طلبي رقم \u200f48522\u200f لم يصل\u200f\n"
        "שלום \u202bעברית\u202c mixed\n"  # noqa: RUF001 (the letters are the point)
        "Family: 👨\u200d👩\u200d👧\u200d👦 flag: 🇸🇦 zero\u200bwidth Zalgo: Z\u0351\u0334a\u0336\u0327\n"
        "nul:\ufffd:end"  # no database text column holds a NUL
    )


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("hostile__no_from.eml", "the message has no From header"),
        ("hostile__from_without_address.eml", "From header holds no e-mail address"),
        ("hostile__binary.eml", "this is not an e-mail: it does not start with a header line"),
        ("hostile__no_headers.eml", "this is not an e-mail: it does not start with a header line"),
        ("hostile__truncated_mime.eml", "the message is cut off"),
        ("hostile__undated.eml", "no readable Date and no Received header"),
    ],
)
def test_hostile_messages_are_payload_errors(name: str, error: str) -> None:
    with pytest.raises(PayloadError, match=error):
        EMAIL.parse(fixture("email", name), SUPPORT)


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"", "the message is empty"),
        (b"Subject: x\x00y\r\nFrom: a@b.example\r\n\r\nhi", "NUL bytes"),
        (b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\nno parts", "cut off"),
        (
            b"From: a@b.example\r\nDate: Mon, 23 Nov 2026 09:14:02 +0100\r\nContent-Type: text/plain\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29y",
            None,  # a base64 body that happens to end on a block boundary is fine
        ),
        (
            b"From: a@b.example\r\nDate: Mon, 23 Nov 2026 09:14:02 +0100\r\nContent-Type: text/plain\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29yb",
            "base64 part ends in the middle",
        ),
        (
            b"From: " + b"x" * 400 + b"@example.com\r\nDate: Mon, 23 Nov 2026 09:14:02 +0100\r\n\r\nhi",
            "longer",
        ),
    ],
)
def test_malformed_input(payload: bytes, error: str | None) -> None:
    if error is None:
        (p,) = EMAIL.parse(payload)
        assert isinstance(p, InboundPost)
        assert p.text == "Hello wor"
        return
    with pytest.raises(PayloadError, match=error):
        EMAIL.parse(payload)


def test_ids_are_normalised_to_angle_brackets() -> None:
    payload = (
        b"From: a@b.example\r\nDate: Mon, 23 Nov 2026 09:14:02 +0100\r\nMessage-ID: bare-id@b.example\r\n"
        b"In-Reply-To: <first@x.example> (that one) <second@x.example>\r\n"
        b"References: junk <r1@x.example>\r\n <r2@x.example>\r\n\r\nhi"
    )
    (p,) = EMAIL.parse(payload)
    assert isinstance(p, InboundPost)
    assert p.external_id == "<bare-id@b.example>"
    assert p.in_reply_to == "<first@x.example>"
    assert p.conversation_key == "<r1@x.example>"


def test_mbox_files_are_split_into_messages() -> None:
    payloads = EMAIL.payloads(fixture("email", "mailbox__two_messages.mbox"))
    assert len(payloads) == 2
    first, second = (EMAIL.parse(p, SUPPORT)[0] for p in payloads)
    assert isinstance(first, InboundPost)
    assert isinstance(second, InboundPost)
    assert (first.external_id, first.text) == ("<mbox.1@example.com>", "One.")
    assert second.text == "Two.\nFrom here on it is quoted."  # mboxrd's ">From " undone
    assert EMAIL.payloads(b"  \n") == []
    assert EMAIL.payloads(fixture("email", "plain__new_question.eml")) == [
        fixture("email", "plain__new_question.eml")
    ]


# --- channels parse ---------------------------------------------------------------------------

ERRORS = {
    "hostile__binary.eml",
    "hostile__from_without_address.eml",
    "hostile__no_from.eml",
    "hostile__no_headers.eml",
    "hostile__truncated_mime.eml",
    "hostile__undated.eml",
}
SILENT = {"read_receipt__mdn.eml"}


def test_channels_parse_over_every_fixture() -> None:
    files = sorted((FIXTURES / "email").iterdir())
    assert len(files) >= 20
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "email", *map(str, files)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    errors = {line["file"].rsplit("/", 1)[-1]: line["error"] for line in lines if "error" in line}
    assert set(errors) == ERRORS
    assert all(isinstance(e, str) and e for e in errors.values())
    posts = [line for line in lines if "error" not in line]
    expected = len(files) - len(ERRORS) - len(SILENT) + 1  # the mbox holds two
    assert len(posts) == expected
    for record in posts:
        assert record["network"] == "email"
        assert record["private"] is True
        assert record["external_id"].startswith("<")
        assert record["external_id"].endswith(">")
        assert record["created_at"].endswith("Z")
        assert record["conversation_key"]
    by_id = {r["external_id"]: r for r in posts}
    assert by_id[ROOT]["author_id"] == "maria.lopez@example.com"
    assert by_id[ROOT]["created_at"] == "2026-11-23T08:14:02Z"
    assert by_id["<a8f2c3d4-77e1-4b0c-8d55-6e1f0b2a9c47@example.com>"]["conversation_key"] == ROOT


def test_channels_parse_accepts_the_mail_alias() -> None:
    path = FIXTURES / "email" / "plain__new_question.eml"
    result = CliRunner().invoke(cli, ["channels", "parse", "--network", "mail", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.output)["external_id"] == ROOT
