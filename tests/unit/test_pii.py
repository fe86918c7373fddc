"""Personal data in customer posts: what counts, what only looks like it, and redaction for logs.

Every number, address and name here is invented: phones come from the ranges reserved for drama and
examples (+44 7700 900xxx, 555-01xx), cards are the networks' published test numbers and IBANs the
registry's examples.
"""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Iterator

import pytest

from socialdesk.core.types import PiiSpan, PiiType
from socialdesk.triage.pii import RedactingFilter, find_pii, redact

EMAIL, PHONE, CARD, IBAN, ACCOUNT = PiiType.EMAIL, PiiType.PHONE, PiiType.CARD, PiiType.IBAN, PiiType.ACCOUNT

Found = list[tuple[PiiType, str]]


def fullwidth(text: str) -> str:
    """The fullwidth forms East Asian keyboards type for ASCII, built here so the source stays readable."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def arabic_indic(text: str) -> str:
    return text.translate({ord("0") + digit: 0x0660 + digit for digit in range(10)})


POSITIVES: list[tuple[str, Found]] = [
    # e-mail
    (
        "@SkylarkAir please email me at jane.doe+refund@mail.example.co.uk.",
        [(EMAIL, "jane.doe+refund@mail.example.co.uk")],
    ),
    ("📧jane@example.com for the invoice please", [(EMAIL, "jane@example.com")]),
    ("✉️priya.nair@example.com", [(EMAIL, "priya.nair@example.com")]),
    ("Mi correo es josé.garcía@example.es, gracias", [(EMAIL, "josé.garcía@example.es")]),
    ("mailto:m.rossi@posta.example.it", [(EMAIL, "m.rossi@posta.example.it")]),
    ("(write to priya_nair@example.com)", [(EMAIL, "priya_nair@example.com")]),
    ("my address is jane12345@example.com", [(EMAIL, "jane12345@example.com")]),
    # phones, international
    ("@SkylarkAir call me on +44 7700 900123 asap", [(PHONE, "+44 7700 900123")]),
    ("US number +1 (202) 555-0147 please", [(PHONE, "+1 (202) 555-0147")]),
    ("Rufen Sie mich an: +49 30 12345678", [(PHONE, "+49 30 12345678")]),
    ("from abroad dial 0044 7700 900123", [(PHONE, "0044 7700 900123")]),
    ("+33 6 12 34 56 78 c'est mon portable", [(PHONE, "+33 6 12 34 56 78")]),
    ("landline +44 (0)20 7946 0018 after 6pm", [(PHONE, "+44 (0)20 7946 0018")]),
    ("WhatsApp me on +4915112345678", [(PHONE, "+4915112345678")]),
    ("tel:+442079460018", [(PHONE, "+442079460018")]),
    ("reach me at (+44) 7700 900123", [(PHONE, "(+44) 7700 900123")]),
    # phones, national formats
    ("my mobile is 07700 900123, flight SK 1560 tomorrow", [(PHONE, "07700 900123")]),
    ("office (202) 555-0147, cell 202-555-0147", [(PHONE, "(202) 555-0147"), (PHONE, "202-555-0147")]),
    ("appelez-moi au 06 12 34 56 78 svp", [(PHONE, "06 12 34 56 78")]),
    ("ou au 06.12.34.56.78", [(PHONE, "06.12.34.56.78")]),
    ("Festnetz 030 1234567 oder (030) 1234568", [(PHONE, "030 1234567"), (PHONE, "(030) 1234568")]),
    ("Mi móvil es 612 345 678", [(PHONE, "612 345 678")]),
    ("nbsp pasted 07700\u00a0900123 from my phone", [(PHONE, "07700\u00a0900123")]),
    ("thin space 0161\u202f496\u202f0000", [(PHONE, "0161\u202f496\u202f0000")]),
    ("call me 20.11.2026 07700 900456", [(PHONE, "07700 900456")]),
    ("two numbers 07700 900123 07700 900456", [(PHONE, "07700 900123"), (PHONE, "07700 900456")]),
    # bare digit runs need a cue word
    ("my number is 07700900123", [(PHONE, "07700900123")]),
    ("07700900123 is my number", [(PHONE, "07700900123")]),
    ("Handynummer: 015112345678", [(PHONE, "015112345678")]),
    ("Teléfono 612345678, llamadme", [(PHONE, "612345678")]),
    ("Tel. 1234 5678", [(PHONE, "1234 5678")]),
    # cards
    ("charged twice on 4111 1111 1111 1111!!", [(CARD, "4111 1111 1111 1111")]),
    ("card 5555-5555-5555-4444 declined", [(CARD, "5555-5555-5555-4444")]),
    ("4111111111111111 exp 12/29", [(CARD, "4111111111111111")]),
    ("Amex 3782 822463 10005 was refused", [(CARD, "3782 822463 10005")]),
    ("customer number 4111 1111 1111 1111", [(CARD, "4111 1111 1111 1111")]),
    # IBANs
    ("please refund to GB82 WEST 1234 5698 7654 32 thanks", [(IBAN, "GB82 WEST 1234 5698 7654 32")]),
    ("IBAN: DE89 3704 0044 0532 0130 00", [(IBAN, "DE89 3704 0044 0532 0130 00")]),
    (
        "DE89370400440532013000 and NL91ABNA0417164300",
        [(IBAN, "DE89370400440532013000"), (IBAN, "NL91ABNA0417164300")],
    ),
    ("RIB FR14 2004 1010 0505 0001 3M02 606", [(IBAN, "FR14 2004 1010 0505 0001 3M02 606")]),
    ("typed small: gb82west12345698765432", [(IBAN, "gb82west12345698765432")]),
    ("account number DE89 3704 0044 0532 0130 00", [(IBAN, "DE89 3704 0044 0532 0130 00")]),
    # account, customer, order and booking numbers
    ("BA117 delayed again, booking ref QX7P2L", [(ACCOUNT, "QX7P2L")]),
    ("PNR: ABC123, 2 passengers", [(ACCOUNT, "ABC123")]),
    ("PNR ABCDEF for the return", [(ACCOUNT, "ABCDEF")]),
    ("my booking reference is HB2N6Y", [(ACCOUNT, "HB2N6Y")]),
    ("Ref. LC9H4T please", [(ACCOUNT, "LC9H4T")]),
    ("order 12345678 never arrived", [(ACCOUNT, "12345678")]),
    ("order number 12345678", [(ACCOUNT, "12345678")]),
    ("order #12345 please", [(ACCOUNT, "12345")]),
    ("Amazon order 123-4567890-1234567", [(ACCOUNT, "123-4567890-1234567")]),
    ("acct 1234-5678 was closed", [(ACCOUNT, "1234-5678")]),
    ("my frequent flyer number is 123456789", [(ACCOUNT, "123456789")]),
    ("loyalty no. 98765432", [(ACCOUNT, "98765432")]),
    ("policy number POL-123456", [(ACCOUNT, "POL-123456")]),
    ("customer ID: AB12345", [(ACCOUNT, "AB12345")]),
    ("Kundennummer: 12345678", [(ACCOUNT, "12345678")]),
    ("Kunden-Nr. 12345678", [(ACCOUNT, "12345678")]),
    ("Wann kommt die Rechnung für meine Buchung XP2W7L?", [(ACCOUNT, "XP2W7L")]),
    ("Buchungscode MV3K7Q, Danke!", [(ACCOUNT, "MV3K7Q")]),
    ("numéro de client : 87654321", [(ACCOUNT, "87654321")]),
    ("n° de réservation QX7P2L", [(ACCOUNT, "QX7P2L")]),
    ("número de cuenta 1234567890", [(ACCOUNT, "1234567890")]),
    ("Número de reserva: QX7P2L", [(ACCOUNT, "QX7P2L")]),
    ("numero d'ordine 55512345", [(ACCOUNT, "55512345")]),
    ("numero d\u2019ordine 55512345", [(ACCOUNT, "55512345")]),
    ("codice cliente 87654321", [(ACCOUNT, "87654321")]),
    ("klantnummer 12345678", [(ACCOUNT, "12345678")]),
    ("order 202-555-0147 is wrong", [(ACCOUNT, "202-555-0147")]),
    # several kinds in one post
    (
        "Booking ref QX7P2L, 3 passengers. My number is +44 7700 900123, email jane@example.com",
        [(ACCOUNT, "QX7P2L"), (PHONE, "+44 7700 900123"), (EMAIL, "jane@example.com")],
    ),
    ("my order 12345678 07700 900123", [(ACCOUNT, "12345678"), (PHONE, "07700 900123")]),
    ("customer number 07700 900123", [(PHONE, "07700 900123")]),
]

NEGATIVES: list[str] = [
    "",
    "@SkylarkAir @user thanks for nothing",
    "@alice@mastodon.social can you help?",
    "@skylarkair@mastodon.social 6am flight, 5:50 announcement, gate 9",
    "see https://mastodon.social/@alice and https://example.com/help",
    "my handle is @jane.doe on insta",
    "user@localhost is not an address",
    "flight on 2026-11-20 at 10:30",
    "back on 20/11/2026 or 11.20.2026",
    "Flug am 20.11.2026 um 10:30",
    "Flug am 20. 11. 2026",
    "from 2019 to 2026",
    "in 2019 2020 2021 you were fine",
    "it cost £55 and the bag fee 1,299.00",
    "€ 1 299,00 for a seat, $1,234,567.89 in fees",
    "BA117, SK 1560, LH 400 and FR8123 all late",
    "booking QX7 and a code QX7P2L with no cue",
    "up 12.5% / 100% this year",
    "iOS 17.4.1 and app version 10.2.3.4567",
    "tracking 12345678901234567890 says delivered",
    "router at 192.168.100.200 is fine",
    "tracking number 123456789012",
    "call me, tracking 123456789012",
    "ticket 12345678 and case 87654321",
    "call me between 10.30 - 12.45",
    "@115712 thanks https://t.co/ab12345678",
    "seat 23A, gate B12, 3 bags of 23 kg, 40x30x20 cm",
    "card ending 1111 was charged",
    "4111 1111 1111 1112 is not a card",
    "IBAN GB82 WEST 1234 5698 7654 33 has a typo",
    "Message us here quoting RF-220914 if anything goes wrong",
    "ticket INV-020-7946-0018 is attached",
    "see https://skylark.example/help/0161-496-0000 for the form",
    "my order arrived 3 days late, order 66, booking for 2 adults",
    "reference to your tweet from yesterday",
    "my ACCOUNT HACKED and ORDER CANCEL",
    "my booking ref PLEASE help",
    "order 2026-11-20 and order £49.99",
    "1Z999AA10123456784 is the UPS code",
    fullwidth("jane@example.com 07700 900123"),
    fullwidth("call me on +44 7700 900123"),
    arabic_indic("call me on 07700 900123"),
]


def found(text: str) -> Found:
    return [(span.type, text[span.start : span.end]) for span in find_pii(text)]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_finds_personal_data_with_exact_offsets(text: str, expected: Found) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_look_alikes_are_not_personal_data(text: str) -> None:
    assert find_pii(text) == []


@pytest.mark.parametrize("text", [text for text, _ in POSITIVES])
def test_spans_are_sorted_and_do_not_overlap(text: str) -> None:
    spans = find_pii(text)
    for before, after in itertools.pairwise(spans):
        assert before.end <= after.start
    assert all(0 <= span.start < span.end <= len(text) for span in spans)


def test_spans_are_the_core_type() -> None:
    assert find_pii("call +44 7700 900123") == [PiiSpan(PHONE, 5, 20)]


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("charged twice on 4111 1111 1111 1111!!", "charged twice on [card]!!"),
        ("call me on +44 7700 900123 or jane@example.com", "call me on [phone] or [email]"),
        ("IBAN: DE89 3704 0044 0532 0130 00.", "IBAN: [iban]."),
        ("booking ref QX7P2L, flight SK 1560 at 10:30", "booking ref [account], flight SK 1560 at 10:30"),
        ("Tel.\u00a0+49 30 12345678 🙏", "Tel.\u00a0[phone] 🙏"),
    ],
)
def test_redact_replaces_only_the_personal_data(text: str, redacted: str) -> None:
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "card 5555-5555-5555-4444 declined, call me on 07700 900123",
        "Amex 3782 822463 10005 and mobile (202) 555-0147",
        "WhatsApp +4915112345678 / Karte 4111111111111111",
    ],
)
def test_redacted_cards_and_phones_leave_no_digit_behind(text: str) -> None:
    assert {span.type for span in find_pii(text)} <= {CARD, PHONE}
    assert not any(char.isdigit() for char in redact(text))


@pytest.mark.parametrize("text", [text for text in NEGATIVES if text])
def test_redact_leaves_text_without_personal_data_alone(text: str) -> None:
    assert redact(text) == text


def test_redact_uses_the_spans_it_is_given() -> None:
    text = "call +44 7700 900123 or jane@example.com"
    only_email = [span for span in find_pii(text) if span.type is EMAIL]
    assert redact(text, only_email) == "call +44 7700 900123 or [email]"
    assert redact(text, []) == text


def test_redact_skips_overlapping_spans_it_is_given() -> None:
    text = "0123456789"
    spans = [PiiSpan(ACCOUNT, 2, 8), PiiSpan(PHONE, 0, 5)]
    assert redact(text, spans) == "[phone]89"


def test_empty_text() -> None:
    assert find_pii("") == []
    assert redact("") == ""


@pytest.mark.parametrize(
    "text",
    [
        "\ud800 lone surrogate 07700 900123",
        "\u202e07700 900123\u202c right-to-left override",
        "e\u0301mail jane@example.com with a combining accent",
        "\x00\x01\x02 control characters 4111 1111 1111 1111",
        arabic_indic("07700 900123 arabic-indic digits"),
        fullwidth("+44 7700 900123 fullwidth"),
        fullwidth("4111 1111 1111 1111") + " 07700 900123",
        "@" * 500 + "a@" * 500,
        "1 " * 2000,
        "+" * 300 + "(" * 300 + "07700 900123" + ")" * 300,
    ],
)
def test_odd_text_never_crashes_and_spans_stay_in_bounds(text: str) -> None:
    spans = find_pii(text)
    assert all(0 <= span.start < span.end <= len(text) for span in spans)
    assert isinstance(redact(text), str)


def test_only_ascii_digits_count() -> None:
    text = f"call {fullwidth('+44 7700 900123')} or {arabic_indic('07700900123')} or 07700 900123"
    assert found(text) == [(PHONE, "07700 900123")]


def test_very_long_text_finds_every_occurrence_at_the_right_place() -> None:
    post = "@SkylarkAir flight SK 1210 on 2026-11-20 at 10:30, call me on +44 7700 900123, ref QX7P2L. "
    text = post * 2000
    spans = find_pii(text)
    assert len(spans) == 4000
    assert {text[span.start : span.end] for span in spans} == {"+44 7700 900123", "QX7P2L"}
    assert redact(text) == post.replace("+44 7700 900123", "[phone]").replace("QX7P2L", "[account]") * 2000


# --- logging ----------------------------------------------------------------------------------------


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.unit.test_pii")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_filter_redacts_the_formatted_message_including_args(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("post from %s: %s", "jane@example.com", "call +44 7700 900123")
    assert stream.getvalue() == "INFO post from [email]: call [phone]\n"


def test_filter_leaves_only_redacted_args_to_format_again() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "card %s, %d%%", ("4111 1111 1111 1111", 5), None
    )
    assert RedactingFilter().filter(record) is True
    assert record.args == ("[card]", 5)
    assert record.getMessage() == "card [card], 5%"


def test_personal_data_split_across_format_and_args_clears_the_args() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "mail jane@%s", ("example.com",), None)
    assert RedactingFilter().filter(record) is True
    assert (record.msg, record.args) == ("mail [email]", None)


def test_uvicorns_access_log_still_formats_and_is_redacted() -> None:
    """uvicorn's AccessFormatter unpacks the record's args (client, method, path, version, status)."""
    from uvicorn.logging import AccessFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s', use_colors=False)
    )
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.unit.test_pii.access")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        args = ("127.0.0.1:5000", "GET", "/inbox?q=jane@example.com", "1.1", 200)
        logger.warning('%s - "%s %s HTTP/%s" %d', *args)
        logger.warning('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5001", "GET", "/inbox", "1.1", 200)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines == [
        '127.0.0.1:5000 "GET /inbox?q=[email] HTTP/1.1" 200 OK',
        '127.0.0.1:5001 "GET /inbox HTTP/1.1" 200 OK',
    ]


def test_filter_keeps_messages_without_personal_data(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("flight %s delayed by %d minutes", "SK 1560", 45)
    assert stream.getvalue() == "INFO flight SK 1560 delayed by 45 minutes\n"


def test_filter_redacts_tracebacks(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    try:
        raise ValueError("cannot parse 4111 1111 1111 1111 from jane@example.com")
    except ValueError:
        logger.exception("import failed")
    output = stream.getvalue()
    assert "ValueError: cannot parse [card] from [email]" in output
    assert "4111" not in output
    assert "jane@" not in output


def test_filter_survives_a_bad_format_string(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("%d posts", "jane@example.com")
    output = stream.getvalue()
    assert output.startswith("INFO %d posts")
    assert "[email]" in output
    assert "jane@" not in output
