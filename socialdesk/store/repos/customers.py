"""Reading customer profiles: the searchable list, one whole profile, and where a tombstone points."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from socialdesk.core.types import CaseStatus, Direction, Intent, Sentiment
from socialdesk.store.models import (
    Case,
    Conversation,
    Customer,
    CustomerLabel,
    Identity,
    Post,
    SatisfactionRating,
    Segment,
)
from socialdesk.store.repos.customer_views import (
    CustomerProfile,
    CustomerRow,
    HistoryPost,
    ProfileCase,
    ProfileIdentity,
    SegmentRef,
)
from socialdesk.store.repos.segments import OPEN_STATUSES, member_ids_query, segment_condition, segment_filter

HISTORY_LIMIT = 200


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    q: str | None = None  # part of a name, handle or e-mail address
    segment_id: int | None = None
    network: str | None = None
    language: str | None = None
    country: str | None = None
    tag: str | None = None
    has_open_case: bool | None = None
    limit: int = 50
    page: int = 1


def _search(q: str) -> ColumnElement[bool]:
    wanted = q.strip().lstrip("@").lower()
    return or_(
        func.lower(Customer.display_name).contains(wanted, autoescape=True),
        func.lower(Customer.email).contains(wanted, autoescape=True),
        exists().where(
            Identity.customer_id == Customer.id,
            or_(
                func.lower(Identity.handle).contains(wanted, autoescape=True),
                func.lower(Identity.name).contains(wanted, autoescape=True),
                func.lower(Identity.external_id) == wanted,
            ),
        ),
    )


def list_customers(
    session: Session, workspace_id: int, query: CustomerQuery, now: datetime | None = None
) -> list[CustomerRow]:
    """One page of the workspace's customers (never tombstones), most recently active first."""
    last_active = (
        select(func.max(Post.created_at))
        .where(Post.customer_id == Customer.id, Post.direction == Direction.INBOUND)
        .correlate(Customer)
        .scalar_subquery()
    )
    open_cases = (
        select(func.count(Case.id))
        .where(Case.customer_id == Customer.id, Case.status.in_(OPEN_STATUSES))
        .correlate(Customer)
        .scalar_subquery()
    )
    stmt = select(Customer, last_active, open_cases).where(
        Customer.workspace_id == workspace_id, Customer.merged_into_id.is_(None)
    )
    if query.q and query.q.strip():
        stmt = stmt.where(_search(query.q))
    if query.segment_id is not None:
        flt = segment_filter(session, workspace_id, query.segment_id)
        if flt is None:
            return []
        stmt = stmt.where(segment_condition(flt, now))
    if query.network:
        stmt = stmt.where(
            exists().where(Identity.customer_id == Customer.id, Identity.network == query.network)
        )
    if query.language:
        stmt = stmt.where(
            or_(
                Customer.language == query.language,
                exists().where(Case.customer_id == Customer.id, Case.language == query.language),
            )
        )
    if query.country:
        stmt = stmt.where(
            or_(
                Customer.country == query.country,
                exists().where(Case.customer_id == Customer.id, Case.place_country == query.country),
            )
        )
    if query.tag:
        stmt = stmt.where(
            exists().where(
                CustomerLabel.customer_id == Customer.id,
                CustomerLabel.kind == "tag",
                CustomerLabel.value == query.tag,
            )
        )
    if query.has_open_case is not None:
        has_open = exists().where(Case.customer_id == Customer.id, Case.status.in_(OPEN_STATUSES))
        stmt = stmt.where(has_open if query.has_open_case else ~has_open)
    stmt = (
        stmt.order_by(last_active.desc().nulls_last(), Customer.id.desc())
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)
    )
    rows = session.execute(stmt).all()
    ids = [c.id for c, _, _ in rows]
    handles: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for identity in session.scalars(
        select(Identity).where(Identity.customer_id.in_(ids)).order_by(Identity.id)
    ):
        handles[identity.customer_id].append((identity.network, identity.handle))
    tags: dict[int, list[str]] = defaultdict(list)
    for label in session.scalars(
        select(CustomerLabel)
        .where(CustomerLabel.customer_id.in_(ids), CustomerLabel.kind == "tag")
        .order_by(CustomerLabel.value)
    ):
        tags[label.customer_id].append(label.value)
    return [
        CustomerRow(
            id=c.id,
            display_name=c.display_name,
            email=c.email,
            language=c.language,
            country=c.country,
            location=c.location,
            handles=handles[c.id],
            tags=tags[c.id],
            open_cases=int(count or 0),
            last_active_at=active,
        )
        for c, active, count in rows
    ]


