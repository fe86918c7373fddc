"""Reading cases: the inbox list and the whole case with its conversation and customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from socialdesk.core.types import CaseStatus, Direction
from socialdesk.store.models import Agent, Case, ChannelAccount, Conversation, Customer, Identity, Post, Team
from socialdesk.store.repos.views import (
    CaseDetail,
    CaseSummary,
    CustomerView,
    IdentityView,
    InboxRow,
    PostView,
)

UNRESOLVED = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)


@dataclass(frozen=True, slots=True)
class InboxFilter:
    statuses: tuple[CaseStatus, ...] = UNRESOLVED
    channel_id: int | None = None
    team_id: int | None = None
    network: str | None = None
    limit: int = 50
    # Keyset cursor: the (last_activity_at, id) of the last row of the previous page.
    before: tuple[datetime, int] | None = None


def list_inbox(session: Session, workspace_id: int, flt: InboxFilter) -> list[InboxRow]:
    """Cases of the workspace, newest activity first."""
    latest = aliased(Post)
    snippet = (
        select(latest.text)
        .where(latest.conversation_id == Case.conversation_id, latest.direction == Direction.INBOUND)
        .order_by(latest.created_at.desc(), latest.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    language = (
        select(latest.language)
        .where(latest.conversation_id == Case.conversation_id, latest.direction == Direction.INBOUND)
        .order_by(latest.created_at, latest.id)
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
    query: Select[tuple[Case, str | None, str | None, str | None, str | None, str | None]] = (
        select(Case, ChannelAccount.handle, Team.name, Customer.display_name, handle, snippet)
        .outerjoin(ChannelAccount, ChannelAccount.id == Case.channel_account_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(Customer, Customer.id == Case.customer_id)
        .where(Case.workspace_id == workspace_id, Case.status.in_(flt.statuses))
        .order_by(Case.last_activity_at.desc(), Case.id.desc())
        .limit(flt.limit)
    )
    if flt.channel_id is not None:
        query = query.where(Case.channel_account_id == flt.channel_id)
    if flt.team_id is not None:
        query = query.where(Case.team_id == flt.team_id)
    if flt.network is not None:
        query = query.where(Case.network == flt.network)
    if flt.before is not None:
        at, case_id = flt.before
        query = query.where(
            or_(Case.last_activity_at < at, and_(Case.last_activity_at == at, Case.id < case_id))
        )
    rows = session.execute(query.add_columns(language)).all()
    return [
        InboxRow(
            case_id=case.id,
            status=case.status,
            priority=case.priority,
            network=case.network,
            channel_handle=channel,
            team_name=team,
            customer_name=customer,
            customer_handle=customer_handle,
            snippet=text,
            language=lang,
            opened_at=case.opened_at,
            last_activity_at=case.last_activity_at,
            first_response_due_at=case.first_response_due_at,
            first_responded_at=case.first_responded_at,
        )
        for case, channel, team, customer, customer_handle, text, lang in rows
    ]


def get_case(session: Session, workspace_id: int, case_id: int) -> CaseDetail | None:
    """The case with its whole conversation and customer, or None when it is not in the workspace."""
    case = session.scalars(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id)).first()
    if case is None:
        return None
    conversation = session.get_one(Conversation, case.conversation_id)
    post_rows = session.execute(
        select(Post, Agent.name)
        .outerjoin(Agent, Agent.id == Post.agent_id)
        .where(Post.conversation_id == conversation.id, Post.workspace_id == workspace_id)
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
        posts=posts,
        customer=customer,
        other_cases=other_cases,
    )


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
