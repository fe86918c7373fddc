"""`socialdesk db`, and the database every other command opens."""

from __future__ import annotations

import click

from socialdesk.cli.errors import reports_errors
from socialdesk.config import Settings
from socialdesk.store.db import Database
from socialdesk.store.schema import current_revision, head_revision, upgrade


def open_database(settings: Settings, *, upgrade_schema: bool = True) -> Database:
    """The configured database, with its schema created or upgraded when it is behind.

    Its connections are closed when the command ends.
    """
    db = Database(settings.resolved_database_url())
    click.get_current_context().call_on_close(db.dispose)
    if upgrade_schema and upgrade(db.engine):
        click.echo(f"Database schema created or upgraded ({_safe_url(db)}).", err=True)
    return db


def _safe_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=True)


@click.group(short_help="Create or upgrade the database schema.")
def db() -> None:
    """Create, upgrade and inspect the database schema (DATABASE_URL selects the database)."""


@db.command("upgrade")
@reports_errors
def upgrade_command() -> None:
    """Create the schema, or upgrade it to this version of SocialDesk. Safe to run again."""
    database = open_database(Settings(), upgrade_schema=False)
    changed = upgrade(database.engine)
    click.echo("Schema upgraded to " + str(head_revision()) if changed else "Schema is up to date.")


@db.command("current")
@reports_errors
def current_command() -> None:
    """Print the schema revision of the database and the newest one this version knows."""
    database = open_database(Settings(), upgrade_schema=False)
    click.echo(f"database: {current_revision(database.engine) or '(empty)'}\nnewest:   {head_revision()}")
