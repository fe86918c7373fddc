"""The simulated team of socialdesk/routing/simulation.py: worked examples and the laws a queue obeys."""

from __future__ import annotations

import itertools
import random
import statistics

import pytest

from socialdesk.core.types import Priority
from socialdesk.routing.assignment import AssignmentMode
from socialdesk.routing.simulation import Served, SimCase, simulate


def waits(served: list[Served]) -> dict[int, float]:
    return {s.case_id: s.wait for s in served}


def random_cases(seed: int, count: int, equal_handling: float | None = None) -> list[SimCase]:
    rng = random.Random(seed)
    clock = 0.0
    cases = []
    for case_id in range(1, count + 1):
        clock += rng.expovariate(1 / 50)
        handling = equal_handling if equal_handling is not None else rng.lognormvariate(4.5, 0.6)
        cases.append(SimCase(case_id, clock, handling, urgency=rng.random()))
    return cases


def test_fifo_on_one_agent_by_hand() -> None:
    cases = [SimCase(1, 0.0, 5.0), SimCase(2, 1.0, 5.0), SimCase(3, 2.0, 5.0), SimCase(4, 20.0, 5.0)]
    served = simulate(cases, 1, "fifo")
    assert [s.case_id for s in served] == [1, 2, 3, 4]
    assert waits(served) == {1: 0.0, 2: 4.0, 3: 8.0, 4: 0.0}


def test_routed_takes_the_more_urgent_waiting_case_and_fifo_does_not() -> None:
    cases = [
        SimCase(1, 0.0, 10.0, urgency=0.0),
        SimCase(2, 1.0, 10.0, urgency=0.1),
        SimCase(3, 2.0, 10.0, urgency=0.9),
    ]
    assert [s.case_id for s in simulate(cases, 1, "routed")] == [1, 3, 2]
    assert [s.case_id for s in simulate(cases, 1, "fifo")] == [1, 2, 3]
    assert waits(simulate(cases, 1, "routed")) == {1: 0.0, 3: 8.0, 2: 19.0}


def test_priority_class_comes_before_urgency_in_the_simulation() -> None:
    cases = [
        SimCase(1, 0.0, 10.0),
        SimCase(2, 1.0, 10.0, priority=Priority.NORMAL, urgency=0.99),
        SimCase(3, 2.0, 10.0, priority=Priority.HIGH, urgency=0.01),
    ]
    assert [s.case_id for s in simulate(cases, 1, "routed")] == [1, 3, 2]


def test_a_case_arriving_to_an_idle_team_is_taken_at_once_and_agents_take_turns() -> None:
    cases = [SimCase(i, 0.0, 30.0) for i in range(1, 4)] + [SimCase(4, 100.0, 30.0)]
    served = simulate(cases, 3, "routed", AssignmentMode.ROUND_ROBIN)
    assert all(s.wait == 0.0 for s in served)
    assert [s.agent_id for s in served] == [1, 2, 3, 1]


@pytest.mark.parametrize("agents", [1, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_equal_handling_times_no_order_changes_the_total_wait(agents: int, seed: int) -> None:
    """The conservation law: an order only moves waiting time between cases."""
    cases = random_cases(seed, 300, equal_handling=55.0 * agents)  # offered load about 1.1: a queue forms
    shuffled = {c.case_id: random.Random(seed).random() for c in cases}
    totals = [
        sum(waits(simulate(cases, agents, order)).values())
        for order in ("fifo", "routed", lambda c: shuffled[c.case_id], lambda c: -c.arrives)
    ]
    assert totals[0] > 0
    assert totals == pytest.approx([totals[0]] * len(totals), rel=1e-9)
    # ... while the urgent half does wait less under the routed order.
    urgent = {c.case_id for c in cases if c.urgency is not None and c.urgency >= 0.5}
    fifo, routed = waits(simulate(cases, agents, "fifo")), waits(simulate(cases, agents, "routed"))
    assert statistics.fmean(routed[i] for i in urgent) < statistics.fmean(fifo[i] for i in urgent)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_order_serves_every_case_once_with_the_same_total_work(seed: int) -> None:
    cases = random_cases(seed, 200)
    for order in ("fifo", "routed"):
        served = simulate(cases, 1, order)
        assert sorted(s.case_id for s in served) == [c.case_id for c in cases]
        assert sum(s.finished - s.started for s in served) == pytest.approx(sum(c.handling for c in cases))
    # One agent who never idles while a case waits finishes the last case at the same moment in any order.
    ends = [max(s.finished for s in simulate(cases, 1, order)) for order in ("fifo", "routed")]
    assert ends[0] == pytest.approx(ends[1])


def busy_through(intervals: list[tuple[float, float]], start: float, end: float) -> bool:
    """Whether the (started, finished) intervals cover [start, end] without a gap."""
    reached = start
    for begin, finish in sorted(intervals):
        if begin > reached + 1e-9:
            break
        reached = max(reached, finish)
    return reached >= end - 1e-9


@pytest.mark.parametrize("agents", [1, 2, 4])
def test_no_agent_idles_while_a_case_waits(agents: int) -> None:
    served = simulate(random_cases(7, 250), agents, "routed")
    by_agent = {a: [(s.started, s.finished) for s in served if s.agent_id == a] for a in range(1, agents + 1)}
    waited = [s for s in served if s.wait > 0]
    assert len(waited) > 50  # the test means something only if a queue formed
    for case in waited:
        for agent, intervals in by_agent.items():
            assert busy_through(intervals, case.arrived, case.started), (case, agent)
    for intervals in by_agent.values():  # one case at a time
        ordered = sorted(intervals)
        assert all(a[1] <= b[0] + 1e-9 for a, b in itertools.pairwise(ordered))


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="at least one agent"):
        simulate([SimCase(1, 0.0, 1.0)], 0, "fifo")
    with pytest.raises(ValueError, match="finite"):
        simulate([SimCase(1, 0.0, float("nan"))], 1, "fifo")
    with pytest.raises(ValueError, match="round_robin or least_load"):
        simulate([SimCase(1, 0.0, 1.0)], 1, "fifo", AssignmentMode.MANUAL)
