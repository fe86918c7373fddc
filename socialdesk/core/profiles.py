"""The values an agent may put on a customer profile, validated before they reach the store.

Every function returns the normalised value or raises `InvalidAction` with a sentence an agent can act
on. Tags and products are compared exactly (in SQL as in Python), so they are normalised here once:
trimmed, inner spaces collapsed, lower-cased.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from socialdesk.core.errors import InvalidAction

MAX_ATTRIBUTES = 30
MAX_ATTRIBUTE_VALUE = 200
MAX_LABELS = 30
MAX_LABEL = 50
ATTRIBUTE_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
LANGUAGE = re.compile(r"[a-z]{2,8}")
COUNTRY = re.compile(r"[A-Z]{2}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}")
SATISFACTION_RANGE = range(1, 6)


def clean_label(value: str, kind: str = "tag") -> str:
    label = " ".join(value.split()).lower()
    if not label:
        raise InvalidAction(f"a {kind} cannot be empty")
    if len(label) > MAX_LABEL:
        raise InvalidAction(f"a {kind} has at most {MAX_LABEL} characters: {label[:20]}…")
    if "," in label:
        raise InvalidAction(f"a {kind} cannot contain a comma (separate {kind}s with commas)")
    return label


def clean_labels(values: Iterable[str], kind: str = "tag") -> tuple[str, ...]:
    """Distinct normalised labels, in the order given."""
    labels = tuple(dict.fromkeys(clean_label(v, kind) for v in values if v.strip()))
    if len(labels) > MAX_LABELS:
        raise InvalidAction(f"a customer has at most {MAX_LABELS} {kind}s")
    return labels


def split_labels(text: str, kind: str = "tag") -> tuple[str, ...]:
    """Labels typed into one box, separated by commas."""
    return clean_labels(text.split(","), kind)


def clean_language(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().lower()
    if not LANGUAGE.fullmatch(code):
        raise InvalidAction("language must be an ISO 639-1 code such as en or es")
    return code


def clean_country(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if not COUNTRY.fullmatch(code):
        raise InvalidAction("country must be a two-letter ISO 3166 code such as DE or ES")
    return code


def clean_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    address = value.strip()
    if len(address) > 320 or not EMAIL.fullmatch(address):
        raise InvalidAction(f"{address[:40]!r} is not an e-mail address")
    return address


def attribute_text(value: object) -> str:
    """The text an attribute value is stored and compared as: JSON scalars become their JSON spelling.

    Storing text only keeps "attribute equals" identical in Python, SQLite and PostgreSQL (their JSON
    functions disagree on how numbers and booleans come back).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return value.strip()
    raise InvalidAction("an attribute value is text, a number or true/false (not a list or an object)")


def clean_attributes(raw: object) -> dict[str, str]:
    """A small flat JSON object: at most 30 keys like `tier` or `member_since`, short scalar values."""
    if not isinstance(raw, Mapping):
        raise InvalidAction('attributes must be a JSON object such as {"tier": "gold"}')
    if len(raw) > MAX_ATTRIBUTES:
        raise InvalidAction(f"a customer has at most {MAX_ATTRIBUTES} attributes")
    cleaned: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not ATTRIBUTE_KEY.fullmatch(key):
            raise InvalidAction(
                f"attribute name {str(key)[:40]!r} must start with a-z and hold only a-z, 0-9 and _ "
                "(at most 40 characters)"
            )
        if value is None:
            continue  # null removes the attribute
        text = attribute_text(value)
        if len(text) > MAX_ATTRIBUTE_VALUE:
            raise InvalidAction(f"attribute {key} has more than {MAX_ATTRIBUTE_VALUE} characters")
        cleaned[key] = text
    return cleaned


def clean_satisfaction(value: int) -> int:
    if isinstance(value, bool) or value not in SATISFACTION_RANGE:
        raise InvalidAction("a satisfaction rating is a whole number from 1 to 5")
    return value
