"""Segments on SQLite and PostgreSQL: the SQL members equal the pure matcher's on the same data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.segments import parse_filter
from socialdesk.core.types import CaseStatus, Intent, Sentiment
from socialdesk.pipeline.case_actions import change_status
from socialdesk.pipeline.profiles import merge_customers, record_satisfaction, update_profile
from socialdesk.pipeline.rule_runs import customer_facts as rule_facts
from socialdesk.pipeline.segments import create_segment, delete_segment, segment_ids_for, update_segment
from socialdesk.routing.segments import matches
from socialdesk.store.db import Database
from socialdesk.store.models import Case, Customer, Identity, Post
from socialdesk.store.repos.cases import InboxFilter, list_inbox
from socialdesk.store.repos.customers import get_profile
from socialdesk.store.repos.segments import (
    count_members,
    customer_facts,
    get_segment,
    list_segments,
    member_ids,
    segment_stats,
)
from tests import factories as f
from tests.integration.test_api import api
from tests.web_client import Browser

NOW = f.T0 + timedelta(days=3)

FILTERS: list[dict[str, object]] = [
    {},
    {"countries": ["ES"]},
    {"countries": ["DE", "AT"]},
    {"location": "berlin"},
    {"location": "mad"},
    {"location": "österreich"},  # a capital outside ASCII: "ÖSTERREICH"
    {"languages": ["es"]},
    {"languages": ["de", "en"]},
    {"products": ["skylark miles"]},
    {"intents": ["complaint"]},
    {"intents": ["praise", "question"]},
    {"complaint": True},
    {"complaint": False},
    {"tags": ["frequent flyer"]},
    {"tags": ["frequent flyer", "vip"]},
    {"attributes": {"tier": "gold"}},
    {"attributes": {"tier": "gold", "seat": "aisle"}},
    {"attributes": {"member_since": 2019}},
    {"networks": ["email"]},
    {"networks": ["x", "facebook"]},
    {"has_open_case": True},
    {"has_open_case": False},
    {"active_within_days": 1},
    {"active_within_days": 5},
    {"languages": ["es"], "tags": ["frequent flyer"]},
    {"countries": ["DE"], "complaint": True},
    {"countries": ["DE"], "complaint": True, "has_open_case": True, "active_within_days": 30},
    {"networks": ["x"], "complaint": False, "has_open_case": False},
]


def _case_of(db: Database, external_id: str) -> int:
    with db.read() as s:
        conversation = s.scalars(select(Post.conversation_id).where(Post.external_id == external_id)).one()
        return s.scalars(select(Case.id).where(Case.conversation_id == conversation)).one()


def _triage(db: Database, external_id: str, **fields: object) -> None:
    """Give a case what triage would have found (the worker is not run in these tests)."""
    with db.write() as s:
        conversation = s.scalars(select(Post.conversation_id).where(Post.external_id == external_id)).one()
        s.execute(update(Case).where(Case.conversation_id == conversation).values(**fields))


@pytest.fixture
def crowd(db: Database) -> tuple[int, dict[str, int]]:
    """Eight customers of Acme with every kind of fact, plus a Globex customer matching everything."""
    ws = f.workspace(db)
    day = 24 * 60
    f.ingest(
        db,
        ws,
        f.post("lucia1", author="lucia", minutes=3 * day - 60, text="@AcmeHelp mi maleta no llegó"),
        f.post("lucia2", author="lucia_fb", network="facebook", channel="acme", minutes=10),
        f.post("hans1", author="hans", minutes=3 * day - 30, text="@AcmeHelp Koffer weg"),
        f.post("greta1", author="greta", minutes=2 * day),
        f.post(
            "otto1",
            author="otto@example.de",
            network="email",
            channel="help@acme.example",
            minutes=day,
            private=True,
            conversation_key="otto",
        ),
        f.post("ann1", author="ann", minutes=5),
        f.post("bob1", author="bob", minutes=3 * day - 5, text="@AcmeHelp thanks, great flight"),
        f.post("cara1", author="cara", minutes=20),
        f.post("dup1", author="lucia_dup", minutes=30),
    )
    ids = {
        n: _customer(db, net, handle)
        for n, net, handle in (
            ("lucia", "x", "lucia"),
            ("lucia_fb", "facebook", "lucia_fb"),
            ("hans", "x", "hans"),
            ("greta", "x", "greta"),
            ("otto", "email", "otto@example.de"),
            ("ann", "x", "ann"),
            ("bob", "x", "bob"),
            ("cara", "x", "cara"),
            ("dup", "x", "lucia_dup"),
        )
    }
    update_profile(
        db,
        ws,
        ids["lucia"],
        {
            "language": "es",
            "country": "ES",
            "location": "Madrid",
            "tags": ["frequent flyer", "vip"],
            "products": ["skylark miles"],
            "attributes": {"tier": "gold", "seat": "aisle", "member_since": 2019},
        },
    )
    update_profile(db, ws, ids["hans"], {"location": "Berlin, Germany", "tags": ["frequent flyer"]})
    update_profile(
        db,
        ws,
        ids["greta"],
        {"country": "AT", "location": "WIEN, ÖSTERREICH", "attributes": {"tier": "gold"}},
    )
    update_profile(db, ws, ids["ann"], {"tags": ["vip"], "products": ["Skylark Miles"]})
    update_profile(db, ws, ids["cara"], {"attributes": {"tier": "silver"}})
    _triage(
        db,
        "lucia1",
        language="es",
        intent=Intent.COMPLAINT,
        is_complaint=True,
        sentiment=Sentiment.NEGATIVE,
        opened_at=NOW - timedelta(days=2),
    )
    _triage(db, "lucia2", language="es", intent=Intent.QUESTION, is_complaint=False)
    _triage(
        db,
        "hans1",
        language="de",
        intent=Intent.COMPLAINT,
        is_complaint=True,
        place_country="DE",
        place_name="Frankfurt",
        sentiment=Sentiment.NEGATIVE,
        opened_at=NOW - timedelta(days=1),
    )
    _triage(
        db,
        "greta1",
        language="de",
        intent=Intent.COMPLAINT,
        is_complaint=True,
        sentiment=Sentiment.NEUTRAL,
        opened_at=NOW - timedelta(days=10),
    )
    _triage(db, "otto1", language="de", place_country="DE", place_name="Berlin", intent=Intent.REQUEST)
    _triage(db, "bob1", language="en", intent=Intent.PRAISE, is_complaint=False, sentiment=Sentiment.POSITIVE)
    change_status(db, ws, _case_of(db, "greta1"), CaseStatus.RESOLVED)
    change_status(db, ws, _case_of(db, "bob1"), CaseStatus.RESOLVED)
    merge_customers(db, ws, ids["lucia"], ids["lucia_fb"])
    merge_customers(db, ws, ids["lucia"], ids["dup"])

    globex = f.workspace(db, "Globex")
    f.ingest(db, globex, f.post("g1", author="gus", channel="GlobexCare", minutes=3 * day - 1))
    gus = _customer(db, "x", "gus")
    update_profile(
        db,
        globex,
        gus,
        {
            "language": "es",
            "country": "DE",
            "tags": ["frequent flyer", "vip"],
            "attributes": {"tier": "gold"},
        },
    )
    _triage(db, "g1", is_complaint=True, intent=Intent.COMPLAINT, place_country="DE", language="es")
    ids["gus"] = gus
    return ws, ids


def _customer(db: Database, network: str, external_id: str) -> int:
    with db.read() as s:
        return s.scalars(
            select(Identity.customer_id).where(
                Identity.network == network, Identity.external_id == external_id
            )
        ).one()


@pytest.mark.parametrize("raw", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
def test_sql_members_equal_the_pure_matcher(
    db: Database, crowd: tuple[int, dict[str, int]], raw: dict[str, object]
) -> None:
    ws, ids = crowd
    flt = parse_filter(raw)
    with db.read() as s:
        live = s.scalars(
            select(Customer.id).where(Customer.workspace_id == ws, Customer.merged_into_id.is_(None))
        ).all()
        expected = set()
        for customer_id in live:
            facts = customer_facts(s, ws, customer_id)
            assert facts is not None
            if matches(flt, facts, NOW):
                expected.add(customer_id)
        assert set(member_ids(s, ws, flt, NOW)) == expected
        assert count_members(s, ws, flt, NOW) == len(expected)
        assert ids["gus"] not in expected
        assert ids["lucia_fb"] not in set(member_ids(s, ws, flt, NOW))  # tombstones never count


def test_the_data_gives_the_filters_something_to_tell_apart(
    db: Database, crowd: tuple[int, dict[str, int]]
) -> None:
    ws, ids = crowd
    with db.read() as s:

        def members(raw: dict[str, object]) -> set[int]:
            return set(member_ids(s, ws, parse_filter(raw), NOW))

        assert members({"languages": ["es"], "tags": ["frequent flyer"]}) == {ids["lucia"]}
        assert members({"countries": ["DE"], "complaint": True}) == {ids["hans"]}
        assert members({"location": "berlin"}) == {ids["hans"], ids["otto"]}
        assert members({"location": "österreich"}) == {ids["greta"]}
        assert members({"networks": ["facebook"]}) == {ids["lucia"]}  # through the merged identity
        assert members({"products": ["skylark miles"]}) == {ids["lucia"], ids["ann"]}
        assert members({"has_open_case": False}) == {ids["greta"], ids["bob"]}
        # greta wrote exactly one day before NOW: the boundary is inside
        assert members({"active_within_days": 1}) == {ids["lucia"], ids["hans"], ids["greta"], ids["bob"]}
        assert members({"attributes": {"tier": "gold"}}) == {ids["lucia"], ids["greta"]}


def test_segment_ids_for_a_customer_and_a_merged_id(db: Database, crowd: tuple[int, dict[str, int]]) -> None:
    ws, ids = crowd
    spanish = create_segment(
        db, ws, "Spanish-speaking frequent flyers", {"languages": ["es"], "tags": ["frequent flyer"]}
    )
    german = create_segment(db, ws, "Complaints from Germany", {"countries": ["DE"], "complaint": True})
    everyone = create_segment(db, ws, "Everyone", {})
    with db.read() as s:
        assert segment_ids_for(s, ws, ids["lucia"]) == {spanish, everyone}
        assert segment_ids_for(s, ws, ids["lucia_fb"]) == {spanish, everyone}  # the survivor's
        assert segment_ids_for(s, ws, ids["hans"]) == {german, everyone}
        assert segment_ids_for(s, ws, ids["gus"]) == frozenset()  # another workspace's customer
        profile = get_profile(s, ws, ids["lucia"])
    assert profile is not None
    assert [seg.name for seg in profile.segments] == ["Everyone", "Spanish-speaking frequent flyers"]


def test_segments_are_saved_validated_and_counted(db: Database, crowd: tuple[int, dict[str, int]]) -> None:
    ws, _ids = crowd
    segment = create_segment(
        db, ws, "  Frequent   flyers ", {"tags": ["Frequent Flyer"]}, "from the loyalty list"
    )
    with pytest.raises(InvalidAction, match="already a segment"):
        create_segment(db, ws, "Frequent flyers", {})
    with pytest.raises(InvalidAction, match="needs a name"):
        create_segment(db, ws, " ", {})
    with pytest.raises(InvalidAction, match="unknown network 'myspace'"):
        create_segment(db, ws, "Old", {"networks": ["myspace"]})
    with pytest.raises(InvalidAction, match="unknown filter"):
        create_segment(db, ws, "Odd", {"shoe_size": 42})
    with db.read() as s:
        view = get_segment(s, ws, segment)
    assert view is not None
    assert (view.name, view.description, view.filter, view.member_count) == (
        "Frequent flyers",
        "from the loyalty list",
        {"tags": ["frequent flyer"]},
        2,
    )
    update_segment(db, ws, segment, {"filter": {"tags": ["frequent flyer"], "languages": ["de"]}})
    with db.read() as s:
        assert [(v.name, v.member_count) for v in list_segments(s, ws, now=NOW)] == [("Frequent flyers", 1)]
    other = f.workspace(db, "Globex")
    with pytest.raises(NotFound):
        update_segment(db, other, segment, {"name": "mine now"})
    with pytest.raises(NotFound):
        delete_segment(db, other, segment)
    with db.read() as s:
        assert get_segment(s, other, segment) is None
        assert segment_stats(s, other, segment) is None
        assert list_segments(s, other) == []
    delete_segment(db, ws, segment)
    with db.read() as s:
        assert get_segment(s, ws, segment) is None


def test_stats_for_analytics(db: Database, crowd: tuple[int, dict[str, int]]) -> None:
    ws, _ids = crowd
    complaints = create_segment(db, ws, "Complainers", {"complaint": True})
    record_satisfaction(db, ws, _case_of(db, "hans1"), 2)
    record_satisfaction(db, ws, _case_of(db, "bob1"), 5)  # not a member
    with db.read() as s:
        stats = segment_stats(s, ws, complaints, NOW)
    assert stats is not None
    # lucia (two open cases after the merges, one complaint 2 days old), hans (open, 1 day), greta (resolved)
    assert stats.members == 3
    assert stats.open_cases == 4  # lucia's three and hans's one
    assert stats.complaints_7d == 2
    assert stats.complaints_30d == 3
    assert stats.cases_with_sentiment == 3
    assert stats.mean_sentiment == pytest.approx(-2 / 3, abs=1e-3)
    assert (stats.satisfaction_mean, stats.satisfaction_count) == (2.0, 1)


def test_the_inbox_shows_a_segments_cases_only(db: Database, crowd: tuple[int, dict[str, int]]) -> None:
    ws, _ids = crowd
    german = create_segment(db, ws, "Complaints from Germany", {"countries": ["DE"], "complaint": True})
    with db.read() as s:
        rows = list_inbox(s, ws, InboxFilter(statuses=tuple(CaseStatus), segment_id=german))
        assert {r.case_id for r in rows} == {_case_of(db, "hans1")}
        other = f.workspace(db, "Globex")
        assert list_inbox(s, other, InboxFilter(statuses=tuple(CaseStatus), segment_id=german)) == []
    # The same filter from the inbox page and the API, as the segment page links it.
    f.agent(db, "Acme", "seg@acme.example")
    listing = api(db, "seg@acme.example").get("/api/v1/cases", params={"segment": german, "status": "all"})
    assert [item["case_id"] for item in listing.json()["items"]] == [_case_of(db, "hans1")]
    browser = Browser(db)
    browser.login("seg@acme.example")
    page = browser.get(f"/inbox?segment={german}&status=all")
    assert page.status_code == 200
    assert page.text.count('class="case-link"') == 1
    assert f'href="/cases/{_case_of(db, "hans1")}"' in page.text
    assert browser.get("/inbox?segment=abc").status_code == 422


def test_routing_rules_see_the_customers_segments(db: Database, crowd: tuple[int, dict[str, int]]) -> None:
    ws, ids = crowd
    spanish = create_segment(db, ws, "Spanish speakers", {"languages": ["es"]})
    with db.read() as s:
        tags, attributes, segments = rule_facts(s, ws, ids["lucia"])
        assert segments == {spanish}
        assert tags == {"frequent flyer", "vip"}
        assert attributes["tier"] == "gold"
        assert rule_facts(s, ws, ids["hans"])[2] == frozenset()
