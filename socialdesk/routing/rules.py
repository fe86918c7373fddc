"""The first routing rule: send a case to the team that answers in the customer's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class TeamLike(Protocol):
    id: int
    is_default: bool

    @property
    def language_codes(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    team_id: int | None
    rule: str  # which rule decided, shown to agents as "routed by"


def route_by_language(teams: Sequence[TeamLike], language: str | None) -> RoutingDecision:
    """The first team (in the given order) that lists `language`; else the default team; else none."""
    if language:
        for team in teams:
            if language in team.language_codes:
                return RoutingDecision(team.id, f"language:{language}")
    for team in teams:
        if team.is_default:
            return RoutingDecision(team.id, "default team")
    return RoutingDecision(None, "no team")
