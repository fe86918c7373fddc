"""Service-level due times for a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True, slots=True)
class DueTimes:
    first_response: datetime
    resolution: datetime


def due_times(opened_at: datetime, policy: SlaPolicy) -> DueTimes:
    """Due times counted from when the customer first wrote, around the clock.

    Business hours and per-priority policies come with the routing work; until then the clock runs
    continuously, which is what a 24/7 social team promises.
    """
    return DueTimes(
        first_response=opened_at + timedelta(minutes=policy.first_response_minutes),
        resolution=opened_at + timedelta(minutes=policy.resolution_minutes),
    )
