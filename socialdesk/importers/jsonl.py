"""SocialDesk's own archive format: JSON Lines, one normalised post per line.

Fields (docs/import-formats.md has the full table): network, external_id, direction, author_id,
author_handle, text, created_at (ISO 8601 with offset) are required; channel, author_name, in_reply_to,
private, conversation_key, lang, geo {lat, lon}, user_location and raw are optional.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from socialdesk.channels import NETWORKS
from socialdesk.core.types import Direction, Geo, InboundPost, RowError
from socialdesk.importers.fields import parse_iso_timestamp, text_problem

MAX_LINE_BYTES = 1_000_000
MAX_ID_CHARS = 512


class _Reject(Exception):
    pass


def iter_lines(handle: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line number, bytes) for each non-blank line; bytes is None for a line over `limit`.

    Reads at most `limit` bytes at a time, so one enormous line cannot exhaust memory.
    """
    number = 0
    while True:
        chunk = handle.readline(limit + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > limit and not chunk.endswith(b"\n"):
            while True:  # skip the rest of the oversized line
                more = handle.readline(limit)
                if not more or more.endswith(b"\n"):
                    break
            yield number, None
            continue
        if chunk.strip():
            yield number, chunk


def _optional(record: dict[str, Any], name: str, max_chars: int | None = None) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Reject(f"{name} must be a string")
    value = str(value)
    problem = text_problem(value, name)
    if problem:
        raise _Reject(problem)
    if max_chars is not None and len(value) > max_chars:
        raise _Reject(f"{name} is longer than {max_chars} characters")
    return value


def _required(record: dict[str, Any], name: str, max_chars: int | None = None) -> str:
    value = _optional(record, name, max_chars)
    if value is None:
        raise _Reject(f"{name} is missing")
    if not value.strip():
        raise _Reject(f"{name} is empty")
    return value


def _geo(value: Any) -> Geo | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Reject("geo must be an object with lat and lon")
    lat, lon = value.get("lat"), value.get("lon")
    if not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lon)
    ):
        raise _Reject("geo.lat and geo.lon must be numbers")
    assert isinstance(lat, int | float)
    assert isinstance(lon, int | float)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _Reject(f"geo ({lat}, {lon}) is outside the globe")
    return Geo(float(lat), float(lon))


def parse_record(record: Any) -> InboundPost:
    """Turn one decoded JSON value into a post; raises _Reject with the reason otherwise."""
    if not isinstance(record, dict):
        raise _Reject("line is not a JSON object")
    network = _required(record, "network")
    if network not in NETWORKS:
        raise _Reject(f"unknown network {network!r} (known: {', '.join(NETWORKS)})")
    direction_value = record.get("direction")
    try:
        direction = Direction(str(direction_value))
    except ValueError:
        raise _Reject(f"direction must be 'inbound' or 'outbound', not {direction_value!r}") from None
    created_raw = _required(record, "created_at")
    try:
        created_at = parse_iso_timestamp(created_raw)
    except ValueError:
        raise _Reject(f"created_at {created_raw!r} is not an ISO 8601 timestamp with an offset") from None
    private = record.get("private", False)
    if not isinstance(private, bool):
        raise _Reject("private must be true or false")
    raw = record.get("raw")
    if raw is not None and not isinstance(raw, dict):
        raise _Reject("raw must be a JSON object")
    return InboundPost(
        network=network,
        external_id=_required(record, "external_id", MAX_ID_CHARS),
        direction=direction,
        author_id=_required(record, "author_id", 320),
        author_handle=_required(record, "author_handle", 320),
        author_name=_optional(record, "author_name", 200),
        text=_required(record, "text"),
        created_at=created_at,
        channel=_optional(record, "channel", 320),
        in_reply_to=_optional(record, "in_reply_to", MAX_ID_CHARS),
        private=private,
        conversation_key=_optional(record, "conversation_key", MAX_ID_CHARS),
        lang=_optional(record, "lang", 8),
        geo=_geo(record.get("geo")),
        user_location=_optional(record, "user_location", 200),
        raw=raw if raw is not None else record,
    )


def parse_line(line: bytes) -> InboundPost:
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Reject(f"line is not valid UTF-8 (byte {exc.start})") from None
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise _Reject(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    return parse_record(record)


class JsonlReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def count(self) -> int:
        with self.path.open("rb") as handle:
            return sum(1 for _ in iter_lines(handle))

    def rows(self) -> Iterator[tuple[int, InboundPost | RowError]]:
        with self.path.open("rb") as handle:
            for number, line in iter_lines(handle):
                if line is None:
                    yield number, RowError(number, f"line is longer than {MAX_LINE_BYTES} bytes")
                    continue
                try:
                    yield number, parse_line(line)
                except _Reject as exc:
                    yield number, RowError(number, str(exc))
