"""Connecting a brand's accounts on the networks: credentials (sealed), status, and health.

The web settings page and the CLI call these; the pollers, the outbox and the webhook endpoints read a
channel through `load_account`, which is the only place credentials are opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from socialdesk.channels import NETWORKS, connector
from socialdesk.channels.base import Account
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.core.types import DeliveryStatus
from socialdesk.pipeline.credentials import Vault
from socialdesk.store.db import Database
from socialdesk.store.models import ChannelAccount, Post

ACTIVE = "active"
PAUSED = "paused"
ARCHIVE = "archive"  # known from imported posts only; no connector runs for it
MAX_ERROR = 2000


@dataclass(frozen=True, slots=True)
class LoadedChannel:
    """A channel account with its credentials opened, for the one call that needs them."""

    id: int
    workspace_id: int
    network: str
    status: str
    account: Account


def connect_channel(
    db: Database,
    vault: Vault,
    workspace_id: int,
    network: str,
    handle: str,
    credentials: Mapping[str, str],
    settings: Mapping[str, Any] | None = None,
    external_id: str | None = None,
) -> int:
    """Connect (or reconnect) the brand's account `handle` on `network`; returns the channel id.

    An account already known from imported posts is the same channel: its history stays with it.
    """
    if network not in NETWORKS:
        raise InvalidAction(f"unknown network {network!r}; one of {', '.join(NETWORKS)}")
    handle = handle.strip().lstrip("@") if network != "email" else handle.strip().lower()
    if not handle:
        raise InvalidAction("the account's handle is empty")
    fields = connector(network).credential_fields
    given = {k: v.strip() for k, v in credentials.items() if v and v.strip()}
    unknown = sorted(set(given) - {f.name for f in fields})
    if unknown:
        raise InvalidAction(f"{network} has no credential called {', '.join(unknown)}")
    with db.write() as session:
        row = session.scalars(
            select(ChannelAccount).where(
                ChannelAccount.workspace_id == workspace_id,
                ChannelAccount.network == network,
                ChannelAccount.handle == handle,
            )
        ).first()
        if row is None:
            row = ChannelAccount(workspace_id=workspace_id, network=network, handle=handle)
            session.add(row)
        kept = vault.open(row.credentials) if row.credentials else {}
        merged = {**kept, **given}  # a field left empty on the form keeps its stored value
        missing = [f.label for f in fields if f.required and f.name not in merged]
        if missing:
            raise InvalidAction(f"missing: {', '.join(missing)}")
        row.credentials = vault.seal(merged)
        row.settings = {**(row.settings or {}), **dict(settings or {})}
        if external_id:
            row.external_id = external_id
        row.status = ACTIVE
        row.next_poll_at = utcnow()
        row.last_error = None
        row.last_error_at = None
        session.flush()
        _release_held_replies(session, row.id)
        return row.id


def _owned(session: Session, workspace_id: int, channel_id: int) -> ChannelAccount:
    row = session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.workspace_id == workspace_id, ChannelAccount.id == channel_id
        )
    ).first()
    if row is None:
        raise NotFound(f"channel {channel_id} not found")
    return row


def set_paused(db: Database, workspace_id: int, channel_id: int, paused: bool) -> None:
    """Pause a channel (no polling, no sending; webhook deliveries are still stored) or resume it."""
    with db.write() as session:
        row = _owned(session, workspace_id, channel_id)
        if row.credentials is None:
            raise InvalidAction("this channel is not connected yet")
        row.status = PAUSED if paused else ACTIVE
        if not paused:
            row.next_poll_at = utcnow()
            _release_held_replies(session, row.id)


def _release_held_replies(session: Session, channel_id: int) -> None:
    """Replies held while the channel was paused or not yet connected are due now."""
    session.execute(
        update(Post)
        .where(
            Post.channel_account_id == channel_id,
            Post.delivery_status == DeliveryStatus.QUEUED,
            Post.next_send_at.is_(None),
        )
        .values(next_send_at=utcnow(), send_error=None)
    )


def load_account(db: Database, vault: Vault, channel_id: int) -> LoadedChannel:
    """The channel with its credentials opened (any workspace: webhooks arrive without one)."""
    with db.read() as session:
        row = session.get(ChannelAccount, channel_id)
        if row is None:
            raise NotFound(f"channel {channel_id} not found")
        return loaded(row, vault)


def loaded(row: ChannelAccount, vault: Vault) -> LoadedChannel:
    account = Account(
        handle=row.handle,
        external_id=row.external_id,
        credentials=vault.open(row.credentials),
        settings=dict(row.settings or {}),
    )
    return LoadedChannel(row.id, row.workspace_id, row.network, row.status, account)


def record_success(session: Session, channel_id: int) -> None:
    session.execute(
        update(ChannelAccount).where(ChannelAccount.id == channel_id).values(last_success_at=utcnow())
    )


def record_error(session: Session, channel_id: int, message: str) -> None:
    session.execute(
        update(ChannelAccount)
        .where(ChannelAccount.id == channel_id)
        .values(last_error=message[:MAX_ERROR], last_error_at=utcnow())
    )


def record_health(db: Database, channel_id: int, error: str | None) -> None:
    with db.write() as session:
        if error is None:
            record_success(session, channel_id)
        else:
            record_error(session, channel_id, error)
