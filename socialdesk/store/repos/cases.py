"""Reading cases: the inbox list and the whole case with its conversation and customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from socialdesk.core.types import CaseStatus, Direction, Intent, Priority, Sentiment
from socialdesk.store.models import (
    Agent,
    Case,
    CaseMerge,
    ChannelAccount,
    Conversation,
    Customer,
    Identity,
    Post,
    Tag,
    Team,
    TopicModel,
    case_tags,
)
from socialdesk.store.repos.merges import merged_conversation_ids
from socialdesk.store.repos.segments import segment_member_ids
from socialdesk.store.repos.sla_badges import with_sla_badges
from socialdesk.store.repos.views import (
    CaseDetail,
    CaseSummary,
    CustomerView,
    IdentityView,
    InboxRow,
    PostTriage,
    PostView,
)

UNRESOLVED = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)


# "oldest": the customer who has waited longest first; "urgency": the queue order of
# `routing.queues.order_key`; "due": the SLA due time of the answer owed, soonest first.
SORTS = ("newest", "oldest", "urgency", "due", "sentiment", "intent", "language", "place")


@dataclass(frozen=True, slots=True)
class InboxFilter:
    statuses: tuple[CaseStatus, ...] = UNRESOLVED
    channel_id: int | None = None
    team_id: int | None = None
    network: str | None = None
    sentiment: Sentiment | None = None
    intent: Intent | None = None
    language: str | None = None
    place: str | None = None  # an ISO country code, or part of a place name
    min_urgency: float | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    priority: Priority | None = None
    complaint: bool | None = None
    text: str | None = None  # part of any post of the case, or of the customer's name
    tag: str | None = None
    segment_id: int | None = None  # only customers of this segment (store.repos.segments)
    sort: str = "newest"
    limit: int = 50
    page: int = 1


# The SQL twin of `routing.queues` (the store may not import routing): the same ranks, then urgency;
# tests/integration/test_inbox_order.py proves both orders agree.
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


def owed_due_at() -> ColumnElement[Any]:
    """The due time of the answer the customer is owed now: the first response, else the next one."""
    return case(
        (Case.first_responded_at.is_(None), Case.first_response_due_at), else_=Case.next_response_due_at
    )


def waiting_since() -> ColumnElement[Any]:
    """Since when the customer has waited: their latest post (as `routing.queues.QueueEntry` has it)."""
    return Case.last_inbound_at.expression


def _order(sort: str) -> list[Any]:
    newest = [Case.last_activity_at.desc(), Case.id.desc()]
    urgency = func.coalesce(Case.urgency, -1.0).desc()
    last = "\uffff"  # sorts after every real value, so that cases without one come last on both databases
    if sort == "urgency":
        return [
            case(PRIORITY_RANK, value=Case.priority, else_=len(PRIORITY_RANK)).asc(),
            func.coalesce(Case.urgency, 0.0).desc(),  # not triaged yet counts as 0, as in order_key
            owed_due_at().asc().nulls_last(),
            waiting_since().asc(),
            Case.id.asc(),
        ]
    if sort == "oldest":
        return [waiting_since().asc(), Case.id.asc()]
    if sort == "due":
        return [
            owed_due_at().asc().nulls_last(),
            Case.resolution_due_at.asc().nulls_last(),
            urgency,
            Case.id.desc(),
        ]
    if sort == "sentiment":
        rank = case(
            {s: i for i, s in enumerate(SENTIMENT_ORDER)}, value=Case.sentiment, else_=len(SENTIMENT_ORDER)
        )
        return [rank.asc(), urgency, *newest]
    if sort == "intent":
        rank = case({s: i for i, s in enumerate(INTENT_ORDER)}, value=Case.intent, else_=len(INTENT_ORDER))
        return [rank.asc(), urgency, *newest]
    if sort == "language":
        return [func.coalesce(Case.language, last).asc(), *newest]
    if sort == "place":
        return [
            func.coalesce(Case.place_country, last).asc(),
            func.coalesce(Case.place_name, last).asc(),
            *newest,
        ]
    return newest


# Most pressing first: a negative customer before a happy one; a complaint before a compliment.
SENTIMENT_ORDER = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)
INTENT_ORDER = (
    Intent.COMPLAINT,
    Intent.REQUEST,
    Intent.QUESTION,
    Intent.FEEDBACK,
    Intent.PRAISE,
    Intent.OTHER,
)


def list_inbox(session: Session, workspace_id: int, flt: InboxFilter) -> list[InboxRow]:
    """One page of the workspace's cases in the chosen order."""
    latest = aliased(Post)
    snippet = (
        select(latest.text)
        .where(latest.conversation_id == Case.conversation_id, latest.direction == Direction.INBOUND)
        .order_by(latest.created_at.desc(), latest.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    handle = (
        select(Identity.handle)
        .where(Identity.customer_id == Case.customer_id)
        .order_by(Identity.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(Case, ChannelAccount.handle, Team.name, Customer.display_name, handle, snippet)
        .outerjoin(ChannelAccount, ChannelAccount.id == Case.channel_account_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(Customer, Customer.id == Case.customer_id)
        .where(Case.workspace_id == workspace_id, Case.status.in_(flt.statuses))
        .order_by(*_order(flt.sort))
        .limit(flt.limit)
        .offset((flt.page - 1) * flt.limit)
    )
    conditions = {
        Case.channel_account_id: flt.channel_id,
        Case.team_id: flt.team_id,
        Case.network: flt.network,
        Case.sentiment: flt.sentiment,
        Case.intent: flt.intent,
        Case.language: flt.language,
    }
    for column, value in conditions.items():
        if value is not None:
            query = query.where(column == value)
    if flt.place:
        if len(flt.place) == 2 and flt.place.isalpha():
            query = query.where(Case.place_country == flt.place.upper())
        else:
            query = query.where(func.lower(Case.place_name).contains(flt.place.lower(), autoescape=True))
    if flt.min_urgency is not None:
        query = query.where(Case.urgency >= flt.min_urgency)
    query = _narrowed(query, flt)
    if flt.segment_id is not None:
        query = query.where(Case.customer_id.in_(segment_member_ids(session, workspace_id, flt.segment_id)))
    rows = [
        InboxRow(
            case_id=c.id,
            status=c.status,
            priority=c.priority,
            network=c.network,
            channel_handle=channel,
            team_name=team,
            customer_name=customer,
            customer_handle=customer_handle,
            snippet=text,
            language=c.language,
            opened_at=c.opened_at,
            last_activity_at=c.last_activity_at,
            first_response_due_at=c.first_response_due_at,
            first_responded_at=c.first_responded_at,
            urgency=c.urgency,
            sentiment=c.sentiment,
            intent=c.intent,
            is_complaint=c.is_complaint,
            place_name=c.place_name,
            place_country=c.place_country,
            assignee_id=c.assignee_id,
            next_response_due_at=c.next_response_due_at,
            resolution_due_at=c.resolution_due_at,
        )
        for c, channel, team, customer, customer_handle, text in session.execute(query).all()
    ]
    return with_sla_badges(session, workspace_id, rows)


def _narrowed(query: Any, flt: InboxFilter) -> Any:
    """The filters a saved view can hold besides triage: assignee, priority, complaint, text, tag."""
    if flt.assignee_id is not None:
        query = query.where(Case.assignee_id == flt.assignee_id)
    if flt.unassigned:
        query = query.where(Case.assignee_id.is_(None))
    if flt.priority is not None:
        query = query.where(Case.priority == flt.priority)
    if flt.complaint is not None:
        query = query.where(Case.is_complaint.is_(flt.complaint))
    if flt.text:
        needle = flt.text.lower()
        said = func.lower(Post.text).contains(needle, autoescape=True)
        in_posts = exists().where(Post.conversation_id == Case.conversation_id, said)
        # The thread of a case includes the posts of the duplicates merged into it (pipeline/merges.py).
        duplicate = aliased(Case)
        in_duplicates = exists().where(
            CaseMerge.target_case_id == Case.id,
            duplicate.id == CaseMerge.source_case_id,
            Post.conversation_id == duplicate.conversation_id,
            said,
        )
        named = func.lower(Customer.display_name).contains(needle, autoescape=True)
        query = query.where(in_posts | in_duplicates | named)
    if flt.tag:
        tagged = (
            exists()
            .where(case_tags.c.case_id == Case.id, case_tags.c.tag_id == Tag.id)
            .where(Tag.name == flt.tag)
        )
        query = query.where(tagged)
    return query


def get_case(session: Session, workspace_id: int, case_id: int) -> CaseDetail | None:
    """The case with its whole conversation and customer, or None when it is not in the workspace."""
    case = session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)).first()
    if case is None:
        return None
    conversation = session.get_one(Conversation, case.conversation_id)
    post_rows = session.execute(
        select(Post, Agent.name)
        .outerjoin(Agent, Agent.id == Post.agent_id)
        .where(
            # The thread includes the posts of duplicates merged into this case (pipeline.merges).
            Post.conversation_id.in_(
                [conversation.id, *merged_conversation_ids(session, workspace_id, case.id)]
            ),
            Post.workspace_id == workspace_id,
        )
        .order_by(Post.created_at, Post.id)
    ).all()
    posts = [
        PostView(
            id=p.id,
            network=p.network,
            external_id=p.external_id,
            direction=p.direction,
            author_handle=p.author_handle,
            author_name=p.author_name,
            text=p.text,
            created_at=p.created_at,
            in_reply_to=p.in_reply_to,
            is_private=p.is_private,
            language=p.language,
            geo=(p.geo_lat, p.geo_lon) if p.geo_lat is not None and p.geo_lon is not None else None,
            delivery_status=p.delivery_status,
            agent_name=agent_name,
            triage=_triage_view(p),
            send_error=p.send_error,
            next_send_at=p.next_send_at,
            sent_at=p.sent_at,
            edited_at=p.edited_at,
            deleted_at=p.deleted_at,
        )
        for p, agent_name in post_rows
    ]
    customer = _customer(session, workspace_id, case.customer_id) if case.customer_id else None
    other_cases: list[CaseSummary] = []
    if case.customer_id is not None:
        other_cases = [
            CaseSummary(c.id, c.status, c.opened_at, c.network)
            for c in session.scalars(
                select(Case)
                .where(
                    Case.workspace_id == workspace_id,
                    Case.customer_id == case.customer_id,
                    Case.id != case.id,
                )
                .order_by(Case.opened_at.desc())
                .limit(20)
            )
        ]
    channel = session.get(ChannelAccount, case.channel_account_id) if case.channel_account_id else None
    team = session.get(Team, case.team_id) if case.team_id else None
    assignee = session.get(Agent, case.assignee_id) if case.assignee_id else None
    return CaseDetail(
        case_id=case.id,
        status=case.status,
        priority=case.priority,
        network=case.network,
        channel_handle=channel.handle if channel else None,
        team_name=team.name if team else None,
        routed_by=case.routed_by,
        assignee_name=assignee.name if assignee else None,
        opened_at=case.opened_at,
        last_activity_at=case.last_activity_at,
        first_response_due_at=case.first_response_due_at,
        resolution_due_at=case.resolution_due_at,
        first_responded_at=case.first_responded_at,
        resolved_at=case.resolved_at,
        is_private=conversation.is_private,
        urgency=case.urgency,
        sentiment=case.sentiment,
        intent=case.intent,
        is_complaint=case.is_complaint,
        language=case.language,
        place_name=case.place_name,
        place_country=case.place_country,
        topic_labels=topic_labels(session, workspace_id),
        posts=posts,
        customer=customer,
        other_cases=other_cases,
    )


def _triage_view(post: Post) -> PostTriage | None:
    if post.triage_tier is None:
        return None
    details: dict[str, Any] = post.triage or {}
    return PostTriage(
        tier=post.triage_tier,
        sentiment=post.sentiment,
        sentiment_scores=dict(post.sentiment_scores or {}),
        intent=post.intent,
        is_complaint=post.is_complaint,
        urgency=post.urgency,
        topics=list(details.get("topics", [])),
        places=list(details.get("places", [])),
        pii=list(details.get("pii", [])),
        corrected=dict(details.get("corrected", {})),
    )


def topic_labels(session: Session, workspace_id: int) -> list[str]:
    """The labels of the workspace's active topic model (empty when it has none)."""
    labels = session.scalar(
        select(TopicModel.labels)
        .where(TopicModel.workspace_id == workspace_id, TopicModel.active.is_(True))
        .order_by(TopicModel.id.desc())
        .limit(1)
    )
    return labels.split("\n") if labels else []


def _customer(session: Session, workspace_id: int, customer_id: int) -> CustomerView | None:
    customer = session.scalars(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
    ).first()
    if customer is None:
        return None
    return CustomerView(
        id=customer.id,
        display_name=customer.display_name,
        location=customer.location,
        identities=[IdentityView(i.network, i.handle, i.name) for i in customer.identities],
    )
