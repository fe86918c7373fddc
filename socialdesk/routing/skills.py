"""The fallback route when no rule chose a team: the team whose skills fit the case best.

Skills are a team's languages, regions (ISO country codes of the customer's place) and products
(topic names). Language decides first, because an agent who cannot read the customer cannot help
them; region and product only choose among teams that are equal on language. A team that lists
no skill of a kind neither gains nor loses by it. Nothing fits: the default team. With languages
alone this is exactly `routing.rules.route_by_language`, and reports itself the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from socialdesk.routing.rules import RoutingDecision, route_by_language


class SkilledTeam(Protocol):
    id: int
    is_default: bool

    @property
    def language_codes(self) -> list[str]: ...

    @property
    def region_codes(self) -> list[str]: ...

    @property
    def product_names(self) -> list[str]: ...


def route_by_skills(
    teams: Sequence[SkilledTeam], language: str | None, country: str | None = None, topic: str | None = None
) -> RoutingDecision:
    """The best-fitting team (earlier teams win ties); else the default team; else none."""
    country = country.upper() if country else None
    topic_key = topic.casefold() if topic else None
    best: tuple[tuple[bool, bool, bool], SkilledTeam] | None = None
    for team in teams:
        fit = (
            language is not None and language in team.language_codes,
            country is not None and country in team.region_codes,
            topic_key is not None and topic_key in {p.casefold() for p in team.product_names},
        )
        if any(fit) and (best is None or fit > best[0]):
            best = (fit, team)
    if best is None:
        return route_by_language(teams, None)
    (by_language, by_region, by_product), team = best
    if by_language and not by_region and not by_product:
        return RoutingDecision(team.id, f"language:{language}")
    parts = [
        f"language:{language}" if by_language else "",
        f"region:{country}" if by_region else "",
        f"product:{topic}" if by_product else "",
    ]
    return RoutingDecision(team.id, "skills " + " ".join(p for p in parts if p)[:56])
