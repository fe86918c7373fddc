"""Reading a workspace's channel accounts and their health, for the settings page and the API."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialdesk.core.types import DeliveryStatus
from socialdesk.store.models import ChannelAccount, Post
from socialdesk.store.repos.views import ChannelView

_WAITING = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def list_channels(session: Session, workspace_id: int) -> list[ChannelView]:
    rows = session.scalars(
        select(ChannelAccount)
        .where(ChannelAccount.workspace_id == workspace_id)
        .order_by(ChannelAccount.network, ChannelAccount.handle)
    ).all()
    backlog = {
        (channel_id, status): (count, oldest)
        for channel_id, status, count, oldest in session.execute(
            select(Post.channel_account_id, Post.delivery_status, func.count(), func.min(Post.created_at))
            .where(
                Post.workspace_id == workspace_id,
                Post.delivery_status.in_((*_WAITING, DeliveryStatus.FAILED)),
            )
            .group_by(Post.channel_account_id, Post.delivery_status)
        )
    }
    views = []
    for row in rows:
        waiting = [backlog.get((row.id, s), (0, None)) for s in _WAITING]
        oldest = min((o for _, o in waiting if o is not None), default=None)
        views.append(
            ChannelView(
                id=row.id,
                network=row.network,
                handle=row.handle,
                external_id=row.external_id,
                status=row.status,
                connected=row.credentials is not None,
                settings=dict(row.settings or {}),
                last_success_at=row.last_success_at,
                last_error_at=row.last_error_at,
                last_error=row.last_error,
                waiting=sum(n for n, _ in waiting),
                failed=backlog.get((row.id, DeliveryStatus.FAILED), (0, None))[0],
                oldest_waiting_at=oldest,
                next_poll_at=row.next_poll_at,
            )
        )
    return views


def get_channel(session: Session, workspace_id: int, channel_id: int) -> ChannelView | None:
    return next((c for c in list_channels(session, workspace_id) if c.id == channel_id), None)
