"""Service-level clocks: due times around the clock or in a team's business hours.

A business calendar is a weekly schedule of opening intervals in the team's own time zone, plus the
dates it does not work. The clock counts real elapsed minutes inside opening intervals, so a day on
which the clocks change (a 23- or 25-hour day) is counted as it is lived; intervals are wall-clock
times, so "09:00" stays nine in the morning on both sides of a change.

A response is owed from a customer's first unanswered post: the first response from when the case
opened, a next response every time the customer writes again after an answer. `response_waits`
reads those waits off a thread's timeline, so that due times and attainment come from the posts
alone, whatever order they arrived in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from socialdesk.core.errors import InvalidAction

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# A calendar must open at least once within this many days, or a due time would never come.
_HORIZON_DAYS = 800
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    first_response_minutes: int
    resolution_minutes: int
    next_response_minutes: int | None = None  # None: the first-response target applies again
    business_hours: bool = False  # count only the team's opening hours

    @property
    def next_minutes(self) -> int:
        return self.next_response_minutes or self.first_response_minutes


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Opening intervals per weekday (0 = Monday) in minutes since local midnight, end exclusive."""

    time_zone: str
    weekly: Mapping[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening intervals in UTC (none on holidays)."""
        if day in self.holidays:
            return []
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        # Aware datetime + timedelta is wall-clock arithmetic ("09:00" whatever the offset); the
        # result goes to UTC before any counting, since subtracting two local times ignores a change.
        return [
            (
                (midnight + timedelta(minutes=start)).astimezone(UTC),
                (midnight + timedelta(minutes=end)).astimezone(UTC),
            )
            for start, end in self.weekly.get(day.weekday(), ())
        ]

    def add(self, start: datetime, minutes: float) -> datetime:
        """`minutes` of open time after `start` (the moment they are used up)."""
        remaining = timedelta(minutes=minutes)
        start = start.astimezone(UTC)
        local_day = start.astimezone(self.zone).date()
        for offset in range(_HORIZON_DAYS):
            day = local_day + timedelta(days=offset)
            for opens, closes in self.intervals_on(day):
                begin = max(start, opens)
                available = closes - begin
                if available <= timedelta(0):
                    continue
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise InvalidAction("the business calendar never opens, so no due time can be set")

    def is_open(self, at: datetime) -> bool:
        day = at.astimezone(self.zone).date()
        return any(opens <= at < closes for opens, closes in self.intervals_on(day))


@dataclass(frozen=True, slots=True)
class DueTimes:
    first_response: datetime
    resolution: datetime


def add_minutes(start: datetime, minutes: float, calendar: BusinessCalendar | None) -> datetime:
    """`start` plus `minutes`, counted in the calendar's opening hours, or around the clock without one."""
    if calendar is None:
        return start + timedelta(minutes=minutes)
    return calendar.add(start, minutes)


def due_times(opened_at: datetime, policy: SlaPolicy, calendar: BusinessCalendar | None = None) -> DueTimes:
    """Due times counted from when the customer first wrote.

    `calendar` is used only when the policy runs in business hours; pass the case's team's.
    """
    clock = calendar if policy.business_hours else None
    return DueTimes(
        first_response=add_minutes(opened_at, policy.first_response_minutes, clock),
        resolution=add_minutes(opened_at, policy.resolution_minutes, clock),
    )


@dataclass(frozen=True, slots=True)
class ResponseWait:
    """A customer waiting for an answer: since when, which target it is, and when it came (if it did)."""

    target: str  # first_response | next_response
    since: datetime
    answered_at: datetime | None


def response_waits(timeline: Sequence[tuple[bool, datetime]]) -> list[ResponseWait]:
    """The waits in a thread of (is_inbound, created_at) in time order.

    A wait starts at a customer post that follows an answer (or opens the thread) and ends at the
    brand's next post. Brand posts before the customer's first one (a campaign post the customer
    answers) end nothing.
    """
    waits: list[ResponseWait] = []
    since: datetime | None = None
    for inbound, at in timeline:
        if inbound:
            if since is None:
                since = at
        elif since is not None:
            waits.append(ResponseWait(_target(waits), since, at))
            since = None
    if since is not None:
        waits.append(ResponseWait(_target(waits), since, None))
    return waits


def _target(earlier: Sequence[ResponseWait]) -> str:
    return "next_response" if earlier else "first_response"


def response_due(wait: ResponseWait, policy: SlaPolicy, calendar: BusinessCalendar | None) -> datetime:
    minutes = policy.first_response_minutes if wait.target == "first_response" else policy.next_minutes
    return add_minutes(wait.since, minutes, calendar if policy.business_hours else None)


def parse_weekly(hours: Mapping[str, Sequence[Sequence[str]]]) -> dict[int, tuple[tuple[int, int], ...]]:
    """Read {"mon": [["09:00", "17:30"]], ...} into minutes; refuses what is not a valid schedule."""
    weekly: dict[int, tuple[tuple[int, int], ...]] = {}
    for name, intervals in hours.items():
        if name not in WEEKDAYS:
            raise InvalidAction(f"{name!r} is not a weekday (use {', '.join(WEEKDAYS)})")
        parsed = sorted(
            (_minutes(interval[0]), _minutes(interval[1])) for interval in intervals if len(interval) == 2
        )
        if len(parsed) != len(intervals):
            raise InvalidAction(f"{name}: every interval is a start and an end, such as 09:00-17:00")
        for (start, end), following in zip(parsed, [*parsed[1:], None], strict=True):
            if start >= end:
                raise InvalidAction(f"{name}: an interval must end after it starts ({_clock(start)})")
            if following is not None and following[0] < end:
                raise InvalidAction(f"{name}: intervals overlap at {_clock(following[0])}")
        if parsed:
            weekly[WEEKDAYS.index(name)] = tuple(parsed)
    return weekly


def parse_hours_text(text: str) -> dict[str, list[list[str]]]:
    """Read the settings form's schedule, one weekday a line: "mon 09:00-12:00 13:00-17:30"."""
    hours: dict[str, list[list[str]]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lower()
        if not line:
            continue
        name, *spans = line.split()
        if name[:3] not in WEEKDAYS:
            raise InvalidAction(f"line {number}: start with a weekday (mon, tue, …), not {name!r}")
        intervals = []
        for span in spans:
            if "-" not in span:
                raise InvalidAction(f"line {number}: write an interval as 09:00-17:00, not {span!r}")
            start, _, end = span.partition("-")
            intervals.append([start, end])
        hours.setdefault(name[:3], []).extend(intervals)
    parse_weekly(hours)
    return hours


def hours_text(hours: Mapping[str, Sequence[Sequence[str]]] | None) -> str:
    if not hours:
        return ""
    return "\n".join(
        f"{day} " + " ".join(f"{a}-{b}" for a, b in hours[day]) for day in WEEKDAYS if hours.get(day)
    )


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidAction(f"{name!r} is not an IANA time zone such as Europe/Amsterdam") from None
    return name


def _minutes(clock: str) -> int:
    match = _CLOCK.match(clock.strip())
    if match is None:
        raise InvalidAction(f"{clock!r} is not a time of day such as 09:00")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > MINUTES_PER_DAY:
        raise InvalidAction(f"{clock!r} is after midnight")
    return minutes


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
