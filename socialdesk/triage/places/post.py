"""One post's text as the scanning rules read it: its shape, whether it is about flying, its words.

The rules around a name keep asking the same things of a post: is it a Title Case headline or
SHOUTING (then capitals say nothing about names), is it about air travel (then a bare airport code
counts), which word comes right before or after a position. `PostText` answers them, the questions
about the whole post at most once each; the list of travel words lives here with the only test that
reads it.
"""

from __future__ import annotations

import re
from typing import Any

import ahocorasick

from socialdesk.triage.places.home import home_country
from socialdesk.triage.places.sport import fixture_sides, is_sporty
from socialdesk.triage.places.vocabulary import word_set

# A bare code counts only in a post about air travel (or with a route or an "airport" next to it).
# A set of words found with one automaton pass, not a regular expression with alternatives: trying
# thirty alternatives at every character, or splitting every post into words, costs ten times more.
TRAVEL_WORDS = word_set(
    """fly flies flying flight flights flt flts flew flown flyer airport airports airline airlines airways
    gate gates plane planes landed landing layover terminal lounge boarded boarding departure departures
    luggage baggage nonstop non-stop pilot runway tarmac aircraft check-in checkin skymiles avios
    aadvantage @delta @united @klm @lufthansa @ryanair @easyjet @emirates @qantas @iberia @jetblue
    @virginatlantic @virginamerica @flyfrontier @spiritairlines @british_airways"""
)
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_")
_AIR_HANDLE = re.compile(r"(?<![a-z_])[@#][a-z_]*air")  # @AmericanAir, #aircanada


def _travel_automaton() -> Any:
    automaton = ahocorasick.Automaton()
    for word in TRAVEL_WORDS:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_TRAVEL = _travel_automaton()
# A flight number of a big airline ("DL 1262", "BA228", "AA2254"): the post is about a flight. The
# airline is checked in a set, and the start of the word in code: both faster than in the pattern.
_FLIGHT_NUMBER = re.compile(r"([A-Z][A-Z0-9]) ?\d{2,4}\b")
AIRLINE_CODES = word_set("AA DL UA WN B6 NK F9 BA VS AC WS LH AF KL EK QR EY QF TK IB EI SQ CX JL NH")


def is_travel(text: str) -> bool:
    """Is the post about flying? (a travel word, a handle or hashtag with "air" in it: @AmericanAir, or
    a flight number)"""
    low = text.lower()
    for end, word in _TRAVEL.iter(low):
        start = end - len(word) + 1
        if start and (low[start - 1] in _WORD_CHARS or (word[0] not in "@#" and low[start - 1] in "@#")):
            continue  # inside a word, or a hashtag ("#flight" is no travel word; "#aircanada" is below)
        after = low[end + 1 : end + 2]
        if after and after in _WORD_CHARS:
            continue
        if after == "-" and (low.startswith("in", end + 2) or low.startswith("stop", end + 2)):
            continue  # "fly-in"
        return True
    if "air" in low and _AIR_HANDLE.search(low):
        return True
    for m in _FLIGHT_NUMBER.finditer(text):
        before = text[m.start() - 1] if m.start() else " "
        if m.group(1) in AIRLINE_CODES and not (before.isalnum() or before == "_"):
            return True
    return False


_PREV_REVERSED = re.compile(r"(\W*)([^\W_]+)(?:([\s,]+)([^\W_]+))?")  # matched against reversed text
_NEXT = re.compile(r"([^\w]*)([^\W_]+)")  # used with match(pos): no "^"
_LOWER_WORD = re.compile(r"\b[a-z]{3,}")
_UPPER_WORD = re.compile(r"\b[A-Z]{3,}\b")
_TITLE_WORD = re.compile(r"\b[A-Z][a-z]{2,}")
_QUOTES = frozenset("\"\u201c\u201d\u2018\u2019'")
# an opening quote (not an apostrophe: a space, the start, an escaping backslash or a doubled quote
# before it, as in the data sets' \""Title\"") and the words up to the name
_OPENING = re.compile(r"(?:^|(?<=[\s\\\"]))[\"\u201c\u2018\u2019']([^\"\u201c\u201d\u2018\u2019\n.!?]*)$")
_CLOSING = re.compile(r"([^\"\u201c\u201d\u2018\u2019\n.!?]*)[\"\u201d\u2019'](?![^\W_])")


