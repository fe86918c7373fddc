"""Reading segments: their members in SQL, live counts, and the figures analytics asks for.

`segment_condition` is the SQL twin of `routing.segments.matches`: the same filter, the same facts
(`customer_facts` gathers them for one customer), tested against each other on the same data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select, true
from sqlalchemy.orm import Session

from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction
from socialdesk.core.segments import CustomerFacts, SegmentFilter, parse_filter
from socialdesk.core.types import CaseStatus, Direction, Intent, Sentiment
from socialdesk.store.models import Case, Customer, CustomerLabel, Identity, Post, SatisfactionRating, Segment
from socialdesk.store.repos.customer_views import SegmentStats, SegmentView

OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)
NOBODY = SegmentFilter(tags=("",))
SENTIMENT_SCORE = {Sentiment.NEGATIVE: -1.0, Sentiment.NEUTRAL: 0.0, Sentiment.POSITIVE: 1.0}


def _cases_where(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Case.customer_id == Customer.id, *conditions)


def _labelled(kind: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    return exists().where(
        CustomerLabel.customer_id == Customer.id, CustomerLabel.kind == kind, CustomerLabel.value.in_(values)
    )


def _either(flag: bool, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return condition if flag else not_(condition)


def segment_condition(flt: SegmentFilter, now: datetime | None = None) -> ColumnElement[bool]:
    """A WHERE clause over `Customer` that holds exactly for the members of `flt` (tombstones never)."""
    conditions: list[ColumnElement[bool]] = [Customer.merged_into_id.is_(None)]
    if flt.countries:
        conditions.append(
            or_(Customer.country.in_(flt.countries), _cases_where(Case.place_country.in_(flt.countries)))
        )
    if flt.location:
        wanted = flt.location.lower()
        conditions.append(
            or_(
                func.lower(Customer.location).contains(wanted, autoescape=True),
                _cases_where(func.lower(Case.place_name).contains(wanted, autoescape=True)),
            )
        )
    if flt.languages:
        conditions.append(
            or_(Customer.language.in_(flt.languages), _cases_where(Case.language.in_(flt.languages)))
        )
    if flt.products:
        conditions.append(_labelled("product", flt.products))
    if flt.intents:
        conditions.append(_cases_where(Case.intent.in_(flt.intents)))
    if flt.complaint is not None:
        conditions.append(_either(flt.complaint, _cases_where(Case.is_complaint.is_(True))))
    conditions.extend(_labelled("tag", (tag,)) for tag in flt.tags)
    conditions.extend(Customer.attributes[key].as_string() == value for key, value in flt.attributes)
    if flt.networks:
        conditions.append(
            exists().where(Identity.customer_id == Customer.id, Identity.network.in_(flt.networks))
        )
    if flt.has_open_case is not None:
        conditions.append(_either(flt.has_open_case, _cases_where(Case.status.in_(OPEN_STATUSES))))
    if flt.active_within_days is not None:
        since = (now or utcnow()) - timedelta(days=flt.active_within_days)
        conditions.append(
            exists().where(
                Post.customer_id == Customer.id,
                Post.direction == Direction.INBOUND,
                Post.created_at >= since,
            )
        )
    return and_(true(), *conditions)


def member_ids_query(workspace_id: int, flt: SegmentFilter, now: datetime | None = None) -> Any:
    """SELECT customers.id of the segment's members, for `IN (...)` in other queries (the inbox's)."""
    return select(Customer.id).where(Customer.workspace_id == workspace_id, segment_condition(flt, now))


def count_members(
    session: Session, workspace_id: int, flt: SegmentFilter, now: datetime | None = None
) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Customer)
        .where(Customer.workspace_id == workspace_id, segment_condition(flt, now))
    )
    return int(count or 0)


def member_ids(
    session: Session,
    workspace_id: int,
    flt: SegmentFilter,
    now: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[int]:
    query = member_ids_query(workspace_id, flt, now).order_by(Customer.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def _stored_filter(segment: Segment) -> SegmentFilter:
    try:
        return parse_filter(segment.filter)
    except InvalidAction:
        # Stored filters were validated when written; one that no longer parses matches nobody rather
        # than everybody (no customer carries an empty tag).
        return NOBODY


def segment_filter(session: Session, workspace_id: int, segment_id: int) -> SegmentFilter | None:
    """The segment's filter, or None when the workspace has no such segment."""
    segment = session.scalars(
        select(Segment).where(Segment.workspace_id == workspace_id, Segment.id == segment_id)
    ).first()
    return _stored_filter(segment) if segment else None


def _view(session: Session, segment: Segment, now: datetime | None, with_count: bool) -> SegmentView:
    flt = _stored_filter(segment)
    return SegmentView(
        id=segment.id,
        name=segment.name,
        description=segment.description,
        filter=flt.to_dict(),
        member_count=count_members(session, segment.workspace_id, flt, now) if with_count else None,
        updated_at=segment.updated_at,
    )


