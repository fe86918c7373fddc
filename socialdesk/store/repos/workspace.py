"""Reading a workspace's own settings: its teams and channel accounts (for filters and forms)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.channels import NETWORKS
from socialdesk.store.models import Agent, ChannelAccount, Tag, Team, Workspace
from socialdesk.store.repos.views import Option


def workspace_name(session: Session, workspace_id: int) -> str:
    return session.get_one(Workspace, workspace_id).name


def team_options(session: Session, workspace_id: int) -> list[Option]:
    teams = session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name))
    return [Option(t.id, t.name) for t in teams]


def channel_options(session: Session, workspace_id: int) -> list[Option]:
    channels = session.scalars(
        select(ChannelAccount)
        .where(ChannelAccount.workspace_id == workspace_id)
        .order_by(ChannelAccount.network, ChannelAccount.handle)
    )
    return [Option(c.id, f"{_label(c.network)}: {c.handle}") for c in channels]


def _label(network: str) -> str:
    known = NETWORKS.get(network)
    return known.label if known else network


def agent_options(session: Session, workspace_id: int) -> list[Option]:
    """The workspace's active agents, by name (for assignee filters and bulk assignment)."""
    agents = session.scalars(
        select(Agent)
        .where(Agent.workspace_id == workspace_id, Agent.is_active.is_(True))
        .order_by(Agent.name)
    )
    return [Option(a.id, a.name) for a in agents]


def tag_names(session: Session, workspace_id: int) -> list[str]:
    return list(session.scalars(select(Tag.name).where(Tag.workspace_id == workspace_id).order_by(Tag.name)))
