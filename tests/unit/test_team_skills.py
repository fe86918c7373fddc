"""The fallback route by team skills: language first, then region and product; else the default team."""

from __future__ import annotations

from dataclasses import dataclass, field

from socialdesk.routing.rules import route_by_language
from socialdesk.routing.skills import route_by_skills


@dataclass
class FakeTeam:
    id: int
    is_default: bool = False
    language_codes: list[str] = field(default_factory=list)
    region_codes: list[str] = field(default_factory=list)
    product_names: list[str] = field(default_factory=list)


CARE = FakeTeam(1, True, ["en"], ["GB", "US"], ["baggage"])
SPAIN = FakeTeam(2, False, ["es"], ["ES"])
LATAM = FakeTeam(3, False, ["es"], ["MX", "AR"], ["Refunds"])
NORDIC = FakeTeam(4, False, [], ["SE", "NO"])
TEAMS = [CARE, SPAIN, LATAM, NORDIC]


def test_language_decides_first_then_region_then_product() -> None:
    assert route_by_skills(TEAMS, "es", "MX").team_id == 3
    assert route_by_skills(TEAMS, "es", "ES").team_id == 2
    assert route_by_skills(TEAMS, "es", None, "refunds").team_id == 3  # product names ignore case
    assert route_by_skills(TEAMS, "es", None).team_id == 2  # a tie: the earlier team
    assert route_by_skills(TEAMS, "en", "MX").team_id == 1  # speaking the language beats the region


def test_region_alone_routes_when_no_team_speaks_the_language() -> None:
    decision = route_by_skills(TEAMS, "sv", "se")
    assert (decision.team_id, decision.rule) == (4, "skills region:SE")


def test_nothing_fits_goes_to_the_default_team() -> None:
    assert route_by_skills(TEAMS, "ja", "JP", "lounges").rule == "default team"
    assert route_by_skills([SPAIN], "ja").rule == "no team"


def test_with_languages_only_it_is_the_language_route() -> None:
    plain = [FakeTeam(1, True, ["en"]), FakeTeam(2, False, ["es", "pt"]), FakeTeam(3, False, ["pt"])]
    for language in ("en", "es", "pt", "de", None):
        assert route_by_skills(plain, language, "BR", "baggage") == route_by_language(plain, language)


def test_the_rule_names_what_matched() -> None:
    assert (
        route_by_skills(TEAMS, "es", "MX", "refunds").rule == "skills language:es region:MX product:refunds"
    )
    assert route_by_skills(TEAMS, "en").rule == "language:en"
