"""The dry-run: which rule a sample post would hit, using the real fast triage, writing nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from socialdesk.core.errors import InvalidAction
from socialdesk.core.types import Triage, TriageInput
from socialdesk.pipeline.enrichment import triager_for
from socialdesk.pipeline.rule_runs import customer_facts, load_rules
from socialdesk.routing.rules import Evaluation, PostFacts, evaluate
from socialdesk.store.db import Database
from socialdesk.store.models import Identity

MAX_TEXT = 5000


@dataclass(frozen=True, slots=True)
class DryRun:
    facts: PostFacts
    triage: Triage
    evaluation: Evaluation
    customer_found: bool | None  # None: no handle given


def dry_run(
    db: Database,
    workspace_id: int,
    text: str,
    network: str,
    customer_handle: str | None = None,
    private: bool = False,
) -> DryRun:
    """Triage `text` as a new post on `network` (from the customer with that handle, if known there)
    and run the workspace's rules on it, in a read-only transaction."""
    text = text.strip()
    if not text:
        raise InvalidAction("text: write a sample post")
    if len(text) > MAX_TEXT:
        raise InvalidAction(f"text: at most {MAX_TEXT} characters")
    network = network.strip().lower()
    if not network:
        raise InvalidAction("network: choose a network")
    handle = (customer_handle or "").strip().lstrip("@")
    with db.read() as session:
        triage = triager_for(session, workspace_id, "fast").run([TriageInput(text=text)])[0]
        customer_id = None
        if handle:
            customer_id = session.scalar(
                select(Identity.customer_id)
                .where(
                    Identity.workspace_id == workspace_id,
                    Identity.network == network,
                    func.lower(Identity.handle) == handle.lower(),
                )
                .limit(1)
            )
        tags, attributes, segments = customer_facts(session, workspace_id, customer_id)
        facts = PostFacts(
            text=text,
            network=network,
            is_private=private,
            language=triage.language,
            sentiment=triage.sentiment,
            intent=triage.intent,
            is_complaint=triage.is_complaint,
            urgency=triage.urgency,
            topic=triage.topics[0].label if triage.topics else None,
            place_name=triage.places[0].name if triage.places else None,
            place_country=triage.places[0].country if triage.places else None,
            customer_tags=tags,
            attributes=attributes,
            segment_ids=segments,
        )
        evaluation = evaluate(load_rules(session, workspace_id), facts)
    return DryRun(facts, triage, evaluation, (customer_id is not None) if handle else None)
