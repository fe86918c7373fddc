"""Checks shared by every importer: what a stored text may hold, and how timestamps are read."""

from __future__ import annotations

import re
from datetime import UTC, datetime

MAX_TEXT_CHARS = 100_000  # far above any network's limit; longer is a broken row, not a post

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_problem(value: str, field: str) -> str | None:
    """Why `value` cannot be stored as it is, or None when it can.

    PostgreSQL refuses NUL characters in text, and lone surrogates (from a bad \\u escape or undecodable
    bytes) are not Unicode at all; such a row is rejected rather than silently altered.
    """
    if "\x00" in value:
        return f"{field} contains a NUL character"
    if _SURROGATE.search(value):
        return f"{field} is not valid UTF-8/Unicode (lone surrogate or undecodable bytes)"
    if len(value) > MAX_TEXT_CHARS:
        return f"{field} is longer than {MAX_TEXT_CHARS} characters"
    return None


def parse_iso_timestamp(value: str) -> datetime:
    """Read an ISO 8601 timestamp that names its offset ("Z" or "+02:00"); ValueError otherwise."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no timezone offset")
    return parsed.astimezone(UTC)
