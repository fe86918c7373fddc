"""A busy support queue, simulated: how long do the urgent posts wait under a given order?

Posts arrive in random order as a Poisson stream; one agent answers them one at a time, each in the same
handling time, at a utilisation just under 1 (a busy but not hopeless day). First-in-first-out answers
them in arrival order; the priority order always takes the waiting post with the highest score. Comparing
MEAN waits of the urgent class matters: any priority order shortens the median wait of every class, but
only an order that really puts urgent posts first shortens their mean (the conservation law of queues).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueResult:
    urgent_mean_fifo: float
    urgent_mean_priority: float
    other_mean_fifo: float
    other_mean_priority: float

    @property
    def speedup(self) -> float:
        """How many times sooner urgent posts are answered on mean wait (FIFO / priority)."""
        return (
            self.urgent_mean_fifo / self.urgent_mean_priority if self.urgent_mean_priority else float("inf")
        )


def _waits(arrivals: Sequence[float], scores: Sequence[float] | None) -> list[float]:
    order = sorted(range(len(arrivals)), key=arrivals.__getitem__)
    waits = [0.0] * len(arrivals)
    waiting: list[tuple[float, float, int]] = []
    clock = 0.0
    next_arrival = 0
    while next_arrival < len(order) or waiting:
        if not waiting:
            clock = max(clock, arrivals[order[next_arrival]])
        while next_arrival < len(order) and arrivals[order[next_arrival]] <= clock:
            item = order[next_arrival]
            key = -scores[item] if scores is not None else 0.0
            heapq.heappush(waiting, (key, arrivals[item], item))
            next_arrival += 1
        _, arrived, item = heapq.heappop(waiting)
        waits[item] = clock - arrived
        clock += 1.0  # one handling time
    return waits


def simulate(
    scores: Sequence[float], urgent: Sequence[bool], utilisation: float = 0.95, runs: int = 30
) -> QueueResult:
    """Average over `runs` random arrival orders of the same posts."""
    totals = [0.0, 0.0, 0.0, 0.0]
    n_urgent = sum(urgent)
    n_other = len(urgent) - n_urgent
    for run in range(runs):
        rng = random.Random(run)
        clock = 0.0
        arrivals = [0.0] * len(scores)
        for i in rng.sample(range(len(scores)), len(scores)):
            clock += rng.expovariate(utilisation)
            arrivals[i] = clock
        fifo = _waits(arrivals, None)
        ranked = _waits(arrivals, scores)
        for waits, offset in ((fifo, 0), (ranked, 1)):
            totals[offset] += sum(w for w, u in zip(waits, urgent, strict=True) if u) / max(n_urgent, 1)
            totals[2 + offset] += sum(w for w, u in zip(waits, urgent, strict=True) if not u) / max(
                n_other, 1
            )
    return QueueResult(*(t / runs for t in totals))
