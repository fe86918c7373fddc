"""Routing rules: a workspace's ordered list of "when these conditions hold, do these actions".

The engine is pure: `evaluate` takes the rules and the facts of one post (`PostFacts`) and returns
every rule's result (each condition with the value it saw) and the combined `Outcome`. The pipeline
(`pipeline.rule_runs`) applies that outcome to the case; the dry-run shows the same evaluation without
applying anything. When no rule sets a team, `route_by_language` (the first rule SocialDesk had) picks
the team that answers in the customer's language.

Order: enabled rules run top to bottom; every rule that matches adds its actions, and a matching rule
with `stop` ends the run. Later rules win where actions conflict (team, assignee), except priority,
where the highest asked for wins (no rule undoes another's escalation); tags add up; only the first
acknowledgement is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from socialdesk.core.types import Intent, Priority, Sentiment
from socialdesk.routing.keywords import fold, found_keywords
from socialdesk.routing.rule_specs import (
    AddTags,
    Assign,
    AutoAcknowledge,
    Condition,
    Escalate,
    MarkSpam,
    RuleSpec,
    SetPriority,
    SetTeam,
)

ESCALATED_TAG = "escalated"
SPAM_TAG = "spam"
RULE_PREFIX = "rule "  # `Case.routed_by` of a team chosen by a rule: "rule 7: Spanish speakers"
# The idempotency key of a case's automatic acknowledgement: one per case, and not an agent's answer.
ACKNOWLEDGEMENT_KEY = "auto-ack:case:"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class TeamLike(Protocol):
    id: int
    is_default: bool

    @property
    def language_codes(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    team_id: int | None
    rule: str  # which rule decided, shown to agents as "routed by"


def route_by_language(teams: Sequence[TeamLike], language: str | None) -> RoutingDecision:
    """The first team (in the given order) that lists `language`; else the default team; else none."""
    if language:
        for team in teams:
            if language in team.language_codes:
                return RoutingDecision(team.id, f"language:{language}")
    for team in teams:
        if team.is_default:
            return RoutingDecision(team.id, "default team")
    return RoutingDecision(None, "no team")


def is_acknowledgement(idempotency_key: str | None) -> bool:
    """True for the reply a rule sent automatically: it tells the customer we heard, it answers nothing."""
    return idempotency_key is not None and idempotency_key.startswith(ACKNOWLEDGEMENT_KEY)


def is_rule_route(routed_by: str | None) -> bool:
    """True when a routing rule (not the language fallback) chose the case's team."""
    return routed_by is not None and routed_by.startswith(RULE_PREFIX)


AttributeValue = str | int | float | bool


@dataclass(frozen=True, slots=True)
class PostFacts:
    """What rules may look at: one customer post, its triage, its channel and its customer."""

    text: str
    network: str
    channel_account_id: int | None = None
    is_private: bool = False
    language: str | None = None
    sentiment: Sentiment | None = None
    intent: Intent | None = None
    is_complaint: bool | None = None
    urgency: float | None = None
    topic: str | None = None
    place_name: str | None = None
    place_country: str | None = None
    followers: int | None = None
    customer_tags: frozenset[str] = frozenset()
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    segment_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Rule:
    """A stored rule as the engine sees it."""

    id: int
    spec: RuleSpec

    @property
    def label(self) -> str:
        return f"{RULE_PREFIX}{self.id}: {self.spec.name}"[:64]


@dataclass(frozen=True, slots=True)
class ConditionResult:
    condition: Condition
    actual: object  # the value the post had, for the dry-run's "because"
    passed: bool


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: Rule
    conditions: tuple[ConditionResult, ...]
    matched: bool
    skipped: str | None = None  # "disabled", or "after stop" once an earlier rule stopped the run


@dataclass(frozen=True, slots=True)
class Outcome:
    team_id: int | None = None
    team_rule: str | None = None  # the label of the rule that chose the team
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    assignee_id: int | None = None
    acknowledgement: str | None = None  # the template; the pipeline fills its variables
    acknowledgement_rule_id: int | None = None
    spam: bool = False
    rule_ids: tuple[int, ...] = ()  # the rules that matched, in order

    @property
    def empty(self) -> bool:
        return not self.rule_ids


@dataclass(frozen=True, slots=True)
class Evaluation:
    results: tuple[RuleResult, ...]
    outcome: Outcome

    @property
    def matched(self) -> list[RuleResult]:
        return [r for r in self.results if r.matched]


