"""`socialdesk createuser` and `socialdesk token`: agents and their credentials."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from socialdesk.accounts.agents import ROLES, create_agent, create_api_token
from socialdesk.cli.database import open_database
from socialdesk.cli.errors import reports_errors
from socialdesk.config import Settings
from socialdesk.core.errors import InvalidAction
from socialdesk.pipeline.workspaces import DEFAULT_WORKSPACE, ensure_workspace
from socialdesk.store.models import Agent


@click.command(short_help="Create an agent (the first one: an admin).")
@click.argument("email")
@click.option("--name", help="Display name (default: the part of EMAIL before the @).")
@click.option("--workspace", default=DEFAULT_WORKSPACE, show_default=True, help="Created when missing.")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.option("--trainee", is_flag=True, help="Hold the agent's replies for a supervisor's approval.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@reports_errors
def createuser(
    email: str, name: str | None, workspace: str, role: str, trainee: bool, password_stdin: bool
) -> None:
    """Create an agent who signs in with EMAIL; asks for the password unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = open_database(Settings())
    try:
        with db.write() as session:
            ws = ensure_workspace(session, workspace)
            agent = create_agent(
                session, ws, email, name or email.split("@")[0], password, role, is_trainee=trainee
            )
            kind = f"trainee {agent.role}" if agent.is_trainee else agent.role
            click.echo(f"Created {kind} {agent.email} in workspace {ws.name!r}.")
    except ValueError as exc:
        raise InvalidAction(str(exc)) from exc


@click.group(short_help="Create API tokens for /api/v1.")
def token() -> None:
    """API tokens: `Authorization: Bearer <token>` on /api/v1 calls."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@reports_errors
def token_create(email: str, name: str) -> None:
    """Create an API token that acts as the agent EMAIL; it is printed once and never stored."""
    settings = Settings()
    db = open_database(settings)
    with db.write() as session:
        agent = session.scalars(select(Agent).where(Agent.email == email.strip().lower())).first()
        if agent is None:
            raise InvalidAction(f"no agent with e-mail {email}")
        secret = create_api_token(session, settings.signing_key(), agent, name)
    click.echo(secret)
