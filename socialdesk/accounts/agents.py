"""Creating agents and checking who is signed in. Every lookup names its workspace or its secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.accounts.passwords import hash_password, verify_password
from socialdesk.accounts.tokens import digest, new_secret
from socialdesk.core.clock import utcnow
from socialdesk.core.errors import AuthError, InvalidAction
from socialdesk.store.models import Agent, ApiToken, AuthSession, Team, Workspace

ROLES = ("admin", "supervisor", "agent")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the agent and the workspace every query of the request is scoped to."""

    agent_id: int
    workspace_id: int
    name: str
    email: str
    role: str
    presence: str = "offline"  # online | away | offline: whether auto-assignment gives them cases


def _principal(agent: Agent) -> Principal:
    return Principal(
        agent.id, agent.workspace_id, agent.name, agent.email, agent.role, presence=agent.presence
    )


def create_agent(
    session: Session,
    workspace: Workspace,
    email: str,
    name: str,
    password: str,
    role: str = "agent",
    *,
    is_trainee: bool = False,
) -> Agent:
    """A new agent. A supervisor approves trainees' replies (as admins do); a trainee's wait for that."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidAction(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise InvalidAction("role must be admin, supervisor or agent")
    if session.scalar(select(Agent.id).where(Agent.email == email)) is not None:
        raise InvalidAction(f"an agent with e-mail {email} already exists")
    agent = Agent(
        workspace_id=workspace.id,
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        is_trainee=is_trainee,
    )
    session.add(agent)
    session.flush()
    default_team = session.scalars(
        select(Team).where(Team.workspace_id == workspace.id, Team.is_default.is_(True))
    ).first()
    if default_team is not None:
        default_team.members.append(agent)
    return agent


def set_password(session: Session, agent: Agent, password: str) -> None:
    agent.password_hash = hash_password(password)
    for old in session.scalars(select(AuthSession).where(AuthSession.agent_id == agent.id)):
        session.delete(old)  # a new password signs every browser out


def authenticate(session: Session, email: str, password: str) -> Agent:
    agent = session.scalars(select(Agent).where(Agent.email == email.strip().lower())).first()
    if not verify_password(agent.password_hash if agent else None, password) or agent is None:
        raise AuthError("wrong e-mail or password")
    if not agent.is_active:
        raise AuthError("this account is disabled")
    return agent


def start_session(session: Session, key: bytes, agent: Agent, hours: int) -> str:
    """Open a browser session; returns the cookie value (only its digest is stored)."""
    secret = new_secret()
    session.add(
        AuthSession(
            agent_id=agent.id, token_digest=digest(key, secret), expires_at=utcnow() + timedelta(hours=hours)
        )
    )
    return secret


def end_session(session: Session, key: bytes, secret: str) -> None:
    row = session.scalars(select(AuthSession).where(AuthSession.token_digest == digest(key, secret))).first()
    if row is not None:
        session.delete(row)


def principal_for_session(session: Session, key: bytes, secret: str) -> Principal | None:
    row = session.execute(
        select(Agent, AuthSession.expires_at)
        .join(AuthSession, AuthSession.agent_id == Agent.id)
        .where(AuthSession.token_digest == digest(key, secret))
    ).first()
    if row is None:
        return None
    agent, expires_at = row
    if expires_at <= utcnow() or not agent.is_active:
        return None
    return _principal(agent)


def create_api_token(session: Session, key: bytes, agent: Agent, name: str) -> str:
    secret = "sd_" + new_secret()
    session.add(ApiToken(agent_id=agent.id, name=name, token_digest=digest(key, secret)))
    return secret


def principal_for_token(session: Session, key: bytes, secret: str) -> Principal | None:
    agent = session.scalars(
        select(Agent)
        .join(ApiToken, ApiToken.agent_id == Agent.id)
        .where(ApiToken.token_digest == digest(key, secret))
    ).first()
    if agent is None or not agent.is_active:
        return None
    return _principal(agent)