class PostText:
    """One post's text and cleaned text, read around a position or as a whole."""

    def __init__(self, text: str, clean: str) -> None:
        self.text = text
        self.clean = clean
        self._travel: bool | None = None
        self._sporty: bool | None = None
        self._home: str | None = None
        self._shape: tuple[bool, bool] | None = None
        self._fixtures: list[tuple[int, int]] | None = None
        # a name read as a team ("Real Madrid", "Toronto scored"): the post is about sport after all
        self.team_seen = False

    @property
    def travel(self) -> bool:
        if self._travel is None:
            self._travel = is_travel(self.text)
        return self._travel

    @property
    def sporty(self) -> bool:
        """Is the post about sport? (then a bare city or country is a team: sport.py)"""
        if self._sporty is None:
            self._sporty = is_sporty(self.clean, self.text)
        return self._sporty or self.team_seen

    def in_fixture(self, start: int, end: int) -> bool:
        """Is the name a side of a fixture list ("United - Swansea, Roma - Juventus")? A name across
        the dash ("Wilkes-Barre") is none."""
        if self._fixtures is None:
            dashed = "-" in self.clean or "\u2013" in self.clean
            self._fixtures = fixture_sides(self.clean) if dashed else []
        return any(a <= start and end <= b for a, b in self._fixtures)

    def home(self) -> str:
        """The country the post's brands or words point to, or "" (home.py)."""
        if self._home is None:
            self._home = home_country(self.text)
        return self._home

    @property
    def title_case(self) -> bool:
        return self._text_shape()[0]

    @property
    def shouting(self) -> bool:
        return self._text_shape()[1]

    def _text_shape(self) -> tuple[bool, bool]:
        """(Title Case Headline, SHOUTING): capitals then say nothing about names. Counted with three
        simple patterns (ASCII is enough to tell the shape of a post)."""
        if self._shape is None:
            lower = len(_LOWER_WORD.findall(self.clean))
            upper = len(_UPPER_WORD.findall(self.clean))
            title = len(_TITLE_WORD.findall(self.clean))
            words = lower + upper + title
            self._shape = (words >= 6 and title + upper >= 0.7 * words, words >= 3 and upper >= 0.6 * words)
        return self._shape

    # ---- context helpers ------------------------------------------------------------------------

    def _before(self, start: int) -> tuple[str, str, str, bool]:
        """(previous word, what separates it, the word before that, previous word starts a sentence).
        Read by matching the reversed text at its start: one attempt, not a search from every position."""
        head = self.clean[max(0, start - 50) : start]
        m = _PREV_REVERSED.match(head[::-1])
        if m is None:
            return "", head, "", True
        sep, prev = m.group(1)[::-1], m.group(2)[::-1]
        before = head[: len(head) - len(sep) - len(prev)].rstrip()
        initial = not before or before[-1] in ".!?:\n|¦"
        prev2 = m.group(4)[::-1].lower() if m.group(4) and not initial else ""
        return prev, sep, prev2, initial

    def _after(self, end: int) -> tuple[str, str]:
        m = _NEXT.match(self.clean, end, end + 40)
        return ("", "") if m is None else (m.group(2), m.group(1))

    def quoted_title(self, start: int, end: int) -> bool:
        """Is the name inside a quoted title: 'Niggas In Paris', "Midnight in Paris"? The quotes must
        hold two to eight words, all capitalised bar short connectors, and more than the name."""
        if not _QUOTES.intersection(self.clean):
            return False
        opening = _OPENING.search(self.clean[max(0, start - 60) : start])
        closing = _CLOSING.match(self.clean, end, end + 60)
        if opening is None or closing is None or not (opening.group(1).strip() or closing.group(1).strip()):
            return False  # no quotes, or only the name in them: "New York" is still New York
        inner = opening.group(1) + self.clean[start:end] + closing.group(1)
        words = inner.split()
        return 2 <= len(words) <= 8 and all(w[:1].isupper() or len(w) <= 3 for w in words)
