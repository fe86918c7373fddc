"""Phone and card numbers inside a run of digits, and the cue-word check that makes a number a phone.

A run found by the one-pass digit pattern may hold several numbers, dates and prices; here it is cut
into chunks and segments, each span of chunks short enough to be a phone or card is validated longest
first, and a number counts as a card by its grouping and Luhn check digit, as a phone by its shape
(international prefix, trunk prefix, North American or Spanish grouping) or by a cue word around it.
An IBAN whose digits include the run is checked first, since it starts a few groups before the run.
"""

from __future__ import annotations

from socialdesk.core.types import PiiSpan, PiiType
from socialdesk.triage.pii.checksums import iban_before, luhn_ok
from socialdesk.triage.pii.patterns import (
    AFTER_WINDOW,
    CHUNK,
    CHUNK_EDGE,
    CUE_WINDOW,
    GLUED_AFTER,
    GLUED_BEFORE,
    GROUP,
    HINT_REACH,
    MAX_CANDIDATE_CHARS,
    MAX_CHUNKS,
    MAX_NUMBER_DIGITS,
    MIN_PHONE_DIGITS,
    PHONE_CONTEXT,
    SPACES,
)


def find_numbers_in_run(
    text: str, start: int, end: int, found: list[PiiSpan], accounts: list[PiiSpan]
) -> None:
    iban = iban_before(text, start)
    if iban is not None:
        found.append(iban)
        if iban.end >= end:
            return
    if start and text[start - 1] == "+":
        start -= 1
    elif text[max(0, start - 2) : start] in {"+ ", "+\u00a0"}:
        start -= 2
    if start and text[start - 1] == "(":  # "(0161) 496 0000", "(+44) 7700 900123"
        start -= 1
    if text[end : end + 1] == ")":
        end += 1
    chunks = [(m.start(), m.end()) for m in CHUNK.finditer(text, start, end)]
    if _glued_before(text, start):
        chunks.pop(0)
    if chunks and _glued_after(text, end):
        chunks.pop()
    segment: list[tuple[int, int]] = []
    for chunk_start, chunk_end in chunks:
        while chunk_start < chunk_end and text[chunk_start] in CHUNK_EDGE:
            chunk_start += 1
        while chunk_end > chunk_start and text[chunk_end - 1] in CHUNK_EDGE:
            chunk_end -= 1
        if chunk_start == chunk_end:  # a lone " - " or " / " between two numbers keeps them apart
            _numbers_in_segment(text, segment, found, accounts)
            segment = []
        else:
            segment.append((chunk_start, chunk_end))
    _numbers_in_segment(text, segment, found, accounts)


def _glued_before(text: str, start: int) -> bool:
    if start == 0:
        return False
    previous = text[start - 1]
    return previous.isalnum() or previous in GLUED_BEFORE


def _glued_after(text: str, end: int) -> bool:
    if end >= len(text):
        return False
    following = text[end]
    if following.isalnum() or following in GLUED_AFTER:
        return True
    # "1 299,00" and "07700-ABC" continue into something that is not a phone.
    return following in ",.-/" and end + 1 < len(text) and text[end + 1].isalnum()


def _numbers_in_segment(
    text: str, chunks: list[tuple[int, int]], found: list[PiiSpan], accounts: list[PiiSpan]
) -> None:
    """Longest valid phone or card first, left to right, so "20.11.2026 07700 900123" still finds one."""
    if not chunks:
        return
    cues = _Cues(text, chunks[0][0], chunks[-1][1])
    sizes = [end - start for start, end in chunks]
    i = 0
    while i < len(chunks):
        # Only chunk ranges short enough to hold a phone or card number are validated, which keeps a
        # long list of numbers linear.
        last, total = i, sizes[i]
        while last + 1 < min(len(chunks), i + MAX_CHUNKS) and total + sizes[last + 1] <= MAX_CANDIDATE_CHARS:
            last += 1
            total += sizes[last]
        for j in range(last, i - 1, -1):
            end = chunks[j][1]
            tail = end - 1 if text[end - 1] == ")" else end
            if tail - chunks[i][0] < 2 or not (text[tail - 1].isdigit() and text[tail - 2].isdigit()):
                continue  # every phone and card ends in a group of two digits or more
            span = _number_span(text, chunks[i][0], end, accounts, cues)
            if span is not None:
                found.append(span)
                i = j
                break
        i += 1


