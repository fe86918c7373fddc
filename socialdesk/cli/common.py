"""What the subcommands share: settings, an upgraded database, and error reporting."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import click
from sqlalchemy.exc import OperationalError

from socialdesk.config import Settings
from socialdesk.core.errors import SocialDeskError
from socialdesk.store.db import Database
from socialdesk.store.schema import upgrade

P = ParamSpec("P")
R = TypeVar("R")


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


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Show SocialDesk's own errors, and an unreachable database, as one readable line; no traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SocialDeskError as exc:
            raise click.ClickException(str(exc)) from exc
        except OperationalError as exc:
            first_line = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(f"cannot use the database (check DATABASE_URL): {first_line}") from exc

    return wrapper
