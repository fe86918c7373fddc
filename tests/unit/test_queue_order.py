"""The queue order of socialdesk/routing/queues.py: priority class, then urgency, then due, then age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialdesk.core.types import Priority
from socialdesk.routing.queues import QueueEntry, order_key, sort_queue, urgency_value

T0 = datetime(2017, 10, 31, 12, 0, tzinfo=UTC)


def entry(
    case_id: int,
    minutes: int = 0,
    priority: Priority = Priority.NORMAL,
    urgency: float | None = None,
    due_at: datetime | None = None,
) -> QueueEntry:
    return QueueEntry(case_id, T0 + timedelta(minutes=minutes), priority, urgency, due_at)


def ids(entries: list[QueueEntry]) -> list[int]:
    return [e.case_id for e in entries]


def test_priority_class_beats_urgency_and_age() -> None:
    queue = [
        entry(1, 0, priority=Priority.LOW, urgency=0.99),
        entry(2, 5, priority=Priority.NORMAL, urgency=0.9),
        entry(3, 9, priority=Priority.URGENT, urgency=0.0),
        entry(4, 1, priority=Priority.HIGH, urgency=0.1),
    ]
    assert ids(sort_queue(queue)) == [3, 4, 2, 1]


def test_more_urgent_goes_first_within_a_class_whatever_its_age() -> None:
    queue = [entry(1, 0, urgency=0.15), entry(2, 30, urgency=0.85), entry(3, 10, urgency=0.55)]
    assert ids(sort_queue(queue)) == [2, 3, 1]


def test_small_urgency_differences_still_order_the_queue() -> None:
    # Most posts score near zero; the ranking among them is kept, not flattened into one band.
    queue = [entry(1, 0, urgency=0.0004), entry(2, 10, urgency=0.003), entry(3, 5, urgency=0.0011)]
    assert ids(sort_queue(queue)) == [2, 3, 1]


def test_older_case_goes_first_among_equally_urgent() -> None:
    queue = [entry(1, 10, urgency=0.41), entry(2, 0, urgency=0.41), entry(3, 5, urgency=0.41)]
    assert ids(sort_queue(queue)) == [2, 3, 1]


def test_untriaged_case_ranks_as_zero_urgency_by_age() -> None:
    queue = [entry(1, 5, urgency=0.0), entry(2, 0, urgency=None), entry(3, 9, urgency=0.0001)]
    assert ids(sort_queue(queue)) == [3, 2, 1]


def test_sooner_due_time_goes_first_and_a_due_time_beats_none() -> None:
    queue = [
        entry(1, 0, urgency=0.5),
        entry(2, 20, urgency=0.5, due_at=T0 + timedelta(minutes=90)),
        entry(3, 10, urgency=0.5, due_at=T0 + timedelta(minutes=40)),
    ]
    assert ids(sort_queue(queue)) == [3, 2, 1]


def test_case_id_breaks_a_complete_tie_so_the_order_is_total() -> None:
    queue = [entry(7, 0, urgency=0.2), entry(3, 0, urgency=0.2)]
    assert ids(sort_queue(queue)) == [3, 7]
    assert ids(sort_queue(list(reversed(queue)))) == [3, 7]


@pytest.mark.parametrize(
    ("urgency", "value"),
    [(None, 0.0), (float("nan"), 0.0), (-0.2, 0.0), (0.0, 0.0), (0.0999, 0.0999), (1.0, 1.0), (1.7, 1.0)],
)
def test_urgency_value(urgency: float | None, value: float) -> None:
    assert urgency_value(urgency) == value


def test_key_is_a_plain_sortable_tuple() -> None:
    a, b = entry(1, 0, urgency=0.8), entry(2, 0, urgency=0.2)
    assert order_key(a) < order_key(b)
    assert min([b, a], key=order_key) is a
