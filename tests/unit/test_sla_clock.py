"""Business-hours arithmetic: weekends, holidays, clock changes, and the waits a thread owes answers for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from socialdesk.core.errors import InvalidAction
from socialdesk.routing.sla import (
    BusinessCalendar,
    SlaPolicy,
    add_minutes,
    due_times,
    parse_hours_text,
    parse_weekly,
    response_waits,
)
from socialdesk.store.repos.sla_badges import breach_risk

WEEKDAYS_9_TO_5 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def amsterdam(holidays: frozenset[date] = frozenset()) -> BusinessCalendar:
    return BusinessCalendar("Europe/Amsterdam", parse_weekly(WEEKDAYS_9_TO_5), holidays)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_around_the_clock_without_a_calendar() -> None:
    assert add_minutes(utc(2026, 11, 21, 23, 30), 60, None) == utc(2026, 11, 22, 0, 30)


def test_inside_opening_hours_the_clock_runs_normally() -> None:
    # Tuesday 10:00 in Amsterdam (CET, UTC+1) is 09:00 UTC.
    assert amsterdam().add(utc(2026, 11, 17, 9, 0), 90) == utc(2026, 11, 17, 10, 30)


def test_a_post_at_night_starts_counting_at_opening() -> None:
    # Tuesday 23:00 local: the clock starts Wednesday 09:00 local = 08:00 UTC.
    assert amsterdam().add(utc(2026, 11, 17, 22, 0), 30) == utc(2026, 11, 18, 8, 30)


def test_friday_afternoon_runs_over_the_weekend_to_monday() -> None:
    # Friday 16:00 local + 2 business hours = 1 h on Friday, 1 h on Monday: Monday 10:00 local.
    assert amsterdam().add(utc(2026, 11, 20, 15, 0), 120) == utc(2026, 11, 23, 9, 0)


def test_holidays_are_skipped() -> None:
    calendar = amsterdam(frozenset({date(2026, 12, 25)}))
    # Thursday 24 December 16:30 local + 60 min: 30 on the 24th, the 25th is a holiday, 30 on Monday 28th.
    assert calendar.add(utc(2026, 12, 24, 15, 30), 60) == utc(2026, 12, 28, 8, 30)


def test_opening_hours_stay_wall_clock_across_the_spring_change() -> None:
    # Friday 27 March 2026 16:00 CET (15:00 UTC) + 2 h: Monday 30 March 10:00 CEST = 08:00 UTC.
    assert amsterdam().add(utc(2026, 3, 27, 15, 0), 120) == utc(2026, 3, 30, 8, 0)


def test_is_open() -> None:
    assert amsterdam().is_open(utc(2026, 11, 20, 8, 0))  # Friday 09:00 local
    assert not amsterdam().is_open(utc(2026, 11, 20, 16, 0))  # Friday 17:00 local
    assert not amsterdam().is_open(utc(2026, 11, 21, 10, 0))  # Saturday


def test_a_day_of_23_hours_counts_23_hours() -> None:
    all_day = BusinessCalendar("Europe/Amsterdam", parse_weekly({"sun": [["00:00", "24:00"]]}))
    start = utc(2026, 3, 28, 23, 0)  # Sunday 29 March 00:00 CET; the clocks go forward at 02:00
    assert all_day.add(start, 23 * 60) == utc(2026, 3, 29, 22, 0)  # Monday 00:00 CEST
    # Counting from a local start time gives the same instants.
    local = start.astimezone(all_day.zone)
    assert all_day.add(local, 3 * 60) == utc(2026, 3, 29, 2, 0)  # 05:00 CEST: 3 real hours later
    with pytest.raises(InvalidAction):
        BusinessCalendar("Europe/Amsterdam", {}).add(start, 1)


def test_autumn_change_gives_a_25_hour_day() -> None:
    all_day = BusinessCalendar("Europe/Amsterdam", parse_weekly({"sun": [["00:00", "24:00"]]}))
    start = utc(2026, 10, 24, 22, 0)  # Sunday 25 October 00:00 CEST
    assert all_day.add(start, 25 * 60) == utc(2026, 10, 25, 23, 0)  # Monday 00:00 CET


def test_due_times_use_the_calendar_only_for_business_hours_policies() -> None:
    opened = utc(2026, 11, 20, 15, 0)  # Friday 16:00 in Amsterdam
    business = SlaPolicy(120, 8 * 60, business_hours=True)
    assert due_times(opened, business, amsterdam()).first_response == utc(2026, 11, 23, 9, 0)
    # 8 h: 1 on Friday, 7 on Monday (09:00-16:00 local).
    assert due_times(opened, business, amsterdam()).resolution == utc(2026, 11, 23, 15, 0)
    clock = SlaPolicy(120, 8 * 60)
    assert due_times(opened, clock, amsterdam()).first_response == opened + timedelta(hours=2)


def test_response_waits_from_a_thread() -> None:
    t = [utc(2026, 11, 20, 9, m) for m in range(0, 60, 5)]
    timeline = [(False, t[0]), (True, t[1]), (True, t[2]), (False, t[3]), (True, t[4])]
    waits = response_waits(timeline)
    assert [(w.target, w.since, w.answered_at) for w in waits] == [
        ("first_response", t[1], t[3]),
        ("next_response", t[4], None),
    ]
    assert response_waits([(False, t[0])]) == []


def test_breach_risk_is_a_quarter_of_the_target_or_fifteen_minutes() -> None:
    now = utc(2026, 11, 20, 9, 0)
    assert breach_risk(now + timedelta(minutes=14), 30, now)  # 15 min floor
    assert not breach_risk(now + timedelta(minutes=16), 30, now)
    assert breach_risk(now + timedelta(minutes=59), 240, now)  # a quarter of 4 h
    assert not breach_risk(now + timedelta(minutes=61), 240, now)
    assert breach_risk(now - timedelta(minutes=1), 240, now)  # already late
    assert not breach_risk(None, 60, now)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon 09:00", "interval"),
        ("someday 09:00-17:00", "weekday"),
        ("mon 17:00-09:00", "end after"),
        ("mon 09:00-12:00 11:00-13:00", "overlap"),
        ("mon 9am-5pm", "time of day"),
        ("mon 09:00-24:30", "after midnight"),
    ],
)
def test_bad_schedules_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidAction, match=message):
        parse_hours_text(text)


def test_a_schedule_in_text() -> None:
    hours = parse_hours_text("Mon 09:00-12:00 13:00-17:30\nsat 10:00-14:00\n")
    assert hours == {"mon": [["09:00", "12:00"], ["13:00", "17:30"]], "sat": [["10:00", "14:00"]]}
    assert parse_weekly(hours)[0] == ((540, 720), (780, 1050))
