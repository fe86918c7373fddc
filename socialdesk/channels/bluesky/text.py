"""Bluesky's text rules: lengths in grapheme clusters, rich-text facets in UTF-8 byte offsets, and TIDs.

Bluesky limits a post to 300 grapheme clusters (and 3000 UTF-8 bytes) and a chat message to 1000 (and
10000 bytes), as the lexicons app.bsky.feed.post and chat.bsky.convo.defs#messageInput say
(`maxGraphemes`, `maxLength`); the PDS counts clusters with `Intl.Segmenter`, i.e. Unicode's extended
grapheme clusters (UAX #29). Python's standard library cannot segment text, so `graphemes` follows the
UAX #29 rules (including GB9c, Indic conjuncts: "नमस्ते" is 3) over properties derived from
`unicodedata` and a few code point ranges. It counts what the PDS counts for the text people write
(emoji with skin tones and ZWJ sequences, flags, combining marks, Hangul, Indic scripts); the PDS has
the last word and its refusal reaches the agent with its own message.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Grapheme_Cluster_Break values (and Extended_Pictographic), as small ints.
_OTHER, _CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _PREPEND, _SPACING = range(9)
_L, _V, _T, _LV, _LVT, _PICT = range(9, 15)

# Indic_Conjunct_Break (Unicode 15.1, the scripts GB9c covered when it was introduced).
_NONE, _CONSONANT, _LINKER = range(3)

_PREPEND_RANGES = (
    (0x0600, 0x0605), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2),
    (0x0D4E, 0x0D4E), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x111C2, 0x111C3),
    (0x1193F, 0x1193F), (0x11941, 0x11941), (0x11A3A, 0x11A3A), (0x11A84, 0x11A89),
    (0x11D46, 0x11D46), (0x11F02, 0x11F02),
)  # fmt: skip
# Other_Grapheme_Extend: spacing vowel signs and the like that still extend their cluster.
_EXTRA_EXTEND = (
    (0x09BE, 0x09BE), (0x09D7, 0x09D7), (0x0B3E, 0x0B3E), (0x0B57, 0x0B57), (0x0BBE, 0x0BBE),
    (0x0BD7, 0x0BD7), (0x0CC2, 0x0CC2), (0x0CD5, 0x0CD6), (0x0D3E, 0x0D3E), (0x0D57, 0x0D57),
    (0x0DCF, 0x0DCF), (0x0DDF, 0x0DDF), (0x1B35, 0x1B35), (0x200C, 0x200C), (0x302E, 0x302F),
    (0xFF9E, 0xFF9F), (0x1133E, 0x1133E), (0x11357, 0x11357), (0x114B0, 0x114B0),
    (0x114BD, 0x114BD), (0x115AF, 0x115AF), (0x11930, 0x11930), (0x1D165, 0x1D165),
    (0x1D16E, 0x1D172), (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F),
)  # fmt: skip
# Spacing combining marks that do not join their cluster (Myanmar, Tai Tham, ... medial consonants).
_NOT_SPACING = (
    (0x102B, 0x102C), (0x1038, 0x1038), (0x1062, 0x1064), (0x1067, 0x106D), (0x1083, 0x1083),
    (0x1087, 0x108C), (0x108F, 0x108F), (0x109A, 0x109C), (0x1A61, 0x1A61), (0x1A63, 0x1A64),
    (0xAA7B, 0xAA7B), (0xAA7D, 0xAA7D), (0x11720, 0x11721),
)  # fmt: skip
# Extended_Pictographic (emoji and the symbols emoji sequences may start with).
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712), (0x2714, 0x2714),
    (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
    (0x2757, 0x2757), (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D), (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)  # fmt: skip
_CONSONANTS = (
    (0x0915, 0x0939), (0x0958, 0x095F), (0x0978, 0x097F), (0x0995, 0x09A8), (0x09AA, 0x09B0),
    (0x09B2, 0x09B2), (0x09B6, 0x09B9), (0x09DC, 0x09DD), (0x09DF, 0x09DF), (0x09F0, 0x09F1),
    (0x0A95, 0x0AA8), (0x0AAA, 0x0AB0), (0x0AB2, 0x0AB3), (0x0AB5, 0x0AB9), (0x0AF9, 0x0AF9),
    (0x0B15, 0x0B28), (0x0B2A, 0x0B30), (0x0B32, 0x0B33), (0x0B35, 0x0B39), (0x0B5C, 0x0B5D),
    (0x0B5F, 0x0B5F), (0x0B71, 0x0B71), (0x0C15, 0x0C28), (0x0C2A, 0x0C39), (0x0C58, 0x0C5A),
    (0x0D15, 0x0D3A),
)  # fmt: skip
_LINKERS = frozenset((0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D))


class _Ranges:
    """Membership in a sorted tuple of inclusive code point ranges."""

    def __init__(self, ranges: tuple[tuple[int, int], ...]) -> None:
        self._starts = [start for start, _ in ranges]
        self._ends = [end for _, end in ranges]

    def __contains__(self, cp: int) -> bool:
        index = bisect_right(self._starts, cp) - 1
        return index >= 0 and cp <= self._ends[index]


_IS_PREPEND = _Ranges(_PREPEND_RANGES)
_IS_EXTRA_EXTEND = _Ranges(_EXTRA_EXTEND)
_IS_NOT_SPACING = _Ranges(_NOT_SPACING)
_IS_PICTOGRAPHIC = _Ranges(_PICTOGRAPHIC)
_IS_CONSONANT = _Ranges(_CONSONANTS)


def _break_property(cp: int) -> int:
    if cp == 0x0D:
        return _CR
    if cp == 0x0A:
        return _LF
    if cp == 0x200D:
        return _ZWJ
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return _RI
    if 0xAC00 <= cp <= 0xD7A3:
        return _LV if (cp - 0xAC00) % 28 == 0 else _LVT
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return _L
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return _V
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return _T
    if cp in _IS_PREPEND:
        return _PREPEND
    if cp in _IS_EXTRA_EXTEND:
        return _EXTEND
    if cp in _IS_PICTOGRAPHIC:
        return _PICT
    category = unicodedata.category(chr(cp))
    if category in ("Mn", "Me"):
        return _EXTEND
    if category == "Mc":
        return _OTHER if cp in _IS_NOT_SPACING else _SPACING
    if cp in (0x0E33, 0x0EB3):  # Thai and Lao SARA AM
        return _SPACING
    if category in ("Cc", "Zl", "Zp", "Cf") or (category == "Cn" and 0xE0000 <= cp <= 0xE0FFF):
        return _CONTROL
    return _OTHER


def _conjunct_property(cp: int) -> int:
    if cp in _LINKERS:
        return _LINKER
    return _CONSONANT if cp in _IS_CONSONANT else _NONE


def graphemes(text: str) -> int:
    """How many extended grapheme clusters `text` has (what Bluesky's maxGraphemes counts)."""
    count = 0
    previous = -1
    pict_zwj = False  # GB11: no break in ExtPict Extend* ZWJ, ExtPict
    pict_run = False  # inside ExtPict Extend*
    regional = 0  # regional indicators in a row, for GB12/GB13
    conjunct = 0  # GB9c: 0 none, 1 after Consonant [Extend Linker]*, 2 when a Linker was among them
    for char in text:
        cp = ord(char)
        prop = _break_property(cp)
        incb = _conjunct_property(cp)
        if previous < 0 or _breaks(previous, prop, pict_zwj, regional, conjunct, incb):
            count += 1
        pict_zwj = pict_run and prop == _ZWJ
        pict_run = prop == _PICT or (pict_run and prop == _EXTEND)
        regional = regional + 1 if prop == _RI else 0
        if incb == _CONSONANT:
            conjunct = 1
        elif conjunct and incb == _LINKER:
            conjunct = 2
        elif conjunct and prop not in (_EXTEND, _ZWJ):
            conjunct = 0
        previous = prop
    return count


def _breaks(before: int, after: int, pict_zwj: bool, regional: int, conjunct: int, incb: int) -> bool:
    """Whether a cluster boundary lies between a character of property `before` and one of `after`."""
    if before == _CR and after == _LF:
        return False  # GB3
    if before in (_CONTROL, _CR, _LF) or after in (_CONTROL, _CR, _LF):
        return True  # GB4, GB5
    if before == _L and after in (_L, _V, _LV, _LVT):
        return False  # GB6
    if before in (_LV, _V) and after in (_V, _T):
        return False  # GB7
    if before in (_LVT, _T) and after == _T:
        return False  # GB8
    if after in (_EXTEND, _ZWJ, _SPACING) or before == _PREPEND:
        return False  # GB9, GB9a, GB9b
    if conjunct == 2 and incb == _CONSONANT:
        return False  # GB9c
    if pict_zwj and after == _PICT:
        return False  # GB11
    if before == _RI and after == _RI:
        return regional % 2 == 0  # GB12, GB13: flags pair up
    return True  # GB999


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


# Rich text: what the official app turns into facets (app.bsky.richtext.facet) when someone posts.

_HANDLE = re.compile(
    r"(?:^|(?<=[\s(]))@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)
_URL = re.compile(r"(?:^|(?<=[\s(]))(https?://[^\s]+)", re.IGNORECASE)
_TAG = re.compile(r"(?:^|(?<=\s))[#\uFF03]([^\s#\uFF03]*[^\d\s\W][^\s#\uFF03]*)")  # # or fullwidth #
_TRAILING = ".,;:!?\"'"


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the text a facet annotates: its UTF-8 byte range and what it names."""

    start: int
    end: int
    kind: str  # "mention", "link" or "tag"
    value: str  # the handle (without @), the URL, or the tag (without #)


def spans(text: str) -> list[Span]:
    """The mentions, links and hashtags in `text`, with byte offsets, in order."""
    found: list[Span] = []
    for match in _URL.finditer(text):
        url = _trim_url(match.group(1))
        found.append(_span(text, match.start(1), match.start(1) + len(url), "link", url))
    taken = [(s.start, s.end) for s in found]
    for match in _HANDLE.finditer(text):
        handle = match.group(1).rstrip(".")
        span = _span(text, match.start(1) - 1, match.start(1) + len(handle), "mention", handle.lower())
        if not _overlaps(span, taken) and not handle.lower().endswith((".test", ".invalid")):
            found.append(span)
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip(_TRAILING)
        if tag and graphemes(tag) <= 64:
            span = _span(text, match.start(1) - 1, match.start(1) + len(tag), "tag", tag)
            if not _overlaps(span, taken):
                found.append(span)
    return sorted(found, key=lambda s: s.start)


def _trim_url(url: str) -> str:
    url = url.rstrip(_TRAILING)
    if url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_TRAILING)
    return url


def _span(text: str, start: int, end: int, kind: str, value: str) -> Span:
    return Span(utf8_length(text[:start]), utf8_length(text[:end]), kind, value)


def _overlaps(span: Span, taken: list[tuple[int, int]]) -> bool:
    return any(span.start < end and start < span.end for start, end in taken)


def facet(span: Span, feature: dict[str, Any]) -> dict[str, Any]:
    return {"index": {"byteStart": span.start, "byteEnd": span.end}, "features": [feature]}


# TIDs: record keys that sort by time (atproto "Timestamp Identifiers": 13 characters of base32-sortable,
# the top bit zero, 53 bits of microseconds since the Unix epoch, then a 10-bit clock id).

_S32 = "234567abcdefghijklmnopqrstuvwxyz"
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def tid(micros: int, clock_id: int) -> str:
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    return "".join(_S32[(value >> shift) & 31] for shift in range(60, -1, -5))


def deterministic_tid(key: str, created_at: datetime | None) -> str:
    """The record key of a reply: the same for every attempt at sending it, so that a retry after a
    lost answer cannot make a second post. Time from when the agent wrote it, clock id from its key;
    without a time (never from the outbox) the key alone decides it."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    clock_id = int.from_bytes(digest[:2], "big") & 0x3FF
    if created_at is None:
        # Within 2^40 µs (about 12 days) after 2023-01-01, where no TID of a live record sorts badly.
        micros = 1_672_531_200_000_000 + (int.from_bytes(digest[2:8], "big") & ((1 << 40) - 1))
    else:
        moment = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
        micros = int(moment.timestamp()) * 1_000_000 + moment.microsecond
    return tid(micros, clock_id)
