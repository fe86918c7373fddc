"""The JSON-lines batch interface behind `socialdesk classify`: posts in, one triage record out per line.

Lines are read with a length limit and handled in batches, so memory stays bounded however long the
stream; a line that cannot be understood becomes an error record in its place and the stream goes on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from socialdesk.core.types import Geo, Triage, TriageInput

MAX_LINE_BYTES = 1_000_000
MAX_TEXT_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class Rejected:
    id: Any
    error: str


def read_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """Each line of the stream; None for a line longer than `limit` (skipped without being kept)."""
    while True:
        chunk = stream.readline(limit + 1)
        if not chunk:
            return
        if len(chunk) > limit and not chunk.endswith(b"\n"):
            while True:
                more = stream.readline(limit)
                if not more or more.endswith(b"\n"):
                    break
            yield None
            continue
        yield chunk


def parse(line: bytes | None) -> tuple[Any, TriageInput] | Rejected:
    """One input line as (id, input), or the reason it cannot be triaged."""
    if line is None:
        return Rejected(None, f"line is longer than {MAX_LINE_BYTES} bytes")
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return Rejected(None, "line is not valid UTF-8")
    except json.JSONDecodeError as exc:
        return Rejected(None, f"invalid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return Rejected(None, "line is not a JSON object")
    key = record.get("id")
    if isinstance(key, dict | list):
        return Rejected(None, "id must be a string or a number")
    text = record.get("text")
    if not isinstance(text, str):
        return Rejected(key, "text is missing or not a string")
    if len(text) > MAX_TEXT_CHARS:
        return Rejected(key, f"text is longer than {MAX_TEXT_CHARS} characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return Rejected(key, "text is not valid Unicode (lone surrogate)")
    geo = _geo(record.get("geo"))
    if isinstance(geo, Rejected):
        return Rejected(key, geo.error)
    lang, location, followers = record.get("lang"), record.get("user_location"), record.get("followers")
    return key, TriageInput(
        text=text,
        lang=lang if isinstance(lang, str) else None,
        geo=geo,
        user_location=location if isinstance(location, str) else None,
        followers=followers
        if isinstance(followers, int) and not isinstance(followers, bool) and followers >= 0
        else None,
    )


def _geo(value: Any) -> Geo | Rejected | None:
    if value is None:
        return None
    lat: Any
    lon: Any
    if isinstance(value, dict):
        lat, lon = value.get("lat"), value.get("lon")
    elif isinstance(value, list) and len(value) == 2:
        lat, lon = value
    else:
        return Rejected(None, 'geo must be {"lat": .., "lon": ..} or [lat, lon]')
    if not (_number(lat) and _number(lon)):
        return Rejected(None, "geo lat/lon must be numbers")
    latitude, longitude = float(lat), float(lon)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return Rejected(None, "geo is outside the globe")
    return Geo(latitude, longitude)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def record(key: Any, result: Triage) -> dict[str, Any]:
    return {
        "id": key,
        "language": result.language,
        "sentiment": result.sentiment.value,
        "sentiment_scores": result.sentiment_scores,
        "intent": result.intent.value,
        "intent_scores": result.intent_scores,
        "is_complaint": result.is_complaint,
        "complaint_score": result.complaint_score,
        "severity": result.severity,
        "urgency": result.urgency,
        "topics": [{"label": t.label, "score": t.score} for t in result.topics],
        "places": [
            {
                "name": p.name,
                "lat": p.lat,
                "lon": p.lon,
                "country": p.country,
                "kind": p.kind.value,
                "source": p.source.value,
            }
            for p in result.places
        ],
        "pii": [{"type": s.type.value, "start": s.start, "end": s.end} for s in result.pii],
        "tier": result.tier,
    }


def batched(lines: Iterable[bytes | None], size: int) -> Iterator[list[tuple[Any, TriageInput] | Rejected]]:
    batch: list[tuple[Any, TriageInput] | Rejected] = []
    for line in lines:
        if line is not None and not line.strip():
            continue
        batch.append(parse(line))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
