"""Short tokens of a post: airport codes, lists of US state codes, hashtags, and one-name replies.

A three-letter code is an airport only when the post is about flying, it sits in a route ("LHR-JFK",
"LAX->Phoenix") or "airport" follows it, and never when it is an English word or acronym written in
capitals (SOS, CEO, MAD) outside a route. A list of state codes ("MI, OH, KY") names states; a hashtag
names a place only as a whole (#Denver, #Philippines) and not in a post about sport (#Miami is the
team). `TokenScan` holds what the per-post scan collects; `scan.Scan` adds the rules for names.
"""

from __future__ import annotations

import itertools
import re

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.cues import AIRPORT_AFTER, CUES, FUNCTION_CODES
from socialdesk.triage.places.entry import AIRPORT_NAME, ALTERNATE, AMBIGUOUS, BRAND, MAJOR, Entry
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.gazetteer import Gazetteer
from socialdesk.triage.places.post import PostText
from socialdesk.triage.places.vocabulary import CODE_STOPWORDS

_CODE = re.compile(r"(?<![\w$\u00a3\u20ac&/.])[A-Z]{3}(?![\w&]|['\u2019]s\b)")
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
        self.skip_until = -1  # a qualifier already read with the city before it ("Seattle, Washington")

    def accept(self, start: int, end: int, entries: tuple[Entry, ...], qualifiers: list[Entry]) -> None:
        self.pending.append((start, entries, qualifiers))
        self.ends.append(end)

    def codes(self) -> None:
        if "-" in self.clean:
            self._lower_routes()
        codes = self.gaz.codes
        matches = [m for m in _CODE.finditer(self.clean) if m.group() in codes]
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
            if nsep.strip() == "" and nxt.lower() in AIRPORT_AFTER:
                self._accept_code(m, airport)  # "JFK airport"
                continue
            if stop and (not self.travel or code in FUNCTION_CODES):
                continue  # "THE", "AND": only ever an airport inside a route
            prev, sep, _prev2, _ = self._before(m.start())
            cue = sep.strip() in ("", "@") and prev.lower() in CUES
            if stop:
                ok = cue and not self.shouting
            else:
                international = "International" in airport.name or "Intl" in airport.name
                ok = not (self.shouting and not cue) and (
                    (airport.flags & MAJOR and self.travel) or (cue and (self.travel or international))
                )
            if ok:
                self._accept_code(m, airport)

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
        """A code in a route with a city: "LAX->Phoenix", "SLC➡️SAN DIEGO"."""
        m = _ROUTE_NAME.match(self.clean, end)
        return m is not None and bool(self.gaz.lookup(normalize(m.group(1))))

    def state_codes(self) -> None:
        """A list of state codes: "MI, OH, KY, IA" (single codes are read with the names)."""
        if self.clean.count(",") >= 2:
            self._state_list()

    def _state_code(self, start: int, end: int, code: str) -> None:
        """One state code after a cue ("welcome to MN") or in brackets ("(NJ)")."""
        prev, sep, _prev2, _ = self._before(start)
        bracketed = sep.endswith("(") and self.clean[end : end + 1] == ")"
        if bracketed or (sep.strip() == "" and prev.lower() in CUES):
            self.accepted.append((start, self.gaz.us_states[code]))

    def _state_list(self) -> None:
        for m in _STATE_LIST.finditer(self.clean):
            states = [self.gaz.us_states.get(c) for c in re.findall(r"[A-Z]{2}", m.group())]
            if all(states):
                self.accepted.extend((m.start(), s) for s in states if s is not None)

    def hashtags(self, tags: list[str]) -> None:
        """#Denver, #Philippines, #LHR: a whole tag that is a country, a US state, a city of 300,000+
        people or (in a post about flying) an airport code; never a word inside a tag."""
        for tag in tags:
            if tag.isupper() and len(tag) == 3:
                if tag in self.gaz.codes and tag not in CODE_STOPWORDS and self.travel:
                    self.accepted.append((len(self.clean), self.gaz.codes[tag]))
                continue
            entries = self.gaz.lookup(normalize(tag))
            if not entries or entries[0].flags & AMBIGUOUS:
                continue
            top = entries[0]
            area = top.kind is PlaceKind.COUNTRY or (top.kind is PlaceKind.REGION and top.country == "US")
            big = area or (top.kind is PlaceKind.CITY and top.population >= 300_000)
            if big and not self.sporty:  # "#Miami leads #VTech 27-12": the team
                self.pending.append((len(self.clean), entries, []))

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
