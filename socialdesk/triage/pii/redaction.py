"""Replacing personal data before text leaves the agent's screen: `redact` and the logging filter.

Logs, exports and analytics must not hold what customers paste, so each span found becomes a
placeholder such as ``[phone]`` that still tells a reader what was there; `RedactingFilter` applies the
same to every log record, its arguments and its traceback, before any handler formats it.
"""

from __future__ import annotations

import logging
from typing import Any

from socialdesk.core.types import PiiSpan
from socialdesk.triage.pii.detection import find_pii
from socialdesk.triage.pii.patterns import PLACEHOLDER


def redact(text: str, spans: list[PiiSpan] | None = None) -> str:
    """`text` with each span replaced by a placeholder such as ``[phone]``; finds the spans if not given."""
    if spans is None:
        spans = find_pii(text)
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < position:
            # Overlapping spans from a caller: one placeholder covers both, leaking nothing of either.
            position = max(position, span.end)
            continue
        parts.append(text[position : span.start])
        parts.append(PLACEHOLDER[span.type])
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


class RedactingFilter(logging.Filter):
    """Keeps personal data out of log output by redacting each record before any handler formats it.

    The message is formatted with its args here, so a phone number passed as an argument is caught
    too. Formatters that read the args themselves (uvicorn's access log unpacks them) must still get
    them: a record without personal data is left as it is, and otherwise the args are redacted one by
    one when that gives the same redacted message; only when personal data spans the format string and
    its args is the message replaced by its redacted text and the args cleared. Tracebacks are rendered
    and redacted as well, since exception messages often quote the offending input.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A bad format string would make the handler print the raw args to stderr; keep them
            # readable but redacted instead of losing the record.
            message = f"{record.msg} {record.args!r}"
            record.args = None
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = _redacted_parts(record, redacted)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _redacted_parts(record: logging.LogRecord, redacted: str) -> tuple[str, Any]:
    """The record's format string and args, each redacted, if they still make `redacted`."""
    if isinstance(record.msg, str) and isinstance(record.args, tuple):
        args = tuple(_redact_arg(a) for a in record.args)
        msg = redact(record.msg)
        try:
            if msg % args == redacted:
                return msg, args
        except (TypeError, ValueError):
            pass
    return redacted, None


def _redact_arg(value: object) -> object:
    if isinstance(value, bool | int | float) or value is None:
        return value  # keeps %d and %f working; numbers are checked as part of the whole message
    return redact(value if isinstance(value, str) else str(value))
