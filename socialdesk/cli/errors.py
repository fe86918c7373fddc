"""How commands report failures: one readable line instead of a traceback."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import click
from sqlalchemy.exc import OperationalError

from socialdesk.core.errors import SocialDeskError

P = ParamSpec("P")
R = TypeVar("R")


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
