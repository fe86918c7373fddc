"""Short tokens of a post: airport codes, lists of US state codes and one-name replies.

A three-letter code is an airport only when the post is about flying, it sits in a route ("LHR-JFK",
"LAX->Phoenix") or "airport" follows it, and never when it is an English word or acronym written in
capitals (SOS, CEO, MAD) outside a route. A list of state codes ("MI, OH, KY") names states (hashtags:
hashtags.py). `TokenScan` holds what the per-post scan collects; `scan.Scan` adds the rules for names.
"""

from __future__ import annotations

import itertools
import re

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.cues import (
    AIRPORT_AFTER,
    COMPASS,
    CUES,
    DATE_WORDS,
    FUNCTION_CODES,
    LOWER_CODE_CUES,
    LOWER_CUES,
    STAFF_AFTER,
)
from socialdesk.triage.places.entry import (
    AIRPORT_NAME,
    ALTERNATE,
    AMBIGUOUS,
    BRAND,
    MAJOR,
    Entry,
)
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.gazetteer import Gazetteer
from socialdesk.triage.places.post import PostText
from socialdesk.triage.places.vocabulary import CODE_STOPWORDS

# Runs of capitals; a code is a run of three that `_alone` accepts. Two plain steps, because one pattern
# with look-arounds on both sides costs more than the rest of the scan on a post without any code.
_CAPITALS = re.compile(r"[A-Z]{3,}")
_STATE_LIST = re.compile(r"\b[A-Z]{2}(?:\s*,\s*[A-Z]{2}){2,}\b")
ROUTE_GAP = re.compile(
    r"\s*(?:-+|\u2013|\u2014|>|\u2192|\u27a1\ufe0f?|\u2194\ufe0f?|\u2708\ufe0f?|/|to|x)\s*$", re.IGNORECASE
)
_ROUTE_NAME = re.compile(
    r"\s*(?:-+>?|\u2013|\u2014|>|\u2192|\u27a1\ufe0f?|=>|to)\s*([A-Z][\w]+(?: [A-Z][\w]+)?)"
)

# after the leading handles (replaced by "|"), a capitalised name alone up to a stop, a colon or the end
_REPLY = re.compile(r"^[\s|.]*\|\s*([A-Z][^\W\d_]+(?:[ -][A-Z][^\W\d_]+){0,2})\s*(?:[.:!]|$)")
_LOWER_ROUTE = re.compile(r"(?<![\w-])([a-z]{3,12}) ?- ?([a-z]{3,12})(?![\w-])")


