"""Replacing personal data before text leaves the agent's screen: `redact` and the logging filter.

Logs, exports and analytics must not hold what customers paste, so each span found becomes a
placeholder such as ``[phone]`` that still tells a reader what was there; `RedactingFilter` applies the
same to every log record, its arguments and its traceback, before any handler formats it.
"""

from __future__ import annotations

import logging

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
    too; args are then cleared so no handler formats the original values again. Tracebacks are
    rendered and redacted as well, since exception messages often quote the offending input.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A bad format string would make the handler print the raw args to stderr; keep them
            # readable but redacted instead of losing the record.
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
