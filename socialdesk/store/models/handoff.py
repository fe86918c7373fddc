"""Public-to-private hand-offs: the signed link a customer gets, how they sign in, what was verified.

A hand-off belongs to one public case. Its private conversation is an ordinary private conversation on
the network "socialdesk" (external key `handoff-<id>`), with a case of its own: the linked case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base


class PrivateHandoff(Base):
    """One case moved to private: at most one per case, renewed (new nonce) when its link expired."""

    __tablename__ = "private_handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    # Part of the signed link: renewing the hand-off changes it, so older links stop working.
    nonce: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime]
    public_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    # The first identity verified through the link owns it ("email:ana@example.com"); anyone else who
    # verifies another address is refused, so a publicly posted link cannot be taken over later.
    bound_subject: Mapped[str | None] = mapped_column(String(400))
    # Set when an agent withdrew the link by hand: it opens nothing from then on, and the customer's
    # sessions on it end. Moving the case to private again sends a new link.
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrivateHandoffSettings(Base):
    """A workspace's wording of the public reply; `{link}` is where the link goes."""

    __tablename__ = "private_handoff_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    public_reply: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrivateSignInCode(Base):
    """A one-time code mailed to a customer; only its keyed digest is kept."""

    __tablename__ = "private_sign_in_codes"
    __table_args__ = (Index("ix_private_sign_in_codes_handoff_created", "handoff_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    handoff_id: Mapped[int] = mapped_column(ForeignKey("private_handoffs.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    code_digest: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerifiedIdentity(Base):
    """A customer proved they own an address (or an OpenID Connect subject) through a hand-off.

    `conflict_customer_id` names another customer who already had that address: the two are flagged
    for an agent to merge, never merged silently.
    """

    __tablename__ = "verified_identities"
    __table_args__ = (UniqueConstraint("subject", "method", "customer_id", "workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="SET NULL"))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("private_handoffs.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(16))  # "email"
    subject: Mapped[str] = mapped_column(String(320))  # the address, lower case
    conflict_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrivateSession(Base):
    """A customer's browser session on the private page of one hand-off (only the digest is kept)."""

    __tablename__ = "private_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    handoff_id: Mapped[int] = mapped_column(ForeignKey("private_handoffs.id", ondelete="CASCADE"), index=True)
    verified_identity_id: Mapped[int] = mapped_column(
        ForeignKey("verified_identities.id", ondelete="CASCADE")
    )
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
