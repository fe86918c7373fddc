"""`find_pii`: one pass over a post that hands each kind of candidate to its rules, then resolves overlaps.

This is the entry point of detection and the part that keeps the common case cheap: e-mail search runs
only if the post holds an ``@``, and one regex pass picks out the only digits worth a look, sending
account values to the account rules and long runs to the phone, card and IBAN rules. Where findings
overlap, the more specific validation wins.
"""

from __future__ import annotations

import bisect

from socialdesk.core.types import PiiSpan
from socialdesk.triage.pii.accounts import check_value_at, find_letter_codes
from socialdesk.triage.pii.emails import find_emails
from socialdesk.triage.pii.numbers import find_numbers_in_run
from socialdesk.triage.pii.patterns import CHUNK, DATE, DIGITS_OF_INTEREST, PRIORITY


def find_pii(text: str) -> list[PiiSpan]:
    """Personal data in `text`, as non-overlapping spans sorted by start."""
    if not text:
        return []
    found: list[PiiSpan] = []
    if "@" in text:
        find_emails(text, found)
    accounts: list[PiiSpan] = []
    runs: list[tuple[int, int]] = []
    seen_end = -1
    for match in DIGITS_OF_INTEREST.finditer(text):
        start, end = match.span()
        if match.group("run") is None:
            if start >= seen_end:
                seen_end = check_value_at(text, start, accounts)
            continue
        if DATE.fullmatch(text, start, end):
            continue  # the most common long run in a post, and never personal data
        runs.append((start, end))
        # The values inside a run ("order 12345678 07700 900123") are looked at before its phones,
        # since a number the text calls an order number is not also a phone.
        for chunk in CHUNK.finditer(text, start, end):
            if chunk.start() >= seen_end:
                seen_end = check_value_at(text, chunk.start(), accounts)
    find_letter_codes(text, accounts)
    found.extend(accounts)
    for start, end in runs:
        find_numbers_in_run(text, start, end, found, accounts)
    return _resolve(found)


def _resolve(found: list[PiiSpan]) -> list[PiiSpan]:
    if len(found) < 2:
        return found
    # Kept spans never overlap, so sorted by start they are sorted by end too and one bisect finds
    # the only neighbours a new span could collide with (a long text may hold thousands of spans).
    starts: list[int] = []
    kept: list[PiiSpan] = []
    for span in sorted(found, key=lambda s: (PRIORITY[s.type], s.start)):
        index = bisect.bisect_left(starts, span.start)
        if index < len(kept) and kept[index].start < span.end:
            continue
        if index > 0 and kept[index - 1].end > span.start:
            continue
        starts.insert(index, span.start)
        kept.insert(index, span)
    return kept
