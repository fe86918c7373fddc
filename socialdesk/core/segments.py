"""A segment's saved filter and the facts about one customer it is tested against.

The same `SegmentFilter` drives both the pure matcher (`routing.segments.matches`) and the SQL that
lists a segment's members (`store.repos.customers`), so it lives here, below both. Every condition
that is set must hold (AND); inside one condition a list means "any of" except for tags, where a
customer must carry every tag listed. An empty filter matches every customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from socialdesk.core.errors import InvalidAction
from socialdesk.core.profiles import (
    ATTRIBUTE_KEY,
    attribute_text,
    clean_country,
    clean_label,
    clean_language,
)
from socialdesk.core.types import Intent

MAX_ACTIVE_DAYS = 3650
MAX_CHOICES = 20
NETWORK_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")

FILTER_KEYS = (
    "countries",
    "location",
    "languages",
    "products",
    "intents",
    "complaint",
    "tags",
    "attributes",
    "networks",
    "has_open_case",
    "active_within_days",
)


@dataclass(frozen=True, slots=True)
class SegmentFilter:
    countries: tuple[str, ...] = ()  # ISO 3166 codes: the profile's country or a place in their cases
    location: str | None = None  # part of the profile's location or of a place named in their cases
    languages: tuple[str, ...] = ()  # the profile's language or the language of one of their cases
    products: tuple[str, ...] = ()
    intents: tuple[Intent, ...] = ()  # one of their cases has one of these intents
    complaint: bool | None = None  # True: one of their cases is a complaint; False: none is
    tags: tuple[str, ...] = ()  # every one of these
    attributes: tuple[tuple[str, str], ...] = ()  # (name, value as text): every one equal
    networks: tuple[str, ...] = ()  # they have an identity on one of these networks
    has_open_case: bool | None = None  # an unresolved case (new, open or pending), or none
    active_within_days: int | None = None  # they posted within the last N days

    def to_dict(self) -> dict[str, Any]:
        """The JSON stored for the segment: only the conditions that are set."""
        out: dict[str, Any] = {}
        for key in FILTER_KEYS:
            value = getattr(self, key)
            if value is None or value == ():
                continue
            if key == "intents":
                value = [i.value for i in value]
            elif key == "attributes":
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[key] = value
        return out

    @property
    def is_empty(self) -> bool:
        return not self.to_dict()


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """What a segment can ask about one customer, gathered from the profile and all their cases."""

    customer_id: int
    countries: frozenset[str] = frozenset()
    locations: tuple[str, ...] = ()
    languages: frozenset[str] = frozenset()
    products: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)
    networks: frozenset[str] = frozenset()
    intents: frozenset[Intent] = frozenset()
    has_complaint: bool = False
    has_open_case: bool = False
    last_active_at: datetime | None = None


def _strings(raw: Mapping[str, Any], key: str) -> list[str]:
    value = raw.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidAction(f"{key} must be a list of text values")
    if len(value) > MAX_CHOICES:
        raise InvalidAction(f"{key} lists at most {MAX_CHOICES} values")
    return [v.strip() for v in value if v.strip()]


def _flag(raw: Mapping[str, Any], key: str) -> bool | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    raise InvalidAction(f"{key} must be true or false")


def _network(name: str) -> str:
    if not NETWORK_NAME.fullmatch(name.strip().lower()):
        raise InvalidAction(f"{name[:40]!r} is not a network name")
    return name.strip().lower()


def _intent(name: str) -> Intent:
    try:
        return Intent(name.strip().lower())
    except ValueError:
        raise InvalidAction(f"intent must be one of {', '.join(i.value for i in Intent)}") from None


def _attributes(raw: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    value = raw.get("attributes")
    if value is None or value == {}:
        return ()
    if not isinstance(value, Mapping):
        raise InvalidAction('attributes must be an object such as {"tier": "gold"}')
    if len(value) > MAX_CHOICES:
        raise InvalidAction(f"attributes lists at most {MAX_CHOICES} conditions")
    pairs = []
    for key, wanted in value.items():
        if not isinstance(key, str) or not ATTRIBUTE_KEY.fullmatch(key):
            raise InvalidAction(f"attribute name {str(key)[:40]!r} must hold only a-z, 0-9 and _")
        pairs.append((key, attribute_text(wanted)))
    return tuple(sorted(pairs))


def _days(raw: Mapping[str, Any]) -> int | None:
    value = raw.get("active_within_days")
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ACTIVE_DAYS:
        raise InvalidAction(f"active_within_days must be a whole number from 1 to {MAX_ACTIVE_DAYS}")
    return value


def parse_filter(raw: object) -> SegmentFilter:
    """Validate a filter as stored or as sent by the API; unknown keys are refused, not ignored."""
    if not isinstance(raw, Mapping):
        raise InvalidAction("a segment filter is a JSON object")
    unknown = sorted(set(raw) - set(FILTER_KEYS))
    if unknown:
        raise InvalidAction(
            f"unknown filter {', '.join(map(str, unknown))}; a filter may set {', '.join(FILTER_KEYS)}"
        )
    location = raw.get("location")
    if location is not None and not isinstance(location, str):
        raise InvalidAction("location must be text")
    location = " ".join((location or "").split())[:100] or None
    return SegmentFilter(
        countries=tuple(dict.fromkeys(c for c in map(clean_country, _strings(raw, "countries")) if c)),
        location=location,
        languages=tuple(dict.fromkeys(c for c in map(clean_language, _strings(raw, "languages")) if c)),
        products=tuple(dict.fromkeys(clean_label(p, "product") for p in _strings(raw, "products"))),
        intents=tuple(dict.fromkeys(_intent(i) for i in _strings(raw, "intents"))),
        complaint=_flag(raw, "complaint"),
        tags=tuple(dict.fromkeys(clean_label(t) for t in _strings(raw, "tags"))),
        attributes=_attributes(raw),
        networks=tuple(dict.fromkeys(_network(n) for n in _strings(raw, "networks"))),
        has_open_case=_flag(raw, "has_open_case"),
        active_within_days=_days(raw),
    )
