"""Running a workspace's routing rules on its new customer posts, after their triage.

Called by `pipeline.enrichment.route_triaged_posts` in the triage job's transaction. For each new
customer post: the post's facts (`routing.rules.PostFacts`), the engine's outcome, its actions
applied to the case, and a `RoutingRun` row for the post. That row, written in the same transaction,
makes the run idempotent: a job that runs twice, or again after a crash rolled the first attempt back,
applies nothing twice. The acknowledgement is a reply with the idempotency key
``auto-ack:case:<id>``, so a case gets at most one, whatever happens.

Where the actions meet an existing case:
- team: the rule's team replaces the language fallback and holds until a later rule changes it;
- priority: set freely on the case's first customer post; later posts may only raise it, so a calm
  follow-up never de-escalates a case;
- assign: only when the case has no assignee (a rule never takes a case away from an agent);
- acknowledgement: only while nobody has answered, for a post less than a day old (never for an old
  archive being imported), on a connected (active) channel, within the network's length limit; sent in
  the name of the admin who last saved the rule, through the outbox like any reply;
- spam: tagged "spam" and resolved, which stops its service-level clocks (nothing is owed on a
  resolved case).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.clock import as_utc, utcnow
from socialdesk.core.errors import InvalidAction
from socialdesk.core.types import CaseStatus, Direction, Intent, Priority, Sentiment
from socialdesk.pipeline.case_actions import queue_reply
from socialdesk.pipeline.faults import crash_point
from socialdesk.pipeline.segments import segment_ids_for
from socialdesk.routing.rule_specs import parse_rule, render_template
from socialdesk.routing.rules import (
    ACKNOWLEDGEMENT_KEY,
    PRIORITY_RANK,
    AttributeValue,
    Outcome,
    PostFacts,
    Rule,
    evaluate,
)
from socialdesk.store.models import (
    Agent,
    Case,
    ChannelAccount,
    Customer,
    CustomerLabel,
    Post,
    RoutingRule,
    RoutingRun,
    Tag,
    Team,
    Workspace,
)
from socialdesk.store.repos.merges import merge_target

log = logging.getLogger(__name__)

ACKNOWLEDGE_WITHIN = timedelta(hours=24)


def load_rules(session: Session, workspace_id: int) -> list[Rule]:
    """The workspace's rules in order, as the engine sees them. A stored rule that no longer parses
    (a field was renamed since it was saved) is left out with a warning rather than stopping triage."""
    rules = []
    for row in session.scalars(
        select(RoutingRule)
        .where(RoutingRule.workspace_id == workspace_id)
        .order_by(RoutingRule.position, RoutingRule.id)
    ):
        try:
            rules.append(Rule(row.id, parse_rule(spec_data(row))))
        except InvalidAction as exc:
            log.warning("routing rule %s of workspace %s is skipped: %s", row.id, workspace_id, exc)
    return rules


def spec_data(row: RoutingRule) -> dict[str, Any]:
    return {
        "name": row.name,
        "enabled": row.enabled,
        "match": row.match,
        "conditions": row.conditions,
        "actions": row.actions,
        "stop": row.stop,
    }


CUSTOMER_FIELDS = frozenset({"customer_tags", "attribute", "segment"})


def fields_used(rules: Sequence[Rule]) -> frozenset[str]:
    return frozenset(c.field for rule in rules for c in rule.spec.conditions)


def customer_facts(
    session: Session, workspace_id: int, customer_id: int | None, *, segments: bool = True
) -> tuple[frozenset[str], dict[str, AttributeValue], frozenset[int]]:
    """The customer's tags, attributes and (when asked, as matching every segment costs the most)
    segments, as rules see them."""
    if customer_id is None:
        return frozenset(), {}, frozenset()
    customer = session.get(Customer, customer_id)
    if customer is None or customer.workspace_id != workspace_id:
        return frozenset(), {}, frozenset()
    tags = frozenset(
        session.scalars(
            select(CustomerLabel.value).where(
                CustomerLabel.customer_id == customer_id, CustomerLabel.kind == "tag"
            )
        )
    )
    attributes = {
        str(k): v for k, v in (customer.attributes or {}).items() if isinstance(v, str | int | float | bool)
    }
    return tags, attributes, segment_ids(session, workspace_id, customer_id) if segments else frozenset()


def segment_ids(session: Session, workspace_id: int, customer_id: int) -> frozenset[int]:
    """The segments the customer belongs to (`pipeline.segments`: the pure matcher on their facts)."""
    return segment_ids_for(session, workspace_id, customer_id)


def post_facts(session: Session, post: Post, needed: frozenset[str] = CUSTOMER_FIELDS) -> PostFacts:
    """The post's facts; the customer's are only looked up when a rule in `needed` asks for them."""
    details: dict[str, Any] = post.triage or {}
    topics = details.get("topics") or []
    places = details.get("places") or []
    tags, attributes, segments = (
        customer_facts(session, post.workspace_id, post.customer_id, segments="segment" in needed)
        if needed & CUSTOMER_FIELDS
        else (frozenset(), {}, frozenset())
    )
    return PostFacts(
        text=post.text,
        network=post.network,
        channel_account_id=post.channel_account_id,
        is_private=post.is_private,
        language=post.language or post.declared_language,
        sentiment=Sentiment(post.sentiment) if post.sentiment else None,
        intent=Intent(post.intent) if post.intent else None,
        is_complaint=post.is_complaint,
        urgency=post.urgency,
        topic=topics[0]["label"] if topics else None,
        place_name=places[0]["name"] if places else None,
        place_country=places[0]["country"] if places else None,
        followers=post.author_followers,
        customer_tags=tags,
        attributes=attributes,
        segment_ids=segments,
    )


def run_rules(session: Session, posts: Sequence[Post]) -> list[Case]:
    """Run the rules on each new customer post among `posts` (just triaged); return the cases touched.

    Call inside the triage job's write transaction, with the posts' workspaces locked.
    """
    inbound = [p for p in posts if p.direction is Direction.INBOUND and p.deleted_at is None]
    if not inbound:
        return []
    done = set(
        session.scalars(select(RoutingRun.post_id).where(RoutingRun.post_id.in_([p.id for p in inbound])))
    )
    touched: dict[int, Case] = {}
    rules_of: dict[int, list[Rule]] = {}
    for post in sorted(inbound, key=lambda p: (as_utc(p.created_at), p.id)):
        if post.id in done:
            continue
        if post.workspace_id not in rules_of:
            rules_of[post.workspace_id] = load_rules(session, post.workspace_id)
        rules = rules_of[post.workspace_id]
        if not rules:
            continue
        case = session.scalars(
            select(Case).where(
                Case.workspace_id == post.workspace_id, Case.conversation_id == post.conversation_id
            )
        ).first()
        if case is None:
            continue
        target = merge_target(session, post.workspace_id, case.id)
        if target is not None:  # a merged duplicate: the case it joined takes the actions
            case = session.get_one(Case, target)
        outcome = evaluate(rules, post_facts(session, post, fields_used(rules))).outcome
        if outcome.empty:
            continue
        applied = apply_outcome(session, case, post, outcome)
        session.add(
            RoutingRun(
                workspace_id=post.workspace_id,
                post_id=post.id,
                case_id=case.id,
                rule_ids=list(outcome.rule_ids),
                applied=applied,
            )
        )
        now = utcnow()
        for row in session.scalars(select(RoutingRule).where(RoutingRule.id.in_(outcome.rule_ids))):
            row.hit_count += 1
            row.last_hit_at = now
        touched[case.id] = case
    session.flush()
    crash_point("after_rules")  # the crash tests kill the worker here, before the job's commit
    return list(touched.values())


def apply_outcome(session: Session, case: Case, post: Post, outcome: Outcome) -> list[str]:
    """Apply the engine's outcome to the case; return what changed, in words, for the case page."""
    applied: list[str] = []
    if outcome.team_id is not None:
        team = session.get(Team, outcome.team_id)
        if team is not None and team.workspace_id == case.workspace_id:
            if case.team_id != team.id or case.routed_by != outcome.team_rule:
                applied.append(f"team → {team.name}")
            case.team_id = team.id
            case.routed_by = outcome.team_rule
        else:
            applied.append(f"team {outcome.team_id} no longer exists")
    if outcome.priority is not None and outcome.priority != case.priority:
        first_post = as_utc(post.created_at) <= as_utc(case.opened_at)
        if first_post or PRIORITY_RANK[outcome.priority] > PRIORITY_RANK[Priority(case.priority)]:
            case.priority = outcome.priority
            applied.append(f"priority → {outcome.priority.value}")
    added = _add_tags(session, case, outcome.tags)
    if added:
        applied.append("tags + " + ", ".join(added))
    if outcome.assignee_id is not None and case.assignee_id is None:
        agent = session.get(Agent, outcome.assignee_id)
        if agent is not None and agent.workspace_id == case.workspace_id and agent.is_active:
            case.assignee_id = agent.id
            applied.append(f"assigned to {agent.name}")
        else:
            applied.append(f"agent {outcome.assignee_id} cannot take cases")
    if outcome.spam and case.status != CaseStatus.RESOLVED:
        case.status = CaseStatus.RESOLVED
        case.resolved_at = utcnow()
        applied.append("marked as spam")
    if outcome.acknowledgement is not None and not outcome.spam:
        note = _acknowledge(session, case, post, outcome)
        if note:
            applied.append(note)
    return applied


