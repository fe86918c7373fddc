"""SocialDesk's JSONL archive format: every field checked, every bad line reported, nothing altered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from socialdesk.core.errors import ImportFileError
from socialdesk.core.types import Direction, Geo, InboundPost, RowError
from socialdesk.importers import open_archive
from socialdesk.importers.jsonl import MAX_LINE_BYTES, JsonlReader

GOOD: dict[str, Any] = {
    "network": "x",
    "external_id": "1861234567890123456",
    "direction": "inbound",
    "channel": "SkylarkAir",
    "author_id": "987",
    "author_handle": "marta_v",
    "author_name": "Marta",
    "text": "@SkylarkAir stranded at Schiphol, flight cancelled 😡",
    "created_at": "2026-11-20T07:12:00+01:00",
    "in_reply_to": None,
    "private": False,
    "lang": "en",
    "geo": {"lat": 52.3105, "lon": 4.7683},
    "user_location": "Utrecht",
}


def read(tmp_path: Path, *lines: str | bytes) -> list[tuple[int, InboundPost | RowError]]:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b"\n".join(line.encode() if isinstance(line, str) else line for line in lines) + b"\n")
    return list(JsonlReader(path).rows())


def test_a_good_line_becomes_a_post(tmp_path: Path) -> None:
    [(line, post)] = read(tmp_path, json.dumps(GOOD))
    assert line == 1
    assert isinstance(post, InboundPost)
    assert post.direction is Direction.INBOUND
    assert post.text == GOOD["text"]
    assert post.created_at.isoformat() == "2026-11-20T06:12:00+00:00"
    assert post.geo == Geo(52.3105, 4.7683)
    assert post.channel == "SkylarkAir"
    assert post.raw == GOOD


def test_odd_unicode_is_kept_exactly(tmp_path: Path) -> None:
    texts = [
        "family 👨\u200d👩\u200d👧\u200d👦 stuck at gate B12",
        "cafe\u0301 au lait was cold (combining accent)",
        "شكرا Skylark for the help ✈️",
        "zero\u200bwidth and a BOM\ufeff inside",
    ]
    rows = read(
        tmp_path, *[json.dumps({**GOOD, "external_id": str(i), "text": t}) for i, t in enumerate(texts)]
    )
    assert [row.text for _, row in rows if isinstance(row, InboundPost)] == texts


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"network": "myspace"}, "unknown network 'myspace'"),
        ({"direction": "sideways"}, "direction must be 'inbound' or 'outbound', not 'sideways'"),
        ({"external_id": None}, "external_id is missing"),
        ({"external_id": "  "}, "external_id is empty"),
        ({"text": ""}, "text is empty"),
        ({"text": 42.5}, "text must be a string"),
        ({"text": "a\u0000b"}, "text contains a NUL character"),
        ({"text": "bad \ud83d half emoji"}, "text is not valid UTF-8/Unicode"),
        (
            {"created_at": "2026-11-20 07:12"},
            "created_at '2026-11-20 07:12' is not an ISO 8601 timestamp with an offset",
        ),
        ({"created_at": "last tuesday"}, "is not an ISO 8601 timestamp"),
        ({"private": "yes"}, "private must be true or false"),
        ({"geo": {"lat": 95, "lon": 0}}, "is outside the globe"),
        ({"geo": {"lat": "52", "lon": 4}}, "geo.lat and geo.lon must be numbers"),
        ({"geo": [52, 4]}, "geo must be an object"),
        ({"raw": "string"}, "raw must be a JSON object"),
        ({"external_id": "9" * 600}, "external_id is longer than 512 characters"),
    ],
)
def test_each_bad_field_is_reported_with_its_reason(
    tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    [(_, row)] = read(tmp_path, json.dumps({**GOOD, **change}))
    assert isinstance(row, RowError)
    assert reason in row.reason


def test_bad_lines_are_reported_and_the_stream_goes_on(tmp_path: Path) -> None:
    rows = read(
        tmp_path,
        "{not json",
        "[1, 2, 3]",
        b"\xff\xfe broken bytes",
        "",
        json.dumps(GOOD),
    )
    assert [(line, type(row).__name__) for line, row in rows] == [
        (1, "RowError"),
        (2, "RowError"),
        (3, "RowError"),
        (5, "InboundPost"),
    ]
    reasons = [row.reason for _, row in rows if isinstance(row, RowError)]
    assert reasons[0].startswith("invalid JSON")
    assert reasons[1] == "line is not a JSON object"
    assert reasons[2] == "line is not valid UTF-8 (byte 0)"


def test_a_huge_line_is_skipped_without_reading_it_into_memory(tmp_path: Path) -> None:
    huge = json.dumps({**GOOD, "text": "x" * (MAX_LINE_BYTES + 10)})
    rows = read(tmp_path, huge, json.dumps(GOOD))
    assert isinstance(rows[0][1], RowError)
    assert rows[0][1].reason == f"line is longer than {MAX_LINE_BYTES} bytes"
    assert isinstance(rows[1][1], InboundPost)
    assert rows[1][0] == 2


def test_the_format_is_recognised_from_name_or_content(tmp_path: Path) -> None:
    unnamed = tmp_path / "export.txt"
    unnamed.write_text(json.dumps(GOOD) + "\n")
    assert isinstance(open_archive(unnamed), JsonlReader)
    mystery = tmp_path / "mystery.txt"
    mystery.write_text("hello world\n")
    with pytest.raises(ImportFileError, match="cannot tell the format"):
        open_archive(mystery)
    with pytest.raises(ImportFileError, match="does not exist"):
        open_archive(tmp_path / "nope.jsonl")
