"""The routing rules engine: keywords, every operator, every action, order, stop, and refused rules."""

from __future__ import annotations

from typing import Any

import pytest

from socialdesk.core.errors import InvalidAction
from socialdesk.core.types import Intent, Priority, Sentiment
from socialdesk.routing.keywords import found_keywords
from socialdesk.routing.rule_specs import parse_rule, render_template
from socialdesk.routing.rules import PostFacts, Rule, check, evaluate

FACTS = PostFacts(
    text="@SkylarkAir Stranded in Zürich after a MISSED  connection, no hotel. Cancelación?",
    network="x",
    channel_account_id=3,
    language="en",
    sentiment=Sentiment.NEGATIVE,
    intent=Intent.COMPLAINT,
    is_complaint=True,
    urgency=0.86,
    topic="Delays",
    place_name="Zürich",
    place_country="CH",
    followers=1200,
    customer_tags=frozenset({"Frequent-Flyer"}),
    attributes={"tier": "Gold", "flights": 31},
    segment_ids=frozenset({4, 9}),
)


def rule(
    rule_id: int, *conditions: dict[str, Any], actions: list[dict[str, Any]] | None = None, **extra: Any
) -> Rule:
    spec = parse_rule(
        {
            "name": f"rule {rule_id}",
            "conditions": list(conditions),
            "actions": actions or [{"type": "escalate"}],
            **extra,
        }
    )
    return Rule(rule_id, spec)


def passes(condition: dict[str, Any], facts: PostFacts = FACTS) -> bool:
    spec = parse_rule({"name": "t", "conditions": [condition], "actions": [{"type": "escalate"}]})
    return check(spec.conditions[0], facts).passed


def test_keywords_match_whole_words_without_case_or_accents() -> None:
    assert found_keywords(FACTS.text, ["stranded", "missed connection", "cancelacion", "zurich"]) == [
        "stranded",
        "missed connection",
        "cancelacion",
        "zurich",
    ]
    assert (
        found_keywords("strandedness and connections", ["stranded", "missed connection", "connection"]) == []
    )
    assert found_keywords("#Stranded again", ["stranded"]) == ["stranded"]
    assert found_keywords("they refunded me", ["refund*"]) == ["refund*"]
    assert found_keywords("a refund", ["refunded"]) == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "sentiment", "op": "is", "value": "negative"}, True),
        ({"field": "sentiment", "op": "is_not", "value": "negative"}, False),
        ({"field": "intent", "op": "in", "value": ["question", "complaint"]}, True),
        ({"field": "intent", "op": "not_in", "value": ["question", "complaint"]}, False),
        ({"field": "language", "op": "is", "value": "EN"}, True),
        ({"field": "is_complaint", "op": "is", "value": True}, True),
        ({"field": "is_private", "op": "is", "value": True}, False),
        ({"field": "urgency", "op": ">=", "value": 0.8}, True),
        ({"field": "urgency", "op": "<=", "value": 0.8}, False),
        ({"field": "followers", "op": ">=", "value": 1000}, True),
        ({"field": "followers", "op": "<=", "value": 1000}, False),
        ({"field": "topic", "op": "is", "value": "delays"}, True),
        ({"field": "place_name", "op": "is", "value": "zurich"}, True),
        ({"field": "place_country", "op": "in", "value": ["ch", "de"]}, True),
        ({"field": "network", "op": "is_not", "value": "facebook"}, True),
        ({"field": "channel_account_id", "op": "is", "value": 3}, True),
        ({"field": "customer_tags", "op": "is", "value": "frequent-flyer"}, True),
        ({"field": "customer_tags", "op": "contains_any", "value": ["vip", "frequent-flyer"]}, True),
        ({"field": "customer_tags", "op": "not_in", "value": ["vip"]}, True),
        ({"field": "attribute", "key": "tier", "op": "is", "value": "gold"}, True),
        ({"field": "attribute", "key": "tier", "op": "in", "value": ["silver", "bronze"]}, False),
        ({"field": "attribute", "key": "missing", "op": "exists"}, False),
        ({"field": "attribute", "key": "missing", "op": "exists", "value": False}, True),
        ({"field": "segment", "op": "in", "value": [9]}, True),
        ({"field": "segment", "op": "is_not", "value": 4}, False),
        ({"field": "text", "op": "contains_any", "value": ["hotel", "refund"]}, True),
        ({"field": "text", "op": "contains_any", "value": ["refund"]}, False),
        ({"field": "place_name", "op": "exists"}, True),
    ],
)
def test_each_operator(condition: dict[str, Any], expected: bool) -> None:
    assert passes(condition) is expected


def test_unknown_values_fail_every_test_but_exists_false() -> None:
    blank = PostFacts(text="hello", network="x")
    assert not passes({"field": "sentiment", "op": "is_not", "value": "negative"}, blank)
    assert not passes({"field": "language", "op": "not_in", "value": ["en"]}, blank)
    assert not passes({"field": "urgency", "op": "<=", "value": 1}, blank)
    assert passes({"field": "sentiment", "op": "exists", "value": False}, blank)
    assert passes(
        {"field": "customer_tags", "op": "not_in", "value": ["vip"]}, blank
    )  # no tags: none of them