def list_segments(
    session: Session, workspace_id: int, *, with_counts: bool = True, now: datetime | None = None
) -> list[SegmentView]:
    segments = session.scalars(
        select(Segment).where(Segment.workspace_id == workspace_id).order_by(Segment.name, Segment.id)
    )
    return [_view(session, s, now, with_counts) for s in segments]


def get_segment(
    session: Session, workspace_id: int, segment_id: int, now: datetime | None = None
) -> SegmentView | None:
    segment = session.scalars(
        select(Segment).where(Segment.workspace_id == workspace_id, Segment.id == segment_id)
    ).first()
    return _view(session, segment, now, True) if segment else None


def segment_stats(
    session: Session, workspace_id: int, segment_id: int, now: datetime | None = None
) -> SegmentStats | None:
    """Members, their open cases, mean sentiment and CSAT, complaints opened in the last 7 and 30 days."""
    flt = segment_filter(session, workspace_id, segment_id)
    if flt is None:
        return None
    now = now or utcnow()
    members = member_ids_query(workspace_id, flt, now).scalar_subquery()
    of_members = and_(Case.workspace_id == workspace_id, Case.customer_id.in_(members))
    score = case(SENTIMENT_SCORE, value=Case.sentiment, else_=None)
    row = session.execute(
        select(
            func.count(Case.id).filter(Case.status.in_(OPEN_STATUSES)),
            func.avg(score),
            func.count(Case.id).filter(Case.sentiment.is_not(None)),
            func.count(Case.id).filter(
                Case.is_complaint.is_(True), Case.opened_at >= now - timedelta(days=7)
            ),
            func.count(Case.id).filter(
                Case.is_complaint.is_(True), Case.opened_at >= now - timedelta(days=30)
            ),
        ).where(of_members)
    ).one()
    csat = session.execute(
        select(func.avg(SatisfactionRating.rating), func.count(SatisfactionRating.id))
        .join(Case, Case.id == SatisfactionRating.case_id)
        .where(of_members)
    ).one()
    return SegmentStats(
        segment_id=segment_id,
        members=count_members(session, workspace_id, flt, now),
        open_cases=int(row[0] or 0),
        mean_sentiment=round(float(row[1]), 3) if row[1] is not None else None,
        cases_with_sentiment=int(row[2] or 0),
        complaints_7d=int(row[3] or 0),
        complaints_30d=int(row[4] or 0),
        satisfaction_mean=round(float(csat[0]), 2) if csat[0] is not None else None,
        satisfaction_count=int(csat[1] or 0),
        as_of=now,
    )


def customer_facts(session: Session, workspace_id: int, customer_id: int) -> CustomerFacts | None:
    """Everything a segment can ask about one customer (None for another workspace's or a tombstone)."""
    customer = session.scalars(
        select(Customer).where(
            Customer.workspace_id == workspace_id,
            Customer.id == customer_id,
            Customer.merged_into_id.is_(None),
        )
    ).first()
    if customer is None:
        return None
    cases = session.execute(
        select(
            Case.place_country, Case.place_name, Case.language, Case.intent, Case.is_complaint, Case.status
        ).where(Case.customer_id == customer_id)
    ).all()
    labels = session.execute(
        select(CustomerLabel.kind, CustomerLabel.value).where(CustomerLabel.customer_id == customer_id)
    ).all()
    networks = session.scalars(select(Identity.network).where(Identity.customer_id == customer_id))
    last_active = session.scalar(
        select(func.max(Post.created_at)).where(
            Post.customer_id == customer_id, Post.direction == Direction.INBOUND
        )
    )
    return CustomerFacts(
        customer_id=customer.id,
        countries=frozenset(c for c in [customer.country, *(r.place_country for r in cases)] if c),
        locations=tuple(p for p in [customer.location, *(r.place_name for r in cases)] if p),
        languages=frozenset(lang for lang in [customer.language, *(r.language for r in cases)] if lang),
        products=frozenset(v for k, v in labels if k == "product"),
        tags=frozenset(v for k, v in labels if k == "tag"),
        attributes=dict(customer.attributes or {}),
        networks=frozenset(networks),
        intents=frozenset(Intent(r.intent) for r in cases if r.intent is not None),
        has_complaint=any(r.is_complaint for r in cases),
        has_open_case=any(CaseStatus(r.status) in OPEN_STATUSES for r in cases),
        last_active_at=last_active,
    )


def segment_rows(session: Session, workspace_id: int) -> list[tuple[int, SegmentFilter]]:
    """Every segment of the workspace with its filter, for evaluating them against one customer."""
    return [
        (s.id, _stored_filter(s))
        for s in session.scalars(select(Segment).where(Segment.workspace_id == workspace_id))
    ]


def segment_member_ids(session: Session, workspace_id: int, segment_id: int) -> Any:
    """SELECT of the member ids of a saved segment (of nobody when the workspace has no such segment),
    for the inbox's `segment_id` filter."""
    flt = segment_filter(session, workspace_id, segment_id)
    return member_ids_query(workspace_id, flt if flt is not None else NOBODY)
