"""Account, customer, order and booking numbers: a value counts only after a cue word that names it.

A bare number or six-letter code is no one's personal data until the text calls it an account, order
or booking number ("order #", "Kundennummer:", "booking ref is"), so each candidate value is first
measured (long enough, digits or a booking-code shape, not a date or amount), then the word in front of
it must end like a cue before the full cue pattern runs on a short window; the spans found here also
stop the phone rules from reading an order number as a phone.
"""

from __future__ import annotations

import re

from socialdesk.core.types import PiiSpan, PiiType
from socialdesk.triage.pii.patterns import (
    ACCOUNT_CUE,
    ACCOUNT_VALUE,
    ASCII_ALNUM,
    BOOKING_CODE_LENGTH,
    CAPS_CODE,
    CODE_CUE,
    CONNECTOR_CHARS,
    CONNECTOR_WORDS,
    CUE_ENDINGS,
    CUE_WINDOW,
    DATE_OR_AMOUNT,
    MAX_ACCOUNT_LENGTH,
    MIN_VALUE_LENGTH,
    SHOUTED_WORDS,
)


def check_value_at(text: str, digit: int, accounts: list[PiiSpan]) -> int:
    """Checks the value around the digit at `digit`; returns where that value ends."""
    start = _value_start(text, digit)
    value = ACCOUNT_VALUE.match(text, start)
    if value is None:  # the digit sits after a separator that does not belong to a value
        return digit + 1
    end = value.end()
    if end - start >= MIN_VALUE_LENGTH:
        _check_account(text, start, end, accounts)
    return end


def find_letter_codes(text: str, accounts: list[PiiSpan]) -> None:
    length = len(text)
    for code in CAPS_CODE.finditer(text):
        start, end = code.span()
        if (start and text[start - 1] in ASCII_ALNUM) or (end < length and text[end] in ASCII_ALNUM):
            continue
        _check_account(text, start, end, accounts)


def _value_start(text: str, start: int) -> int:
    while start > 0:
        previous = text[start - 1]
        # "RF-220914" and "AB/12345" are one value; in "Nr.12345" the value starts after the dot.
        glued = previous in "-/." and start > 1 and (text[start - 2].isdigit() or text[start - 2].isupper())
        if not (glued or previous in ASCII_ALNUM):
            break
        start -= 1
    return start


def _check_account(text: str, start: int, end: int, accounts: list[PiiSpan]) -> None:
    if end - start > MAX_ACCOUNT_LENGTH or start == 0 or text[end : end + 1] == "@":
        return
    kind = _account_value_kind(text[start:end])
    if kind is None:
        return
    cue = _account_cue_before(text, start)
    if cue is None:
        return
    if kind == "letters":
        words = cue.group("cue")
        if not CODE_CUE.search(words) or (words.isupper() and words != "PNR"):
            return
        if text[start:end] in SHOUTED_WORDS:
            return
    accounts.append(PiiSpan(PiiType.ACCOUNT, start, end))


def _account_cue_before(text: str, start: int) -> re.Match[str] | None:
    low = max(0, start - CUE_WINDOW)
    # The full cue pattern costs microseconds per window; the word right before the value (or before
    # "is") has to end like a cue word first, which rules out "flight BA117" for a few string calls.
    head = text[low:start].rstrip(CONNECTOR_CHARS)
    word = head[head.rfind(" ") + 1 :].lower()
    if word in CONNECTOR_WORDS:
        head = head[: -len(word)].rstrip(CONNECTOR_CHARS)
        word = head[head.rfind(" ") + 1 :].lower()
    if not word.endswith(CUE_ENDINGS):
        return None
    return ACCOUNT_CUE.search(text, low, start)


def _account_value_kind(value: str) -> str | None:
    digits = sum(map(str.isdigit, value))  # the value is ASCII, so these are ASCII digits
    if len(value) >= MIN_VALUE_LENGTH and digits >= 3:
        return None if DATE_OR_AMOUNT.fullmatch(value) else "number"
    if len(value) == BOOKING_CODE_LENGTH and value.isalnum():
        if digits:
            return "code" if digits < len(value) else None
        return "letters" if value.isupper() else None
    return None
