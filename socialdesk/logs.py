"""Logging that never writes a customer's personal data: every handler gets the redacting filter."""

from __future__ import annotations

import logging

from socialdesk.triage.pii import RedactingFilter

_FILTER = RedactingFilter()


def redact_logs(logger: logging.Logger | None = None) -> None:
    """Attach the redacting filter to every handler of `logger` (default: the root logger).

    Filters on handlers, not on loggers, see records from every child logger (uvicorn's, SQLAlchemy's),
    so no record reaches a handler unredacted.
    """
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
