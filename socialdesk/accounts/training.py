"""Who reviews and who is reviewed: an admin makes an agent a supervisor, or puts them in training."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core.errors import InvalidAction, NotFound
from socialdesk.store.models import Agent

# Admins are made with `socialdesk createuser`; this page never makes or unmakes one, so that a
# workspace cannot lose its last admin here.
ASSIGNABLE_ROLES = ("agent", "supervisor")


def set_training(session: Session, workspace_id: int, agent_id: int, role: str, is_trainee: bool) -> None:
    """Set a non-admin agent's role (agent or supervisor) and whether their replies need approval.

    Call inside a write transaction. A supervisor in training is allowed (they still cannot review
    while the flag is on); an admin is refused.
    """
    if role not in ASSIGNABLE_ROLES:
        raise InvalidAction("role must be agent or supervisor")
    agent = session.scalars(
        select(Agent).where(Agent.workspace_id == workspace_id, Agent.id == agent_id)
    ).first()
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    if agent.role == "admin":
        raise InvalidAction("an admin's role is changed with `socialdesk createuser`, not here")
    agent.role = role
    agent.is_trainee = is_trainee
