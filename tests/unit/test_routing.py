"""The language routing rule and the SLA clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from socialdesk.routing.rules import route_by_language
from socialdesk.routing.sla import SlaPolicy, due_times


@dataclass
class Team:
    id: int
    is_default: bool
    languages: str

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split()


TEAMS = [Team(1, True, "en"), Team(2, False, "es pt"), Team(3, False, "de")]


def test_a_case_goes_to_the_first_team_that_speaks_its_language() -> None:
    assert route_by_language(TEAMS, "pt").team_id == 2
    assert route_by_language(TEAMS, "de").rule == "language:de"


def test_unknown_or_unserved_languages_go_to_the_default_team() -> None:
    assert route_by_language(TEAMS, None).team_id == 1
    assert route_by_language(TEAMS, "ja").rule == "default team"
    assert route_by_language([Team(5, False, "es")], "ja").team_id is None


def test_due_times_count_from_the_customers_first_post() -> None:
    opened = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    due = due_times(opened, SlaPolicy(first_response_minutes=60, resolution_minutes=24 * 60))
    assert due.first_response == datetime(2026, 11, 21, 0, 30, tzinfo=UTC)
    assert due.resolution == datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
