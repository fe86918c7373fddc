"""E-mail addresses in a post: found from each ``@`` glued to a word, never by scanning the whole text.

Most posts hold an @handle and no address, so the search starts only at an ``@`` with a local-part
character right before it, reads the domain forward with one anchored match and the local part backward
character by character; handles on another server ("@alice@mastodon.social") and profile links are
turned away here.
"""

from __future__ import annotations

from socialdesk.core.types import PiiSpan, PiiType
from socialdesk.triage.pii.patterns import EMAIL_DOMAIN, LOCAL_PART_SYMBOLS, MAX_LOCAL_PART


def find_emails(text: str, found: list[PiiSpan]) -> None:
    at = text.find("@", 1)
    while at != -1:
        previous = text[at - 1]
        if previous.isalnum() or previous in LOCAL_PART_SYMBOLS:
            span = _email_at(text, at)
            if span is not None:
                found.append(span)
                at = span.end
        at = text.find("@", at + 1)


def _email_at(text: str, at: int) -> PiiSpan | None:
    domain = EMAIL_DOMAIN.match(text, at + 1)
    if domain is None:
        return None
    start = at
    limit = max(0, at - MAX_LOCAL_PART - 1)
    while start > limit and (text[start - 1].isalnum() or text[start - 1] in LOCAL_PART_SYMBOLS):
        start -= 1
    if start == limit and start > 0:
        return None  # longer than any real local part
    # "@alice@mastodon.social" is a handle on another server, and ".../@alice@host" a profile link.
    if start > 0 and text[start - 1] in "@/":
        return None
    while start < at and text[start] in "._%+-":
        start += 1
    if start == at:
        return None
    return PiiSpan(PiiType.EMAIL, start, domain.end())