def _add_tags(session: Session, case: Case, names: Sequence[str]) -> list[str]:
    have = {t.name for t in case.tags}
    added = []
    for name in names:
        if name in have:
            continue
        tag = session.scalars(
            select(Tag).where(Tag.workspace_id == case.workspace_id, Tag.name == name)
        ).first()
        if tag is None:
            tag = Tag(workspace_id=case.workspace_id, name=name)
            session.add(tag)
        case.tags.append(tag)
        have.add(name)
        added.append(name)
    return added


def _acknowledge(session: Session, case: Case, post: Post, outcome: Outcome) -> str | None:
    """The acknowledgement, when every guard allows it; else a note saying why not (or None: sent)."""
    key = f"{ACKNOWLEDGEMENT_KEY}{case.id}"
    sent = session.scalar(
        select(Post.id).where(Post.workspace_id == case.workspace_id, Post.idempotency_key == key)
    )
    if sent is not None or case.first_responded_at is not None:
        return None  # acknowledged or answered already: nothing to say twice
    if utcnow() - as_utc(post.created_at) > ACKNOWLEDGE_WITHIN:
        return "no acknowledgement: the post is more than a day old"
    channel = session.get(ChannelAccount, case.channel_account_id) if case.channel_account_id else None
    if channel is None or channel.status != "active":
        return "no acknowledgement: the channel is not connected"
    rule_id = outcome.acknowledgement_rule_id
    rule = session.get(RoutingRule, rule_id) if rule_id is not None else None
    sender = session.get(Agent, rule.updated_by_id) if rule and rule.updated_by_id else None
    if sender is None or not sender.is_active or sender.workspace_id != case.workspace_id:
        return "no acknowledgement: nobody to send it as (save the rule again)"
    customer = session.get(Customer, case.customer_id) if case.customer_id else None
    text = render_template(
        outcome.acknowledgement or "",
        {
            "customer_name": (customer.display_name if customer else None)
            or post.author_name
            or post.author_handle,
            "customer_handle": post.author_handle,
            "brand": session.get_one(Workspace, case.workspace_id).name,
            "case_id": str(case.id),
        },
    )
    status, responded = case.status, case.first_responded_at
    try:
        with session.begin_nested():
            queue_reply(session, case, sender, text, key)
    except InvalidAction as exc:
        return f"no acknowledgement: {exc}"
    # An acknowledgement tells the customer they were heard; the case still waits for an answer.
    case.status, case.first_responded_at = status, responded
    return "acknowledged"