def test_actions_combine_in_order_later_rules_win_and_tags_add_up() -> None:
    rules = [
        rule(
            1, actions=[{"type": "set_team", "team_id": 5}, {"type": "add_tags", "tags": ["Delay", "delay"]}]
        ),
        rule(2, actions=[{"type": "set_priority", "priority": "high"}, {"type": "assign", "agent_id": 7}]),
        rule(3, actions=[{"type": "set_team", "team_id": 6}, {"type": "escalate"}]),
        rule(4, actions=[{"type": "auto_acknowledge", "text": "Hi {customer_name}"}]),
        rule(5, actions=[{"type": "auto_acknowledge", "text": "second"}, {"type": "mark_spam"}]),
    ]
    outcome = evaluate(rules, FACTS).outcome
    assert outcome.team_id == 6
    assert outcome.team_rule == "rule 3: rule 3"
    assert outcome.priority is Priority.URGENT
    assert outcome.tags == ("delay", "escalated", "spam")
    assert outcome.assignee_id == 7
    assert outcome.acknowledgement == "Hi {customer_name}"
    assert outcome.acknowledgement_rule_id == 4
    assert outcome.spam
    assert outcome.rule_ids == (1, 2, 3, 4, 5)


def test_match_all_or_any_stop_and_disabled_rules() -> None:
    complaint = {"field": "is_complaint", "op": "is", "value": True}
    praise = {"field": "intent", "op": "is", "value": "praise"}
    rules = [
        rule(1, complaint, praise, match="all"),
        rule(2, complaint, praise, match="any", enabled=False),
        rule(3, complaint, praise, match="any", stop=True, actions=[{"type": "set_team", "team_id": 2}]),
        rule(4, actions=[{"type": "set_team", "team_id": 9}]),
    ]
    evaluation = evaluate(rules, FACTS)
    assert [r.matched for r in evaluation.results] == [False, False, True, False]
    assert [r.skipped for r in evaluation.results] == [None, "disabled", None, "after stop"]
    assert [c.passed for c in evaluation.results[0].conditions] == [True, False]  # every condition reported
    assert evaluation.outcome.team_id == 2
    # Without the stop, the catch-all rule below takes the team.
    assert evaluate([rules[0], rules[3]], FACTS).outcome.team_id == 9


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "actions": []}, "actions: a rule needs at least one action"),
        ({"name": " ", "actions": [{"type": "escalate"}]}, "name: "),
        (
            {
                "name": "x",
                "conditions": [{"field": "sentiment", "op": "is", "value": "angry"}],
                "actions": [{"type": "escalate"}],
            },
            "conditions.0.value: sentiment is one of negative, neutral, positive (got 'angry')",
        ),
        (
            {
                "name": "x",
                "conditions": [{"field": "urgency", "op": "is", "value": 1}],
                "actions": [{"type": "escalate"}],
            },
            "conditions.0.op: urgency takes >=, <=, exists",
        ),
        (
            {
                "name": "x",
                "conditions": [{"field": "urgency", "op": ">=", "value": 3}],
                "actions": [{"type": "escalate"}],
            },
            "conditions.0.value: urgency is between 0 and 1",
        ),
        (
            {
                "name": "x",
                "conditions": [{"field": "attribute", "op": "is", "value": "a"}],
                "actions": [{"type": "escalate"}],
            },
            "conditions.0.key: ",
        ),
        (
            {
                "name": "x",
                "conditions": [{"field": "language", "op": "in", "value": []}],
                "actions": [{"type": "escalate"}],
            },
            "conditions.0.value: in needs a list of values",
        ),
        (
            {
                "name": "x",
                "conditions": [{"field": "colour", "op": "is", "value": 1}],
                "actions": [{"type": "escalate"}],
            },
            "conditions.0.field: ",
        ),
        ({"name": "x", "actions": [{"type": "teleport"}]}, "actions.0.type: type is one of set_team"),
        ({"name": "x", "actions": [{"type": "set_team"}]}, "actions.0.team_id: Field required"),
        ({"name": "x", "actions": [{"type": "set_priority", "priority": "asap"}]}, "actions.0.priority: "),
        (
            {"name": "x", "actions": [{"type": "auto_acknowledge", "text": "Hi {name}"}]},
            "actions.0.text: unknown variable {name}",
        ),
        (
            {"name": "x", "actions": [{"type": "escalate", "level": 3}]},
            "actions.0.level: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_rules_are_refused_naming_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidAction) as refused:
        parse_rule(data)
    assert message in str(refused.value)


def test_acknowledgement_templates_fill_known_variables() -> None:
    text = "Hi {customer_name}, {brand} is on case {case_id}."
    assert render_template(text, {"customer_name": "Ana", "brand": "Skylark Air", "case_id": "7"}) == (
        "Hi Ana, Skylark Air is on case 7."
    )


def test_conditions_describe_themselves_for_the_dry_run() -> None:
    spec = parse_rule(
        {
            "name": "t",
            "conditions": [
                {"field": "is_complaint", "op": "is", "value": True},
                {"field": "language", "op": "not_in", "value": ["de", "nl"]},
                {"field": "attribute", "key": "tier", "op": "exists", "value": False},
                {"field": "text", "op": "contains_any", "value": ["stranded", "missed connection"]},
            ],
            "actions": [{"type": "escalate"}],
        }
    )
    assert [c.describe() for c in spec.conditions] == [
        "is_complaint is true",
        "language not in de, nl",
        "attribute tier is unknown",
        "text contains any of stranded, missed connection",
    ]
