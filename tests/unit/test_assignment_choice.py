"""Choosing an agent: online, under capacity, in turn or by least load, always the same answer."""

from __future__ import annotations

from socialdesk.routing.assignment import AssignmentMode, Candidate, Presence, choose_agent

ONLINE, AWAY, OFFLINE = Presence.ONLINE, Presence.AWAY, Presence.OFFLINE
RR, LEAST = AssignmentMode.ROUND_ROBIN, AssignmentMode.LEAST_LOAD


def team(*members: tuple[int, Presence, int, int]) -> list[Candidate]:
    return [Candidate(*m) for m in members]


def test_manual_mode_never_chooses() -> None:
    assert choose_agent(team((1, ONLINE, 0, 5)), AssignmentMode.MANUAL) is None


def test_only_online_agents_with_room_are_chosen() -> None:
    members = team((1, AWAY, 0, 5), (2, OFFLINE, 0, 5), (3, ONLINE, 5, 5), (4, ONLINE, 0, 0))
    assert choose_agent(members, RR) is None
    assert choose_agent(members, LEAST) is None
    members.append(Candidate(5, ONLINE, 4, 5))
    assert choose_agent(members, RR) == 5
    assert choose_agent(members, LEAST) == 5


def test_round_robin_takes_turns_and_wraps_around() -> None:
    members = team((3, ONLINE, 0, 5), (1, ONLINE, 0, 5), (2, ONLINE, 0, 5))
    assert choose_agent(members, RR, None) == 1
    assert choose_agent(members, RR, 1) == 2
    assert choose_agent(members, RR, 2) == 3
    assert choose_agent(members, RR, 3) == 1
    # The pointer may name someone who has since left or gone away: the next one after them goes.
    assert choose_agent(team((1, ONLINE, 0, 5), (4, ONLINE, 0, 5)), RR, 2) == 4


def test_round_robin_skips_who_is_full() -> None:
    members = team((1, ONLINE, 0, 5), (2, ONLINE, 2, 2), (3, ONLINE, 0, 5))
    assert choose_agent(members, RR, 1) == 3


def test_least_load_is_by_share_of_capacity_then_count_then_id() -> None:
    assert choose_agent(team((1, ONLINE, 3, 10), (2, ONLINE, 1, 2)), LEAST) == 1  # 30 % before 50 %
    assert choose_agent(team((1, ONLINE, 2, 4), (2, ONLINE, 1, 2)), LEAST) == 2  # 50 % each: fewer cases
    assert choose_agent(team((2, ONLINE, 1, 4), (1, ONLINE, 1, 4)), LEAST) == 1  # a tie: the lower id


def test_the_choice_does_not_depend_on_the_order_given() -> None:
    members = team((1, ONLINE, 1, 5), (2, ONLINE, 0, 5), (3, ONLINE, 2, 5))
    for mode in (RR, LEAST):
        assert choose_agent(members, mode, 1) == choose_agent(list(reversed(members)), mode, 1)
