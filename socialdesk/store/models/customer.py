"""Customers and the identities through which they reach the brand on each network."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from socialdesk.core.clock import utcnow
from socialdesk.store.models.base import Base


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The profile an agent keeps (docs/customers.md): set by hand or by the API, never by ingest.
    email: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))
    attributes: Mapped[dict[str, Any] | None]  # name -> value as text (core.profiles.clean_attributes)
    # A merged customer stays as a tombstone pointing at the survivor, so that old links redirect.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_at: Mapped[datetime | None]

    identities: Mapped[list[Identity]] = relationship(
        back_populates="customer", order_by="Identity.id", cascade="all, delete-orphan"
    )


class Identity(Base):
    """One account of a customer on one network, keyed by the network's own user id."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("external_id", "network", "workspace_id"),)  # selective column first

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(320))
    handle: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    # The created_at of the newest post seen from this identity: profile fields follow the newest post,
    # whatever order posts arrive in.
    last_seen_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(back_populates="identities")
