"""What an agent adds to a customer profile: labels (tags, products) and satisfaction ratings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base


class CustomerLabel(Base):
    """A tag or a product on a customer: rows rather than a JSON list, so segments filter in SQL."""

    __tablename__ = "customer_labels"
    __table_args__ = (
        UniqueConstraint("customer_id", "kind", "value"),
        # Segments look for the customers carrying a label.
        Index("ix_customer_labels_lookup", "workspace_id", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "tag" or "product"
    value: Mapped[str] = mapped_column(String(50))


class SatisfactionRating(Base):
    """One CSAT rating (1-5) per case: an agent's estimate, replaced by the customer's own answer.

    It belongs to whoever the case belongs to (no customer column of its own), so merges and splits
    carry it along with the case.
    """

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(16))  # "agent" or "customer"
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
