"""`socialdesk db`: the schema."""

from __future__ import annotations

import click

from socialdesk.cli.common import open_database, reports_errors
from socialdesk.config import Settings
from socialdesk.store.schema import current_revision, head_revision


@click.group(short_help="Create or upgrade the database schema.")
def db() -> None:
    """Create, upgrade and inspect the database schema (DATABASE_URL selects the database)."""


@db.command("upgrade")
@reports_errors
def upgrade_command() -> None:
    """Create the schema, or upgrade it to this version of SocialDesk. Safe to run again."""
    database = open_database(Settings(), upgrade_schema=False)
    from socialdesk.store.schema import upgrade

    changed = upgrade(database.engine)
    click.echo("Schema upgraded to " + str(head_revision()) if changed else "Schema is up to date.")


@db.command("current")
@reports_errors
def current_command() -> None:
    """Print the schema revision of the database and the newest one this version knows."""
    database = open_database(Settings(), upgrade_schema=False)
    click.echo(f"database: {current_revision(database.engine) or '(empty)'}\nnewest:   {head_revision()}")