def _number_span(text: str, start: int, end: int, accounts: list[PiiSpan], cues: _Cues) -> PiiSpan | None:
    # Parentheses belong to the number only in pairs: "(202) 555-0147" but not "(call 555-0147)".
    while text[start] == "(" and text.count("(", start, end) > text.count(")", start, end):
        start += 1
    while text[end - 1] == ")" and text.count(")", start, end) > text.count("(", start, end):
        end -= 1
    candidate = text[start:end]
    groups = GROUP.findall(candidate)
    digits = sum(map(len, groups))
    if digits < MIN_PHONE_DIGITS or digits > MAX_NUMBER_DIGITS:
        return None
    separators = GROUP.split(candidate)[1:-1]
    if _is_card(candidate, groups, separators, digits):
        return PiiSpan(PiiType.CARD, start, end)
    bare = candidate.lstrip("(")
    international = bare[0] == "+" or (bare.startswith("00") and len(bare) > 2 and bare[2] in "123456789")
    if not international and any(a.start <= start and end <= a.end for a in accounts):
        return None  # the text calls it an order or account number ("order 202-555-0147")
    if _is_phone(candidate, start, end, groups, separators, international, cues):
        return PiiSpan(PiiType.PHONE, start, end)
    return None


def _is_card(candidate: str, groups: list[str], separators: list[str], digits: int) -> bool:
    if digits < 13 or candidate[0] not in "123456":
        return False
    if len(groups) > 1:
        if any(sep not in {" ", "-", "\u00a0"} for sep in separators) or len(set(separators)) > 1:
            return False
        sizes = [len(group) for group in groups]
        fours = all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4
        if not fours and sizes not in ([4, 6, 5], [4, 6, 4]):
            return False
    return luhn_ok("".join(groups))


def _is_phone(
    candidate: str,
    start: int,
    end: int,
    groups: list[str],
    separators: list[str],
    international: bool,
    cues: _Cues,
) -> bool:
    digits = sum(map(len, groups))
    limit = 17 if candidate.startswith("00") else 15  # E.164 allows 15 digits after the "+"
    if digits > limit or (len(groups) > 1 and len(groups[-1]) < 2):
        return False
    if international:
        return digits >= 8
    if _looks_like_date(groups) or all(len(g) == 4 and g[:2] in {"19", "20"} for g in groups):
        return False
    dotted = any("." in sep for sep in separators)
    if dotted and (any(sep != "." for sep in separators) or _looks_like_ip(groups)):
        return False  # versions, IPs and "10.30 - 12.45" mix dots with other things
    sizes = [len(group) for group in groups]
    first = groups[0]
    if len(groups) == 1:
        return digits >= 8 and cues.near(start, end)
    if first[0] == "0" and len(first) >= 2 and digits >= 9:
        return True  # national trunk prefix: 07700 900123, 030 1234567, 06 12 34 56 78
    if sizes == [3, 3, 4] and first[0] not in "01" and groups[1][0] not in "01":
        return True  # North American: (202) 555-0147, 202-555-0147
    blank = all(sep.strip(SPACES) == "" for sep in separators)
    if blank and first[0] in "6789" and sizes in ([3, 3, 3], [3, 2, 2, 2], [2, 3, 2, 2]):
        return True  # Spanish: 612 345 678, 91 123 45 67
    return cues.near(start, end)


def _looks_like_date(groups: list[str]) -> bool:
    if len(groups) != 3:
        return False
    a, b, c = (int(group) for group in groups)
    sizes = tuple(len(group) for group in groups)
    if sizes[0] == 4:
        return 1900 <= a < 2100 and 1 <= b <= 12 and 1 <= c <= 31 and sizes[2] <= 2
    if sizes[0] > 2 or sizes[1] > 2 or sizes[2] not in (2, 4):
        return False
    if sizes[2] == 4 and not 1900 <= c < 2100:
        return False
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def _looks_like_ip(groups: list[str]) -> bool:
    return len(groups) == 4 and all(len(group) <= 3 and int(group) <= 255 for group in groups)


class _Cues:
    """Phone cue words around one segment of numbers, looked up at most once however many candidates
    the segment holds: the segment itself is digits and separators, so the words before any candidate
    in it are the words before the segment, and likewise after."""

    __slots__ = ("_after", "_before", "_end", "_looked_before", "_start", "_text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text = text
        self._start = start
        self._end = end
        self._looked_before = False
        self._before: bool | None = None  # None: no cue or hint word before the segment
        self._after: bool | None = None

    def near(self, start: int, end: int) -> bool:
        if start - self._start < CUE_WINDOW:
            if not self._looked_before:
                self._before = self._verdict_before()
                self._looked_before = True
            if self._before is not None:  # the nearest word before decides
                return self._before
        if self._end - end < AFTER_WINDOW:  # "07700900123 is my number"
            if self._after is None:
                after = PHONE_CONTEXT.search(self._text, self._end, self._end + AFTER_WINDOW)
                self._after = after is not None and after.group("hint") is None
            return self._after
        return False

    def _verdict_before(self) -> bool | None:
        words = list(PHONE_CONTEXT.finditer(self._text, max(0, self._start - CUE_WINDOW), self._start))
        if not words:
            return None
        last = words[-1]
        if last.group("strong"):
            return True
        if last.group("hint"):
            return False
        # a weak word: "my number" yes, "order number" no
        return not (
            len(words) > 1 and words[-2].group("hint") and last.start() - words[-2].end() <= HINT_REACH
        )
