"""The queue order: which waiting case an agent should take next.

One order serves auto-assignment (the next case for an agent who frees capacity) and the inbox's
"sort by urgency", so both agree on what "next" means. It is lexicographic and deliberately simple:

1. **Priority class** (urgent, high, normal, low). Priority is set by people or by a workspace's
   rules, which are explicit promises ("VIP customers are high"); a model's guess never overrides it.
2. **Urgency**, most urgent first: triage's urgency (a probability in [0, 1]) as it is, without
   steps. Its values crowd near zero (on the TWCS customer posts, six in seven score below 0.1, half
   below 0.003), so any fixed step would put most cases into one band and throw away the ranking
   triage made; only the order of the scores is used, never a threshold. A case triage has not
   reached yet counts as 0: triage follows within seconds, and nothing is known yet that would
   justify hurrying it.
3. **SLA due time**, soonest first; a case with a due time goes before one without, since a promise
   was made for it.
4. **Waiting since**, oldest first (among equally urgent cases, e.g. not yet triaged); then the case
   id, so that the order is total and deterministic.

`order_key` is a plain tuple so that callers can sort, `min` or heap on it; the same order is written
in SQL as `PRIORITY_RANK`, then `coalesce(urgency, 0)` descending, then due time and waiting since.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeAlias

from socialdesk.core.types import Intent, Priority, Sentiment

PRIORITY_RANK: dict[Priority, int] = {
    Priority.URGENT: 0,
    Priority.HIGH: 1,
    Priority.NORMAL: 2,
    Priority.LOW: 3,
}
_NO_DUE = datetime.max.replace(tzinfo=UTC)

OrderKey: TypeAlias = tuple[int, float, datetime, datetime, int]


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A case waiting for an agent, as much of it as the order (and those who show it) needs.

    `waiting_since` is when the customer's unanswered post arrived; `due_at` the SLA due time of the
    response now owed (first or next), if a policy set one. Both must be timezone-aware.
    `is_complaint`, `sentiment` and `intent` are carried for those who show or filter the queue; the
    order reads them only through `urgency`, which already weighs them.
    """

    case_id: int
    waiting_since: datetime
    priority: Priority = Priority.NORMAL
    urgency: float | None = None
    due_at: datetime | None = None
    is_complaint: bool | None = None
    sentiment: Sentiment | None = None
    intent: Intent | None = None


def urgency_value(urgency: float | None) -> float:
    """The urgency the order uses: within [0, 1], and 0 for a case not triaged yet."""
    if urgency is None or math.isnan(urgency):
        return 0.0
    return min(max(urgency, 0.0), 1.0)


def order_key(entry: QueueEntry) -> OrderKey:
    """Smaller is served first."""
    return (
        PRIORITY_RANK[entry.priority],
        -urgency_value(entry.urgency),
        entry.due_at if entry.due_at is not None else _NO_DUE,
        entry.waiting_since,
        entry.case_id,
    )


def sort_queue(entries: Iterable[QueueEntry]) -> list[QueueEntry]:
    """The entries in the order agents should take them."""
    return sorted(entries, key=order_key)
