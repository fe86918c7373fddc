"""Numbers that carry their own check digits: card numbers (Luhn) and IBANs (length by country, mod 97).

A check digit is what lets a long number count as a card or an IBAN with no cue word around it: a
random run of digits passes Luhn one time in ten, and an IBAN must also have its country's exact length
and pass the ISO 7064 mod-97 check, so a match here is rarely anything else.
"""

from __future__ import annotations

from socialdesk.core.types import PiiSpan, PiiType
from socialdesk.triage.pii.patterns import ASCII_ALNUM, IBAN, IBAN_LENGTH, IBAN_REACH, IBAN_START


def luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_before(text: str, run_start: int) -> PiiSpan | None:
    """An IBAN whose digits include the run: it starts at most a couple of groups before it."""
    for start in IBAN_START.finditer(text, max(0, run_start - IBAN_REACH), run_start + 2):
        span = _iban_at(text, start.start())
        if span is not None and span.end > run_start:
            return span
    return None


def _iban_at(text: str, start: int) -> PiiSpan | None:
    if start and text[start - 1] in ASCII_ALNUM:
        return None
    match = IBAN.match(text, start)
    if match is None:
        return None
    country = text[start : start + 2].upper()
    length = IBAN_LENGTH.get(country)
    if length is None:
        return None
    compact: list[str] = []
    end = start
    for index in range(start, match.end()):
        char = text[index]
        if char in ASCII_ALNUM:
            compact.append(char)
            if len(compact) == length:
                end = index + 1
                break
    else:
        return None
    if end < len(text) and text[end] in ASCII_ALNUM:
        return None  # the number goes on: not this country's IBAN
    iban = "".join(compact).upper()
    rearranged = iban[4:] + iban[:4]
    if int("".join(str(int(char, 36)) for char in rearranged)) % 97 != 1:
        return None
    return PiiSpan(PiiType.IBAN, start, end)
