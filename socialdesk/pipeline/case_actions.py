"""What an agent does to a case: reply, resolve, reopen. The web layer calls these; nothing else writes."""

from __future__ import annotations

import secrets
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.channels import NETWORKS, connector
from socialdesk.channels.base import Measuring
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import CaseStatus, DeliveryStatus, Direction, Intent, Sentiment
from socialdesk.pipeline import jobs
from socialdesk.pipeline.assignment import fill_agent
from socialdesk.pipeline.cases import refresh_case_triage
from socialdesk.pipeline.service_levels import refresh_sla
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Case, ChannelAccount, Conversation, Post, TriageFeedback, Workspace
from socialdesk.store.repos.merges import merge_target

MAX_IDEMPOTENCY_KEY = 128


@dataclass(frozen=True, slots=True)
class ReplyRecorded:
    post_id: int
    created: bool  # False when the idempotency key had already recorded this reply


def _case_for_update(session: Session, workspace_id: int, case_id: int) -> Case:
    case = session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)).first()
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def _refuse_merged(session: Session, case: Case) -> None:
    """A merged duplicate (pipeline.merges) stays resolved: agents answer and reopen the case it joined."""
    target = merge_target(session, case.workspace_id, case.id)
    if target is not None:
        raise InvalidAction(f"case #{case.id} was merged into #{target}; answer it there")


def record_reply(
    db: Database,
    workspace_id: int,
    case_id: int,
    agent_id: int,
    text: str,
    idempotency_key: str | None = None,
) -> ReplyRecorded:
    """Record an agent's reply on the case's own network and move the case to pending.

    The reply is stored as an outbound post queued for delivery; the outbox (`pipeline.outbox`) sends
    it. The same idempotency key twice (a double click, a retried request) returns the first reply
    instead of writing a second one.
    """
    recorded = _record_reply(db, workspace_id, case_id, agent_id, text, idempotency_key)
    if recorded.created:
        jobs.notify()  # wake the worker: the outbox sends it now, not at the next poll
    return recorded


def record_approved_reply(
    session: Session,
    db: Database,
    workspace_id: int,
    case_id: int,
    agent_id: int,
    text: str,
    key: str,
    approved_by: int,
) -> ReplyRecorded:
    """Record a reply a supervisor approved, inside the caller's write transaction (pipeline.approvals).

    The caller notifies the worker after its commit; the reply is queued for the outbox like any other.
    """
    return _record_reply(
        db, workspace_id, case_id, agent_id, text, key, within=session, approved_by=approved_by
    )


def _record_reply(
    db: Database,
    workspace_id: int,
    case_id: int,
    agent_id: int,
    text: str,
    idempotency_key: str | None = None,
    *,
    within: Session | None = None,
    approved_by: int | None = None,
) -> ReplyRecorded:
    """`within`: a write transaction of the caller's (pipeline.approvals), which then owns the commit.

    A trainee's reply is only written with `approved_by`, the supervisor who approved its draft.
    """
    if not text.strip():
        raise InvalidAction("the reply is empty")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidAction(f"an idempotency key has 1 to {MAX_IDEMPOTENCY_KEY} characters")
    with db.write() if within is None else nullcontext(within) as session:
        db.lock_workspace(session, workspace_id)
        if idempotency_key is not None:
            earlier = session.scalars(
                select(Post).where(Post.workspace_id == workspace_id, Post.idempotency_key == idempotency_key)
            ).first()
            if earlier is not None:
                if (
                    earlier.conversation_id
                    != _case_for_update(session, workspace_id, case_id).conversation_id
                ):
                    raise InvalidAction("this idempotency key was already used for another case")
                return ReplyRecorded(earlier.id, created=False)
        case = _case_for_update(session, workspace_id, case_id)
        _refuse_merged(session, case)
        agent = session.get_one(Agent, agent_id)
        if agent.is_trainee and approved_by is None:
            raise InvalidAction("a trainee's reply is sent once a supervisor approves it: save it as a draft")
        reply = queue_reply(session, case, agent, text, idempotency_key)
        return ReplyRecorded(reply.id, created=True)


