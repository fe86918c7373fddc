"""Bluesky's text rules: grapheme counts, facets in UTF-8 byte offsets, record keys, timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialdesk.channels import connector
from socialdesk.channels.bluesky import parse, text


@pytest.mark.parametrize(
    ("sample", "count"),
    [
        ("", 0),
        ("hello", 5),
        # the cases atproto's own grapheme tests check (packages/lex/lex-data)
        ("a~öñ©⽘☎𓋓😀👨\u200d👩\u200d👧\u200d👧", 10),
        ("नमस्ते", 3),  # GB9c: consonant + virama + consonant is one cluster
        ("👍🏽", 1),  # skin tone modifier
        ("👩🏽\u200d✈️", 1),  # ZWJ sequence with a modifier and a variation selector
        ("🏳️\u200d🌈", 1),
        ("🇫🇷🇩🇪", 2),  # flags pair up regional indicators
        ("🇫🇷🇩", 2),
        ("e\u0301", 1),  # combining acute
        ("Z\u0334\u0321\u031ba\u0337", 2),  # stacked combining marks
        ("한국어", 3),
        ("\u1112\u1161\u11ab", 1),  # conjoining jamo: one syllable
        ("\r\n", 1),
        ("a\r\nb", 3),
        (
            "\u200f\u05e9\u05dc\u05d5\u05dd\u200f",
            6,
        ),  # a right-to-left mark is a control: a cluster of its own
        ("ก\u0e33", 1),  # Thai SARA AM is a spacing mark
        ("\u0600\u0661", 1),  # Arabic number sign prepends
    ],
)
def test_graphemes(sample: str, count: int) -> None:
    assert text.graphemes(sample) == count


def test_a_post_is_limited_in_graphemes_not_code_points() -> None:
    family = "👨\u200d👩\u200d👧\u200d👧"  # 7 code points, 25 UTF-8 bytes, one grapheme
    assert text.graphemes(family * 120) == 120 <= connector("bluesky").limits.max_text  # type: ignore[operator]
    assert len(family * 120) == 840
    assert connector("bluesky").text_length(family * 120) == 120  # type: ignore[attr-defined]


def test_spans_give_utf8_byte_offsets() -> None:
    wording = "Hola @carmen.example.com 👋🏽 mira https://acme.example/ayuda?caso=42). #Equipaje #2026 café"
    found = text.spans(wording)
    data = wording.encode()
    assert [(s.kind, s.value, data[s.start : s.end].decode()) for s in found] == [
        ("mention", "carmen.example.com", "@carmen.example.com"),
        ("link", "https://acme.example/ayuda?caso=42", "https://acme.example/ayuda?caso=42"),
        ("tag", "Equipaje", "#Equipaje"),
    ]  # "#2026" is all digits: no tag; the ")." after the link is not part of it
    assert found[1].start == len("Hola @carmen.example.com 👋🏽 mira ".encode())


def test_spans_leave_emails_and_handles_inside_words_alone() -> None:
    assert text.spans("write to help@acme.example or see foo@bar.com") == []


def test_a_link_keeps_balanced_parentheses() -> None:
    (link,) = text.spans("see https://en.wikipedia.org/wiki/Acme_(company) now")
    assert link.value == "https://en.wikipedia.org/wiki/Acme_(company)"


def test_tids_are_valid_sortable_and_deterministic() -> None:
    assert text.tid(1725911162329308, 5) == "3l3qo2vxaaw27"
    written = datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=UTC)
    first = text.deterministic_tid("socialdesk-post-1", written)
    assert first == text.deterministic_tid("socialdesk-post-1", written)
    assert first != text.deterministic_tid("socialdesk-post-2", written)
    later = text.deterministic_tid("socialdesk-post-1", datetime(2026, 11, 20, 9, 0, 1, tzinfo=UTC))
    assert first < later  # TIDs sort by time
    assert text.TID_PATTERN.match(first)
    assert text.TID_PATTERN.match(later)
    naive = text.deterministic_tid("socialdesk-post-1", written.replace(tzinfo=None))
    assert naive == first  # SQLite hands back naive UTC
    assert text.TID_PATTERN.match(text.deterministic_tid("socialdesk-post-1", None))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T09:00:00.123Z", datetime(2026, 11, 20, 9, 0, 0, 123000, tzinfo=UTC)),
        ("2026-11-20T09:00:00Z", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("2026-11-20T10:00:00+01:00", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("2026-11-20T09:00:00.123456789Z", datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-20T09:00:00", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_timestamps(value: object, expected: datetime | None) -> None:
    assert parse.timestamp(value) == expected
