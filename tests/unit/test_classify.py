"""`socialdesk classify`: JSON lines in, one record per line out, in order, whatever the input holds."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from socialdesk.cli import cli
from socialdesk.triage.batch import MAX_LINE_BYTES

GOOD = {"id": 1, "text": "@SkylarkAir my bag never arrived in Madrid, call me +44 7700 900123", "lang": "en"}


def classify(stdin: str | bytes, *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["classify", *args], input=stdin)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_every_field_is_written_for_a_good_line() -> None:
    [row] = classify(json.dumps(GOOD) + "\n")
    assert set(row) >= {
        "id",
        "language",
        "sentiment",
        "sentiment_scores",
        "intent",
        "is_complaint",
        "topics",
        "urgency",
        "places",
        "pii",
    }
    assert row["id"] == 1
    assert row["language"] == "en"
    assert row["sentiment"] in {"negative", "neutral", "positive"}
    scores = row["sentiment_scores"]
    assert isinstance(scores, dict)
    assert abs(sum(scores.values()) - 1) < 1e-3
    assert row["topics"] == []
    assert isinstance(row["urgency"], float)
    assert [p["country"] for p in row["places"]] == ["ES"]
    [span] = row["pii"]
    assert span["type"] == "phone"
    assert str(GOOD["text"])[span["start"] : span["end"]] == "+44 7700 900123"


def test_bad_lines_become_error_records_in_place_and_the_stream_goes_on() -> None:
    huge = json.dumps({"id": "big", "text": "x" * (MAX_LINE_BYTES + 5)})
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({"id": 7}),
        json.dumps({"id": 8, "text": 42}),
        huge,
        json.dumps({"id": 9, "text": "hi", "geo": {"lat": 200, "lon": 0}}),
        '["a list"]',
        json.dumps({"id": 10, "text": "bad \\ud800 surrogate"}).replace("\\\\ud800", "\\ud800"),
        "",
        json.dumps({**GOOD, "id": "last"}),
    ]
    rows = classify("\n".join(lines) + "\n", "--batch-size", "3")
    assert [r.get("id") for r in rows] == [1, None, 7, 8, None, 9, None, 10, "last"]
    errors = [r.get("error") for r in rows]
    assert errors[0] is None
    assert errors[-1] is None
    assert str(errors[1]).startswith("invalid JSON")
    assert errors[2] == "text is missing or not a string"
    assert errors[3] == "text is missing or not a string"
    assert errors[4] == f"line is longer than {MAX_LINE_BYTES} bytes"
    assert errors[5] == "geo is outside the globe"
    assert errors[6] == "line is not a JSON object"
    assert errors[7] == "text is not valid Unicode (lone surrogate)"


def test_invalid_utf8_and_odd_unicode() -> None:
    odd = json.dumps(
        {"id": "u", "text": "family 👨\u200d👩\u200d👧 stuck at gate, شكرا Skylark ✈️"}, ensure_ascii=False
    )
    rows = classify(b"\xff\xfe garbage\n" + odd.encode() + b"\n")
    assert rows[0] == {"id": None, "error": "line is not valid UTF-8"}
    assert rows[1]["id"] == "u"
    assert "error" not in rows[1]


def test_order_is_kept_across_batches() -> None:
    lines = "\n".join(json.dumps({"id": i, "text": f"message number {i}"}) for i in range(25))
    assert [r["id"] for r in classify(lines, "--batch-size", "4")] == list(range(25))