def queue_reply(session: Session, case: Case, agent: Agent, text: str, idempotency_key: str | None) -> Post:
    """Store `text` as the brand's reply on the case's network, queued for the outbox, and move the
    case to pending. The length guard and post fields every reply shares (an agent's, or a routing
    rule's acknowledgement); call inside the write transaction, with the workspace locked.
    """
    conversation = session.get_one(Conversation, case.conversation_id)
    network = NETWORKS.get(conversation.network)
    if network is not None:
        speaker = connector(network.name)
        limit = speaker.limits.max_private_text if conversation.is_private else speaker.limits.max_text
        length = speaker.text_length(text) if isinstance(speaker, Measuring) else len(text)
        if limit is not None and length > limit:
            kind = "a private message" if conversation.is_private else "a post"
            raise InvalidAction(
                f"{network.label} allows {limit} characters in {kind}; this reply has {length}"
            )
    channel = (
        session.get(ChannelAccount, conversation.channel_account_id)
        if conversation.channel_account_id
        else None
    )
    workspace = session.get_one(Workspace, case.workspace_id)
    last_inbound = session.scalars(
        select(Post)
        .where(Post.conversation_id == conversation.id, Post.direction == Direction.INBOUND)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    ).first()
    now = utcnow()
    reply = Post(
        workspace_id=case.workspace_id,
        network=conversation.network,
        external_id=None,
        conversation_id=conversation.id,
        channel_account_id=channel.id if channel else None,
        direction=Direction.OUTBOUND,
        agent_id=agent.id,
        author_external_id=channel.handle if channel else workspace.slug,
        author_handle=channel.handle if channel else workspace.name,
        author_name=agent.name,
        text=text,
        created_at=now,
        in_reply_to=last_inbound.external_id if last_inbound else None,
        is_private=conversation.is_private,
        delivery_status=DeliveryStatus.QUEUED,
        idempotency_key=idempotency_key,
        # The outbox sends it from now on; the key is what a retry is recognised by.
        delivery_key=secrets.token_hex(16),
        next_send_at=now,
    )
    session.add(reply)
    conversation.last_activity_at = now
    case.last_activity_at = now
    if case.first_responded_at is None:
        case.first_responded_at = now
    case.status = CaseStatus.PENDING
    case.resolved_at = None
    session.flush()
    refresh_sla(session, case)  # records the response's attainment; nothing is owed while pending
    return reply


def change_status(db: Database, workspace_id: int, case_id: int, status: CaseStatus) -> Case:
    """Resolve a case, or reopen a resolved or pending one. New is set by the pipeline alone."""
    with db.write() as session:
        db.lock_workspace(session, workspace_id)  # resolving frees capacity that assignment refills
        case = _case_for_update(session, workspace_id, case_id)
        if status == CaseStatus.RESOLVED:
            if case.status != CaseStatus.RESOLVED:
                case.status = CaseStatus.RESOLVED
                case.resolved_at = utcnow()
        elif status == CaseStatus.OPEN:
            _refuse_merged(session, case)
            case.status = CaseStatus.OPEN
            case.resolved_at = None
        else:
            raise InvalidAction(f"an agent can resolve or reopen a case, not set it to {status.value}")
        session.flush()
        refresh_sla(session, case)
        if case.status == CaseStatus.RESOLVED and case.assignee_id is not None:
            fill_agent(session, workspace_id, case.assignee_id)
        return case


TRIAGE_FIELDS = ("sentiment", "intent", "topic")


def correct_triage(
    db: Database, workspace_id: int, post_id: int, agent_id: int, field: str, value: str
) -> None:
    """An agent corrects a post's sentiment, intent or topic.

    The correction replaces the model's answer on the post and its case, is kept for later triage runs
    (they never overwrite it), and is stored as feedback that `socialdesk triage train` can learn from.
    """
    if field not in TRIAGE_FIELDS:
        raise InvalidAction(f"field must be one of {', '.join(TRIAGE_FIELDS)}")
    value = value.strip()
    allowed = {"sentiment": [s.value for s in Sentiment], "intent": [i.value for i in Intent]}.get(field)
    if allowed is not None and value not in allowed:
        raise InvalidAction(f"{field} must be one of {', '.join(allowed)}")
    if not value or len(value) > 100:
        raise InvalidAction("a topic has 1 to 100 characters")
    with db.write() as session:
        db.lock_workspace(session, workspace_id)
        post = session.scalars(
            select(Post).where(Post.workspace_id == workspace_id, Post.id == post_id)
        ).first()
        if post is None or post.direction is not Direction.INBOUND:
            raise NotFound(f"post {post_id} not found")
        details = dict(post.triage or {})
        topics = list(details.get("topics", []))
        if field == "sentiment":
            model_value = post.sentiment.value if post.sentiment else None
            post.sentiment = Sentiment(value)
        elif field == "intent":
            model_value = post.intent.value if post.intent else None
            post.intent = Intent(value)
        else:
            model_value = topics[0]["label"] if topics else None
            details["topics"] = [{"label": value, "score": 1.0}] + [t for t in topics if t["label"] != value]
        details["corrected"] = {**details.get("corrected", {}), field: value}
        post.triage = details
        session.add(
            TriageFeedback(
                workspace_id=workspace_id,
                post_id=post.id,
                agent_id=agent_id,
                field=field,
                model_value=model_value,
                value=value,
            )
        )
        case = session.scalars(select(Case).where(Case.conversation_id == post.conversation_id)).first()
        session.flush()
        if case is not None:
            refresh_case_triage(session, case)