class TokenScan(PostText):
    """What one post's scan collects, and the rules for its codes and hashtags."""

    def __init__(self, gazetteer: Gazetteer, text: str, clean: str) -> None:
        super().__init__(text, clean)
        self.gaz = gazetteer
        self.accepted: list[tuple[int, Entry]] = []  # (position, entry), certain
        self.pending: list[tuple[int, tuple[Entry, ...], list[Entry]]] = []  # candidates, qualifiers
        self.ends: list[int] = []  # ends of accepted names and codes, for lists and routes
        self.bare: set[int] = set()  # starts of names taken without any cue (scan.py)
        self.hit_spans: list[tuple[int, int]] = []  # (start, stop) of every name the index matched
        self.local_cues: list[int] = []  # ends of "in", "at", "near" before a capital (town_cues.py)
        self.skip_until = -1  # a qualifier already read with the city before it ("Seattle, Washington")
        # names whose only evidence is a place listed after them ("Turkey and Russia"): scan.py
        self.listed_before: list[tuple[int, int, tuple[Entry, ...], list[Entry]]] = []

    def accept(self, start: int, end: int, entries: tuple[Entry, ...], qualifiers: list[Entry]) -> None:
        self.pending.append((start, entries, qualifiers))
        self.ends.append(end)

    def codes(self) -> None:
        if "-" in self.clean:
            self._lower_routes()
        codes = self.gaz.codes
        clean = self.clean
        matches = [
            m
            for m in _CAPITALS.finditer(clean)
            if m.end() - m.start() == 3 and m.group() in codes and _alone(clean, m.start(), m.end())
        ]
        if not matches:
            return
        routed: set[int] = set()
        for a, b in itertools.pairwise(matches):
            major = codes[a.group()].flags & MAJOR or codes[b.group()].flags & MAJOR
            if major and ROUTE_GAP.match(self.clean, a.end(), b.start()):
                routed.update((a.start(), b.start()))  # "LHR-JFK"; not "ABS-CBN" (two airstrips)
        for m in matches:
            code = m.group()
            airport = codes[code]
            stop = code in CODE_STOPWORDS
            if m.start() in routed or self._routes_to_name(m.end()):
                if not stop or self.travel or len(routed) > 2:
                    self._accept_code(m, airport)
                continue
            nxt, nsep = self._after(m.end())
            adjacent = nsep.strip() == ""
            if adjacent and nxt.lower() in AIRPORT_AFTER:
                self._accept_code(m, airport)  # "JFK airport"
                continue
            if stop and (not self.travel or code in FUNCTION_CODES):
                continue  # "THE", "AND": only ever an airport inside a route
            if adjacent and nxt.lower() in STAFF_AFTER and airport.flags & MAJOR and not stop:
                self._accept_code(m, airport)  # "our PDX staff member": an airline's station
                continue
            prev, sep, _prev2, _ = self._before(m.start())
            cue = sep.strip() in ("", "@") and prev.lower() in CUES
            if stop:
                ok = cue and not self.shouting
            else:
                international = "International" in airport.name or "Intl" in airport.name
                # outside a post about flying, a capitalised word after the code makes it part of a
                # name: "at DAR Constitution Hall"
                named = (
                    adjacent and nxt[:1].isupper() and nxt[1:2].islower() and nxt.lower() not in DATE_WORDS
                )
                ok = not (self.shouting and not cue) and (
                    (airport.flags & MAJOR and self.travel)
                    or (cue and (self.travel or (international and not named)))
                )
            if ok:
                self._accept_code(m, airport)

    def lower_code(self, start: int, stop: int, code: str) -> None:
        """A big airport's code in lower or title case, in a post about flying, after a location word or
        before a staff word: "almost to Lax", "at sfo", "the lax team" (automaton hits: scan.py)."""
        airport = self.gaz.codes.get(code)
        if airport is None or not self.travel:
            return
        nxt, nsep = self._after(stop)
        prev, sep, _, _ = self._before(start)
        adjacent = nsep.strip() == ""
        if (sep.strip() == "" and prev.lower() in LOWER_CODE_CUES) or (
            adjacent and (nxt.lower() in STAFF_AFTER or nxt.lower() in AIRPORT_AFTER)
        ):
            self.accepted.append((start, airport))
            self.ends.append(stop)

    def _lower_routes(self) -> None:
        """A route in lower case in a post about flying: "lhr-del", "taipei-manila". Both ends must be
        airports that serve a big city (and no English word), or both cities of a million people."""
        for m in _LOWER_ROUTE.finditer(self.clean):
            ends = [self._route_end(m.group(1)), self._route_end(m.group(2))]
            if all(ends) and self.travel:
                for group, entry in zip((1, 2), ends, strict=True):
                    if entry is not None:
                        self.accepted.append((m.start(group), entry))
                        self.ends.append(m.end(group))

    def _route_end(self, word: str) -> Entry | None:
        code = word.upper()
        if len(word) == 3 and code in self.gaz.codes and code not in CODE_STOPWORDS:
            airport = self.gaz.codes[code]
            return airport if airport.flags & MAJOR else None
        entries = self.gaz.lookup(word)
        top = entries[0] if entries else None
        if top is None or top.flags & (AMBIGUOUS | ALTERNATE) or top.kind is not PlaceKind.CITY:
            return None
        return top if top.population >= 1_000_000 else None

    def _accept_code(self, m: re.Match[str], airport: Entry) -> None:
        self.accepted.append((m.start(), airport))
        self.ends.append(m.end())

    def _routes_to_name(self, end: int) -> bool:
        """A code in a route with a place: "LAX->Phoenix", "SLC➡️SAN DIEGO", "SOU to Wembley Park"."""
        m = _ROUTE_NAME.match(self.clean, end)
        if m is None:
            return False
        name = m.group(1)  # two words, or the first alone: "SOU to Wembley Park", "SOU to London Zones"
        return bool(self.gaz.lookup(normalize(name)) or self.gaz.lookup(normalize(name.split(" ", 1)[0])))

    def state_codes(self) -> None:
        """A list of state codes: "MI, OH, KY, IA" (single codes are read with the names)."""
        if self.clean.count(",") >= 2:
            self._state_list()

    def _state_code(self, start: int, end: int, code: str) -> None:
        """One state code after a cue ("welcome to MN") or in brackets ("(NJ)")."""
        prev, sep, _prev2, _ = self._before(start)
        bracketed = sep.endswith("(") and self.clean[end : end + 1] == ")"
        nxt, nsep = self._after(end)
        if nsep.strip() == "" and nxt.lower() in AIRPORT_AFTER:
            return  # "at SD airport": a state has no airport of its own, this is a city's short name
        if bracketed or (sep.strip() == "" and (prev.lower() in CUES or prev in COMPASS)):
            self.accepted.append((start, self._state_or_city(code, prev)))

    def _lower_state_code(self, start: int, code: str) -> None:
        """A lower-case state code that is no word, straight after a location word: "from nj"."""
        prev, sep, _prev2, _ = self._before(start)
        if sep.strip() == "" and prev in LOWER_CUES:
            self.accepted.append((start, self._state_or_city(code.upper(), prev)))

    def _state_or_city(self, code: str, prev: str) -> Entry:
        """A state code alone names the state, but "NY" alone ("flying to NY", "from ny") means the
        city far more often; "upstate NY", "western NY" is the state."""
        if code == "NY" and prev.lower() not in COMPASS:
            city = self.gaz.lookup("new york city")
            if city:
                return city[0]
        return self.gaz.us_states[code]

    def _state_list(self) -> None:
        for m in _STATE_LIST.finditer(self.clean):
            states = [self.gaz.us_states.get(c) for c in re.findall(r"[A-Z]{2}", m.group())]
            if all(states):
                self.accepted.extend((m.start(), s) for s in states if s is not None)

    def reply(self) -> None:
        """A reply to a company that starts with a place name alone, "@ArgosHelpers Alfreton",
        "@Tesco Haddington: ...", answers "which store?": the name counts without a cue when the
        company serves one country and the name is a town there, or when it is a country or big city."""
        m = _REPLY.match(self.clean) if self.text.startswith("@") else None
        if m is None:
            return
        entries = self.gaz.lookup(normalize(m.group(1)))
        if not entries or entries[0].flags & (AMBIGUOUS | ALTERNATE | BRAND | AIRPORT_NAME):
            return
        home = self.home()
        top = entries[0]
        big = top.kind is PlaceKind.COUNTRY or (top.kind is PlaceKind.CITY and top.population >= 100_000)
        if big or any(e.country == home for e in entries):
            self.accept(m.start(1), m.end(1), entries, [])


def _alone(text: str, start: int, end: int) -> bool:
    """A run of capitals that stands alone as a word: not in "$USD", "AT&T", "a/b/c", "x.com", "ABC1",
    nor "ABC's" (a possessive is a name)."""
    before = text[start - 1] if start else " "
    if before.isalnum() or before in "_$\u00a3\u20ac&/.":
        return False
    after = text[end : end + 1]
    if after.isalnum() or after in ("_", "&"):
        return False
    if after in ("'", "\u2019") and text[end + 1 : end + 2] == "s":
        rest = text[end + 2 : end + 3]
        return rest.isalnum() or rest == "_"  # "'s" ending the word is a possessive
    return True