def survivor_id(session: Session, workspace_id: int, customer_id: int) -> int | None:
    """The customer a (possibly merged) id now stands for; None when the workspace has no such id."""
    seen: set[int] = set()
    current: int | None = customer_id
    while current is not None and current not in seen:
        seen.add(current)
        row = session.execute(
            select(Customer.id, Customer.merged_into_id).where(
                Customer.workspace_id == workspace_id, Customer.id == current
            )
        ).first()
        if row is None:
            return None
        if row.merged_into_id is None:
            return int(row.id)
        current = row.merged_into_id
    return None  # a cycle, which merging never writes


def get_profile(
    session: Session, workspace_id: int, customer_id: int, now: datetime | None = None
) -> CustomerProfile | None:
    """The whole profile of a live customer (None for a tombstone: see `survivor_id`)."""
    customer = session.scalars(
        select(Customer).where(
            Customer.workspace_id == workspace_id,
            Customer.id == customer_id,
            Customer.merged_into_id.is_(None),
        )
    ).first()
    if customer is None:
        return None
    labels = session.execute(
        select(CustomerLabel.kind, CustomerLabel.value)
        .where(CustomerLabel.customer_id == customer.id)
        .order_by(CustomerLabel.value)
    ).all()
    cases = session.execute(
        select(Case, SatisfactionRating.rating, SatisfactionRating.source)
        .outerjoin(SatisfactionRating, SatisfactionRating.case_id == Case.id)
        .where(Case.workspace_id == workspace_id, Case.customer_id == customer.id)
        .order_by(Case.last_activity_at.desc(), Case.id.desc())
    ).all()
    history = session.execute(
        select(Post, Case.id)
        .join(Conversation, Conversation.id == Post.conversation_id)
        .outerjoin(Case, Case.conversation_id == Conversation.id)
        .where(Post.workspace_id == workspace_id, Post.customer_id == customer.id)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    ratings = [r for _, r, _ in cases if r is not None]
    segments = [
        SegmentRef(segment_id, name)
        for segment_id, name in session.execute(
            select(Segment.id, Segment.name)
            .where(Segment.workspace_id == workspace_id)
            .order_by(Segment.name, Segment.id)
        ).all()
        if _is_member(session, workspace_id, segment_id, customer.id, now)
    ]
    return CustomerProfile(
        id=customer.id,
        display_name=customer.display_name,
        email=customer.email,
        language=customer.language,
        country=customer.country,
        location=customer.location,
        attributes=dict(customer.attributes or {}),
        tags=[v for k, v in labels if k == "tag"],
        products=[v for k, v in labels if k == "product"],
        identities=[
            ProfileIdentity(i.id, i.network, i.external_id, i.handle, i.name, i.location, i.last_seen_at)
            for i in customer.identities
        ],
        cases=[
            ProfileCase(
                case_id=c.id,
                status=CaseStatus(c.status),
                network=c.network,
                opened_at=c.opened_at,
                last_activity_at=c.last_activity_at,
                intent=Intent(c.intent) if c.intent else None,
                is_complaint=c.is_complaint,
                sentiment=Sentiment(c.sentiment) if c.sentiment else None,
                rating=rating,
                rating_source=source,
            )
            for c, rating, source in cases
        ],
        history=[
            HistoryPost(
                post_id=p.id,
                case_id=case_id,
                network=p.network,
                direction=Direction(p.direction),
                author_handle=p.author_handle,
                text="" if p.deleted_at else p.text,
                created_at=p.created_at,
                deleted=p.deleted_at is not None,
            )
            for p, case_id in history
        ],
        seen_languages=sorted({c.language for c, _, _ in cases if c.language}),
        seen_places=sorted(
            {f"{c.place_name}, {c.place_country}" for c, _, _ in cases if c.place_name and c.place_country}
        ),
        satisfaction_mean=round(sum(ratings) / len(ratings), 2) if ratings else None,
        satisfaction_count=len(ratings),
        segments=segments,
        created_at=customer.created_at,
    )


def _is_member(
    session: Session, workspace_id: int, segment_id: int, customer_id: int, now: datetime | None
) -> bool:
    flt = segment_filter(session, workspace_id, segment_id)
    if flt is None:
        return False
    query = member_ids_query(workspace_id, flt, now).where(Customer.id == customer_id)
    return session.scalar(query) is not None


def customer_options(
    session: Session, workspace_id: int, exclude: int, q: str, limit: int = 10
) -> list[CustomerRow]:
    """Candidates to merge into a profile: live customers matching `q`, other than `exclude`."""
    rows = list_customers(session, workspace_id, CustomerQuery(q=q, limit=limit + 1))
    return [r for r in rows if r.id != exclude][:limit]
