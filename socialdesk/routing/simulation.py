"""A support team, simulated: N agents answer arriving cases one at a time, in a given queue order.

It drives the same code the product does: waiting cases become `QueueEntry`s ordered by
`queues.order_key` (or by arrival for first-in-first-out), and a freed agent is chosen with
`assignment.choose_agent`. Every agent works on one case at a time (capacity 1), no agent idles while
a case waits (work-conserving), and a case is never interrupted once taken (non-preemptive). A case's
wait is the time from its arrival to the moment an agent takes it.

Those three properties are what the conservation law of queues needs: with equal handling times,
every order gives the same total wait, so an order can only move waiting time between classes. Only
a good order moves it off the urgent ones; `benchmarks/routing_sim.py` measures how much.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from socialdesk.core.types import Priority
from socialdesk.routing.assignment import AssignmentMode, Candidate, Presence, choose_agent
from socialdesk.routing.queues import QueueEntry, order_key

Policy = Literal["fifo", "routed"]
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # simulated seconds become datetimes counted from here


@dataclass(frozen=True, slots=True)
class SimCase:
    """One arriving case. `arrives` and `handling` are seconds; `due_after` the SLA target in seconds."""

    case_id: int
    arrives: float
    handling: float
    priority: Priority = Priority.NORMAL
    urgency: float | None = None
    due_after: float | None = None

    def entry(self) -> QueueEntry:
        waiting_since = EPOCH + timedelta(seconds=self.arrives)
        due = waiting_since + timedelta(seconds=self.due_after) if self.due_after is not None else None
        return QueueEntry(self.case_id, waiting_since, self.priority, self.urgency, due)


@dataclass(frozen=True, slots=True)
class Served:
    case_id: int
    agent_id: int
    arrived: float
    started: float
    finished: float

    @property
    def wait(self) -> float:
        return self.started - self.arrived


def _fifo_key(case: SimCase) -> tuple[float, int]:
    return (case.arrives, case.case_id)


def _routed_key(case: SimCase) -> object:
    return order_key(case.entry())


def simulate(
    cases: Sequence[SimCase],
    agents: int,
    policy: Policy | Callable[[SimCase], object],
    mode: AssignmentMode = AssignmentMode.ROUND_ROBIN,
) -> list[Served]:
    """Serve every case; returns them in the order they were taken.

    `policy` is "fifo", "routed" (the product's queue order) or any key function (smaller first),
    which is how the benchmark adds its reference orders.
    """
    if agents < 1:
        raise ValueError("the team needs at least one agent")
    if mode is AssignmentMode.MANUAL:
        raise ValueError("a simulated team assigns automatically: round_robin or least_load")
    for case in cases:
        if not (math.isfinite(case.arrives) and math.isfinite(case.handling)) or case.handling < 0:
            raise ValueError(f"case {case.case_id}: arrival and handling must be finite, handling >= 0")
    key: Callable[[SimCase], object]
    if policy == "fifo":
        key = _fifo_key
    elif policy == "routed":
        key = _routed_key
    elif callable(policy):
        key = policy
    else:
        raise ValueError(f"unknown policy {policy!r}")
    arrivals = sorted(cases, key=_fifo_key)
    busy_until: dict[int, float] = {}  # agent id -> when their current case is done
    waiting: list[tuple[object, int, SimCase]] = []  # (key, tie-breaker, case): heapq needs a total order
    served: list[Served] = []
    last_assigned: int | None = None
    clock = 0.0
    next_arrival = 0
    while next_arrival < len(arrivals) or waiting:
        if not waiting or len(busy_until) == agents:
            # Nothing can be taken now: jump to the next arrival or the next agent to finish.
            upcoming = [arrivals[next_arrival].arrives] if next_arrival < len(arrivals) else []
            if busy_until:
                upcoming.append(min(busy_until.values()))
            clock = max(clock, min(upcoming))
        for agent_id in [a for a, done in busy_until.items() if done <= clock]:
            del busy_until[agent_id]
        while next_arrival < len(arrivals) and arrivals[next_arrival].arrives <= clock:
            case = arrivals[next_arrival]
            heapq.heappush(waiting, (key(case), next_arrival, case))
            next_arrival += 1
        while waiting and len(busy_until) < agents:
            candidates = [
                Candidate(a, Presence.ONLINE, 1 if a in busy_until else 0, 1) for a in range(1, agents + 1)
            ]
            chosen = choose_agent(candidates, mode, last_assigned)
            assert chosen is not None  # one is free: the loop condition says so
            agent_id = last_assigned = chosen
            _, _, case = heapq.heappop(waiting)
            busy_until[agent_id] = clock + case.handling
            served.append(Served(case.case_id, agent_id, case.arrives, clock, clock + case.handling))
    return served
