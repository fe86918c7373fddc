"""Segment filters: validation of what agents and the API send, and the pure matcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialdesk.core.errors import InvalidAction
from socialdesk.core.profiles import clean_attributes, split_labels
from socialdesk.core.segments import CustomerFacts, SegmentFilter, parse_filter
from socialdesk.core.types import Intent
from socialdesk.routing.segments import matches

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

LUCIA = CustomerFacts(
    customer_id=1,
    countries=frozenset({"ES"}),
    locations=("Madrid, Spain",),
    languages=frozenset({"es"}),
    products=frozenset({"skylark miles"}),
    tags=frozenset({"frequent flyer", "vip"}),
    attributes={"tier": "gold", "member_since": "2019"},
    networks=frozenset({"x", "email"}),
    intents=frozenset({Intent.COMPLAINT, Intent.QUESTION}),
    has_complaint=True,
    has_open_case=True,
    last_active_at=NOW - timedelta(days=2),
)
QUIET = CustomerFacts(customer_id=2)


def test_a_filter_round_trips_through_its_stored_form() -> None:
    raw = {
        "countries": ["de", "AT"],
        "location": "  Berlin ",
        "languages": "de, EN",
        "products": ["Skylark  Miles"],
        "intents": ["complaint"],
        "complaint": "true",
        "tags": ["VIP", "vip"],
        "attributes": {"tier": "gold", "seats": 2},
        "networks": ["x"],
        "has_open_case": False,
        "active_within_days": "30",
    }
    flt = parse_filter(raw)
    assert flt.countries == ("DE", "AT")
    assert flt.languages == ("de", "en")
    assert flt.products == ("skylark miles",)
    assert flt.tags == ("vip",)
    assert flt.attributes == (("seats", "2"), ("tier", "gold"))
    assert flt.location == "Berlin"
    assert flt.complaint is True
    assert flt.has_open_case is False
    assert flt.active_within_days == 30
    assert parse_filter(flt.to_dict()) == flt
    assert parse_filter({}) == SegmentFilter()
    assert SegmentFilter().is_empty


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "JSON object"),
        ({"colour": "red"}, "unknown filter colour"),
        ({"countries": ["Germany"]}, "two-letter"),
        ({"languages": ["deutsch!"]}, "ISO 639-1"),
        ({"intents": ["rant"]}, "intent must be one of"),
        ({"complaint": "maybe"}, "true or false"),
        ({"active_within_days": 0}, "1 to 3650"),
        ({"active_within_days": True}, "1 to 3650"),
        ({"active_within_days": "soon"}, "1 to 3650"),
        ({"attributes": {"Tier": "gold"}}, "attribute name"),
        ({"attributes": {"tier": {"a": 1}}}, "attribute value"),
        ({"attributes": ["tier"]}, "an object"),
        ({"tags": [1, 2]}, "list of text"),
        ({"networks": ["X Twitter"]}, "not a network name"),
        ({"location": 5}, "text"),
        ({"tags": [f"t{i}" for i in range(21)]}, "at most 20"),
    ],
)
def test_bad_filters_are_refused_with_a_reason(raw: object, message: str) -> None:
    with pytest.raises(InvalidAction, match=message):
        parse_filter(raw)


@pytest.mark.parametrize(
    ("raw", "lucia", "quiet"),
    [
        ({}, True, True),
        ({"countries": ["ES", "PT"]}, True, False),
        ({"countries": ["DE"]}, False, False),
        ({"location": "madrid"}, True, False),
        ({"languages": ["es"]}, True, False),
        ({"products": ["Skylark Miles"]}, True, False),
        ({"intents": ["praise"]}, False, False),
        ({"intents": ["praise", "complaint"]}, True, False),
        ({"complaint": True}, True, False),
        ({"complaint": False}, False, True),
        ({"tags": ["vip", "frequent flyer"]}, True, False),
        ({"tags": ["vip", "press"]}, False, False),
        ({"attributes": {"tier": "gold"}}, True, False),
        ({"attributes": {"member_since": 2019}}, True, False),
        ({"attributes": {"tier": "silver"}}, False, False),
        ({"networks": ["email"]}, True, False),
        ({"has_open_case": True}, True, False),
        ({"has_open_case": False}, False, True),
        ({"active_within_days": 3}, True, False),
        ({"active_within_days": 1}, False, False),
        ({"languages": ["es"], "complaint": True, "tags": ["vip"]}, True, False),
        ({"languages": ["es"], "countries": ["DE"]}, False, False),
    ],
)
def test_matches_needs_every_condition(raw: dict[str, object], lucia: bool, quiet: bool) -> None:
    flt = parse_filter(raw)
    assert matches(flt, LUCIA, NOW) is lucia
    assert matches(flt, QUIET, NOW) is quiet


def test_profile_values_are_normalised_or_refused() -> None:
    assert split_labels(" VIP,frequent   flyer,, vip ") == ("vip", "frequent flyer")
    assert clean_attributes({"tier": " gold ", "n": 1.5, "ok": False, "gone": None}) == {
        "tier": "gold",
        "n": "1.5",
        "ok": "false",
    }
    with pytest.raises(InvalidAction, match="at most 30"):
        clean_attributes({f"k{i}": "v" for i in range(31)})
    with pytest.raises(InvalidAction, match="200 characters"):
        clean_attributes({"note": "x" * 201})
