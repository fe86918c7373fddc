"""Lower-case names in a post: where "london", "ohio" or "nyc" typed in lower case is a place.

A lower-case name counts only when it is big or sure enough to be meant (a country, a US state, a city of
a million, a famous airport) and something says so: a location word before it ("flying to london"), a
compass word ("south glasgow", "central jersey"), a place listed before it ("budapest & milan"), or
nothing around it that makes it a team, a company or a person ("chicago has gun laws"). `Scan` (scan.py)
inherits these rules and calls them from its one pass over the post's names.
"""

from __future__ import annotations

import re

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.cues import (
    BRAND_NEXT,
    COMPASS,
    FIRST_NAMES,
    LOWER_CUES,
    LOWER_WORDS,
    STREET_NEXT,
    VERSUS_NEXT,
)
from socialdesk.triage.places.entry import ALTERNATE, AMBIGUOUS, BRAND, CAPS_ALIAS, FAMOUS_AIRPORT, Entry
from socialdesk.triage.places.hashtags import HashtagScan
from socialdesk.triage.places.vocabulary import NATIONS

LOWERCASE_CITY = 1_000_000  # "flying to london": lower case only for cities this big
COMPASS_CITY = 500_000  # "in south glasgow": a lower-case city this big after a compass word
_AREAS = (PlaceKind.COUNTRY, PlaceKind.REGION)
_LIST_GAP = re.compile(r"\s*(?:,|and|&|or|/)\s*$", re.IGNORECASE)


class LowerCaseNames(HashtagScan):
    """The rules for names typed in lower case (scan.Scan runs them from `names`)."""

    def _lowercase(self, start: int, stop: int, key: str, entries: tuple[Entry, ...]) -> None:
        """A lower-case name: a country, a US state, a city of a million or a famous airport after a
        location word ("flying to london", "stuck in nyc"), or without one where nothing around it
        makes it a team, a company or a person ("chicago has gun laws", "ohio is awful", not "ohio
        state", "real madrid", "whitney houston")."""
        top = entries[0]
        if len(key) < 3 or top.flags & BRAND:
            return
        kind = top.kind
        big = kind is PlaceKind.CITY and top.population >= LOWERCASE_CITY
        state = kind is PlaceKind.REGION and (top.country == "US" or key in NATIONS)
        doubtful = top.flags & (AMBIGUOUS | ALTERNATE)
        if doubtful or not (big or state or kind is PlaceKind.COUNTRY or top.flags & FAMOUS_AIRPORT):
            # a big city's part (a smaller town's, "east york", may be another town's name)
            city = kind is PlaceKind.CITY and top.population >= COMPASS_CITY and not doubtful
            if city or any(e.kind in _AREAS for e in entries):
                self._compass_lowercase(start, stop, entries)  # "central jersey", "south glasgow"
            return
        prev, sep, prev2, _ = self._before(start)
        p, gap = prev.lower(), sep.strip()
        if not gap and p in COMPASS and prev.islower():
            self.accept(start, stop, areas_first(entries), [])
            return
        nxt, nsep = self._after(stop)
        n = nxt.lower()
        if not nsep.strip() and n in BRAND_NEXT:
            return  # "transferred to kuwait airways": a company, whatever precedes it
        if not gap and (p in LOWER_CUES or (p == "the" and prev2 in LOWER_CUES)):
            self.accept(start, stop, entries, [])
            return
        if key in LOWER_WORDS and any(_LIST_GAP.match(self.clean, e, start) for e in self.ends):
            self.accept(start, stop, entries, [])  # "budapest & milan": listed after a place
            return
        if key in LOWER_WORDS or (len(key) < 4 and not top.flags & CAPS_ALIAS) or self.sporty:
            return  # "togo", "fes": short names are typos or abbreviations more often
        if self._named_before(p, gap, prev2) or (not gap and p in FIRST_NAMES):
            return
        if not nsep.strip() and (
            n in STREET_NEXT or n in VERSUS_NEXT or self._team_next(stop, nsep, nxt, False)
        ):
            return
        self.bare.add(start)
        self.accept(start, stop, entries, [])

    def _compass_lowercase(self, start: int, stop: int, entries: tuple[Entry, ...]) -> None:
        """A lower-case compass word before a doubtful or small region's name or a city of half a
        million people or more: "central jersey", "new flats in south glasgow"."""
        prev, sep, _, _ = self._before(start)
        if not sep.strip() and prev.lower() in COMPASS and prev.islower():
            self.accept(start, stop, areas_first(entries), [])


def areas_first(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """The same candidates with regions and countries first ("New York" the state, not the city)."""
    return tuple(sorted(entries, key=lambda e: e.kind not in _AREAS))
