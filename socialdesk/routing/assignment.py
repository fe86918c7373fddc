"""Choosing the agent who takes a case: online, in the team, under capacity; round robin or least load.

Pure and deterministic: the same candidates give the same choice, so two workers that both compute
it agree, and the database lock held by the caller decides who writes it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class AssignmentMode(enum.StrEnum):
    MANUAL = "manual"  # agents claim cases themselves
    ROUND_ROBIN = "round_robin"  # in turn, by agent id, after the one who got the last case
    LEAST_LOAD = "least_load"  # whoever has the most room for another case


class Presence(enum.StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A team member as assignment sees them. `open_cases` are their unresolved assigned cases."""

    agent_id: int
    presence: Presence
    open_cases: int
    capacity: int

    @property
    def available(self) -> bool:
        return self.presence is Presence.ONLINE and self.open_cases < self.capacity


def choose_agent(
    candidates: Sequence[Candidate], mode: AssignmentMode, last_assigned: int | None = None
) -> int | None:
    """The agent to give the next case to, or None (manual mode, or nobody online with room).

    Round robin takes the first available agent whose id follows `last_assigned`, wrapping around;
    least load the one whose open cases fill the smallest share of their capacity, then the one with
    fewer cases, then the lower id.
    """
    available = sorted((c for c in candidates if c.available), key=lambda c: c.agent_id)
    if mode is AssignmentMode.MANUAL or not available:
        return None
    if mode is AssignmentMode.ROUND_ROBIN:
        after = last_assigned if last_assigned is not None else -1
        following = [c for c in available if c.agent_id > after]
        return (following or available)[0].agent_id
    best = min(available, key=lambda c: (c.open_cases / c.capacity, c.open_cases, c.agent_id))
    return best.agent_id
