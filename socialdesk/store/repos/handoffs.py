"""Reading hand-offs: for the agent's case page, and the private conversation for the customer's page.

The customer's page is built from `private_thread` alone: the posts of that one private conversation
that the customer wrote or that were delivered to them. Notes, other conversations and other
customers are never read for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from socialdesk.channels.private_page import NETWORK as PRIVATE_NETWORK
from socialdesk.core.types import DeliveryStatus, Direction
from socialdesk.store.models import Case, Conversation, Customer, Post, PrivateHandoff, VerifiedIdentity

# A hand-off's private conversation is keyed `handoff-<id>`; once its link was withdrawn and renewed,
# the old conversation keeps `handoff-<id>.withdrawn-<unix time>` (pipeline.handoffs sets it aside).
_PRIVATE_KEY = re.compile(r"handoff-([0-9]{1,18})(\.withdrawn-[0-9]+)?")


@dataclass(frozen=True, slots=True)
class PrivateMessage:
    id: int
    from_customer: bool
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class VerifiedView:
    method: str
    subject: str
    verified_at: datetime
    conflict_customer_id: int | None
    conflict_customer_name: str | None


@dataclass(frozen=True, slots=True)
class HandoffView:
    handoff_id: int
    public_case_id: int
    private_case_id: int | None  # the linked case, once the customer wrote
    expires_at: datetime
    bound_subject: str | None
    revoked_at: datetime | None = None  # an agent withdrew the link
    # Shown on a private case whose link was withdrawn (since renewed or not): replies made here can no
    # longer be read by the customer.
    withdrawn_here: bool = False
    messages: list[PrivateMessage] = field(default_factory=list)  # the newest few
    verified: list[VerifiedView] = field(default_factory=list)


def conversation_key(handoff_id: int) -> str:
    return f"handoff-{handoff_id}"


def withdrawn_key(handoff_id: int, revoked_at: datetime) -> str:
    """The key a withdrawn link's conversation keeps once the link is renewed."""
    return f"{conversation_key(handoff_id)}.withdrawn-{int(revoked_at.timestamp())}"


def case_handoff(session: Session, workspace_id: int, case_id: int) -> PrivateHandoff | None:
    """The hand-off of public case `case_id` (a case has one at most)."""
    return session.scalars(
        select(PrivateHandoff).where(
            PrivateHandoff.workspace_id == workspace_id, PrivateHandoff.case_id == case_id
        )
    ).first()


def private_conversation(session: Session, workspace_id: int, handoff_id: int) -> Conversation | None:
    """The hand-off's private conversation, once the customer has written (None before)."""
    return session.scalars(
        select(Conversation).where(
            Conversation.workspace_id == workspace_id,
            Conversation.network == PRIVATE_NETWORK,
            Conversation.external_key == conversation_key(handoff_id),
        )
    ).first()


def private_conversation_id(session: Session, workspace_id: int, handoff_id: int) -> int | None:
    conversation = private_conversation(session, workspace_id, handoff_id)
    return conversation.id if conversation is not None else None


def private_thread(session: Session, workspace_id: int, handoff_id: int) -> list[PrivateMessage]:
    """What the customer of the hand-off sees: their messages and the replies delivered to them."""
    conversation = private_conversation(session, workspace_id, handoff_id)
    if conversation is None:
        return []
    posts = session.scalars(
        select(Post)
        .where(
            Post.workspace_id == workspace_id,
            Post.conversation_id == conversation.id,
            Post.is_private.is_(True),
            Post.deleted_at.is_(None),
            or_(
                Post.direction == Direction.INBOUND,
                Post.delivery_status == DeliveryStatus.SENT,
            ),
        )
        .order_by(Post.created_at, Post.id)
    )
    return [
        PrivateMessage(
            id=p.id,
            from_customer=p.direction is Direction.INBOUND,
            author="You" if p.direction is Direction.INBOUND else (p.author_name or "Support"),
            text=p.text,
            created_at=p.created_at,
        )
        for p in posts
    ]


def handoff_for_case(session: Session, workspace_id: int, case_id: int) -> HandoffView | None:
    """The hand-off of a public case, or (for a linked private case) the one it continues."""
    handoff = case_handoff(session, workspace_id, case_id)
    set_aside = False
    if handoff is None:
        handoff, set_aside = _handoff_of_private_case(session, workspace_id, case_id)
    if handoff is None:
        return None
    conversation = private_conversation(session, workspace_id, handoff.id)
    private_case = (
        session.scalar(select(Case.id).where(Case.conversation_id == conversation.id))
        if conversation is not None
        else None
    )
    conflicts = {
        c.id: c.display_name
        for c in session.scalars(
            select(Customer)
            .join(VerifiedIdentity, VerifiedIdentity.conflict_customer_id == Customer.id)
            .where(
                VerifiedIdentity.customer_id == handoff.customer_id,
                VerifiedIdentity.workspace_id == workspace_id,
                Customer.workspace_id == workspace_id,
            )
        )
    }
    verified = [
        VerifiedView(
            v.method,
            v.subject,
            v.verified_at,
            v.conflict_customer_id,
            conflicts.get(v.conflict_customer_id or 0),
        )
        for v in session.scalars(
            select(VerifiedIdentity)
            .where(
                VerifiedIdentity.workspace_id == workspace_id,
                VerifiedIdentity.customer_id == handoff.customer_id,
            )
            .order_by(VerifiedIdentity.verified_at)
        )
    ]
    return HandoffView(
        handoff_id=handoff.id,
        public_case_id=handoff.case_id,
        private_case_id=private_case,
        expires_at=handoff.expires_at,
        bound_subject=handoff.bound_subject,
        revoked_at=handoff.revoked_at,
        withdrawn_here=handoff.case_id != case_id and (set_aside or handoff.revoked_at is not None),
        messages=private_thread(session, workspace_id, handoff.id)[-5:],
        verified=verified,
    )


def _handoff_of_private_case(
    session: Session, workspace_id: int, case_id: int
) -> tuple[PrivateHandoff | None, bool]:
    """The hand-off a private case continues, and whether its conversation was set aside when the
    link was withdrawn and renewed (its key is then `handoff-<id>.withdrawn-<when>`)."""
    key = session.scalar(
        select(Conversation.external_key)
        .join(Case, Case.conversation_id == Conversation.id)
        .where(Case.workspace_id == workspace_id, Case.id == case_id, Conversation.network == PRIVATE_NETWORK)
    )
    match = _PRIVATE_KEY.fullmatch(key or "")
    if match is None:
        return None, False
    handoff = session.scalars(
        select(PrivateHandoff).where(
            PrivateHandoff.workspace_id == workspace_id, PrivateHandoff.id == int(match[1])
        )
    ).first()
    return handoff, match[2] is not None