def actual_value(condition: Condition, facts: PostFacts) -> object:
    """The post's value for the condition's field (None when unknown)."""
    if condition.field == "attribute":
        return facts.attributes.get(condition.key or "")
    if condition.field == "segment":
        return facts.segment_ids
    if condition.field == "text":
        return facts.text
    value: object = getattr(facts, condition.field)
    return value


def _same(a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) == fold(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _member(needle: object, haystack: object) -> bool:
    items = haystack if isinstance(haystack, frozenset | set | list | tuple) else ()
    return any(_same(needle, item) for item in items)


def check(condition: Condition, facts: PostFacts) -> ConditionResult:
    """One condition on one post. An unknown value fails every test except `exists false`: a rule
    never fires on what triage could not tell."""
    actual = actual_value(condition, facts)
    op, value = condition.op, condition.value
    if condition.field == "text":
        hits = found_keywords(facts.text, value)
        return ConditionResult(condition, hits, bool(hits))
    is_set = isinstance(actual, frozenset)
    known = bool(actual) if is_set else actual is not None
    if op == "exists":
        return ConditionResult(condition, actual, known is value)
    if not known and not (is_set and op in ("is_not", "not_in")):
        return ConditionResult(condition, actual, False)
    if isinstance(actual, Sentiment | Intent):
        actual = actual.value
    passed: bool
    if is_set:
        if op == "is":
            passed = _member(value, actual)
        elif op == "is_not":
            passed = not _member(value, actual)
        elif op in ("in", "contains_any"):
            passed = any(_member(v, actual) for v in value)
        else:  # not_in
            passed = not any(_member(v, actual) for v in value)
    elif op == "is":
        passed = _same(actual, value)
    elif op == "is_not":
        passed = not _same(actual, value)
    elif op in ("in", "contains_any"):
        passed = _member(actual, value)
    elif op == "not_in":
        passed = not _member(actual, value)
    elif isinstance(actual, int | float) and not isinstance(actual, bool):
        passed = actual >= value if op == ">=" else actual <= value
    else:
        passed = False
    return ConditionResult(condition, actual, passed)


def _matches(spec: RuleSpec, results: Sequence[ConditionResult]) -> bool:
    if not results:
        return True  # a rule without conditions catches every post that reaches it
    if spec.match == "all":
        return all(r.passed for r in results)
    return any(r.passed for r in results)


def evaluate(rules: Sequence[Rule], facts: PostFacts) -> Evaluation:
    """Run the rules in the order given on one post; every condition is reported, even after a miss."""
    results: list[RuleResult] = []
    stopped = False
    for rule in rules:
        conditions = tuple(check(c, facts) for c in rule.spec.conditions)
        if not rule.spec.enabled:
            results.append(RuleResult(rule, conditions, False, "disabled"))
        elif stopped:
            results.append(RuleResult(rule, conditions, False, "after stop"))
        else:
            matched = _matches(rule.spec, conditions)
            results.append(RuleResult(rule, conditions, matched))
            stopped = matched and rule.spec.stop
    return Evaluation(tuple(results), combine([r.rule for r in results if r.matched]))


def combine(matched: Sequence[Rule]) -> Outcome:
    """The actions of the matching rules, in order: later ones win, tags add up, one acknowledgement."""
    team_id = team_rule = priority = assignee_id = acknowledgement = acknowledgement_rule_id = None
    tags: list[str] = []
    spam = False
    for rule in matched:
        for action in rule.spec.actions:
            if isinstance(action, SetTeam):
                team_id, team_rule = action.team_id, rule.label
            elif isinstance(action, SetPriority | Escalate):
                wanted = action.priority if isinstance(action, SetPriority) else Priority.URGENT
                if priority is None or PRIORITY_RANK[wanted] > PRIORITY_RANK[priority]:
                    priority = wanted  # no rule undoes another's escalation
                if isinstance(action, Escalate):
                    tags.append(ESCALATED_TAG)
            elif isinstance(action, AddTags):
                tags.extend(action.tags)
            elif isinstance(action, Assign):
                assignee_id = action.agent_id
            elif isinstance(action, AutoAcknowledge):
                if acknowledgement is None:
                    acknowledgement, acknowledgement_rule_id = action.text, rule.id
            elif isinstance(action, MarkSpam):
                spam = True
                tags.append(SPAM_TAG)
    return Outcome(
        team_id=team_id,
        team_rule=team_rule,
        priority=priority,
        tags=tuple(dict.fromkeys(tags)),
        assignee_id=assignee_id,
        acknowledgement=acknowledgement,
        acknowledgement_rule_id=acknowledgement_rule_id,
        spam=spam,
        rule_ids=tuple(r.id for r in matched),
    )
