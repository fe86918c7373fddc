"""Hashtags that name a place: whole (#Denver, #NewYork, #USA), after a location word ("in #Sunderland"),
or a place joined to an event or a visitor's word (#ATLPride, #BaltimoreRiots, #LoveLondon).

A tag is read as a whole, never as a word found inside it, since tags glue words together at random
("#ImBackingBoff" holds no Backing). A whole tag that is a country, a US state, a city of 300,000+
people or a short alias in capitals (#LA, #UK) is a place, except in a post about sport (#Miami is the
team); a tag after a location word ("in #Toronto for the #PanAmGames", "on my way to #NYC") is judged
as a name after that word, so a town or a post about sport does not stop it. A compound tag counts
only when what is left after its event or visitor's words is a big place or a big airport's code.
"""

from __future__ import annotations

import re

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.cues import CUES, MOTION, WEAK_CUES
from socialdesk.triage.places.entry import ALTERNATE, AMBIGUOUS, BRAND, CAPS_ALIAS, MAJOR, Entry
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.town_cues import TownCues
from socialdesk.triage.places.vocabulary import CODE_STOPWORDS, word_set

_HASHTAG = re.compile(r"#(\w+)")
# Where a CamelCase tag's words meet: "New|York", "ATL|Pride" (a run of capitals before a word).
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD_BEFORE = re.compile(r"(\w+)[ \t]+$")
# The last words of a tag that make it an event in its place: "#BaltimoreRiots", "#ParisFashionWeek".
EVENT_WORDS = word_set(
    """pride riots riot protest protests march marathon week fashion games fest festival expo comiccon
    comicon parade carnival rodeo fair strong attack attacks shooting bombing flood floods fire fires
    storm snow traffic weather news"""
)
UNREST_WORDS = word_set("riots riot protest protests shooting bombing attack attacks")
# The first words of a tag that address its place: "#LoveLondon", "#VisitScotland", "#PrayForParis".
VISITOR_WORDS = word_set("love visit travel explore discover welcome hello pray for")
BIG_TAG_CITY = 300_000  # a city this big is a place as a whole tag


class HashtagScan(TownCues):
    """The rules for a post's hashtags (scan.Scan runs them after the names)."""

    def hashtags(self) -> None:
        listed_end = -1  # where the last tag taken as a place ends, for a run of tags: "#denver #la"
        for m in _HASHTAG.finditer(self.text):
            tag = m.group(1)
            entries = self.gaz.lookup(normalize(tag))
            words: list[str] = []
            if not entries and not tag.islower():
                words = _CAMEL.sub(" ", tag).split()
                if len(words) > 1:
                    entries = self.gaz.lookup(normalize(" ".join(words)))  # #NewYork, #SanDiego
            top = entries[0] if entries else None
            alias = top is not None and tag.isupper() and bool(top.flags & CAPS_ALIAS)
            small = top is None or (top.kind is PlaceKind.CITY and top.population < BIG_TAG_CITY)
            if tag.isupper() and len(tag) <= 4 and not alias and small:
                if len(tag) == 3 and tag in self.gaz.codes and tag not in CODE_STOPWORDS and self.travel:
                    self.accepted.append((len(self.clean), self.gaz.codes[tag]))
                continue  # "#MAGA", "#UN", "#ACC": acronyms, or a code only in a post about flying
            if top is None:
                compound = self._compound(words) if len(words) > 1 else None
                if compound is not None:
                    self.accepted.append((len(self.clean), compound))
                continue
            if top.flags & (BRAND | ALTERNATE):
                continue
            area = top.kind is PlaceKind.COUNTRY or (top.kind is PlaceKind.REGION and top.country == "US")
            big = area or alias or (top.kind is PlaceKind.CITY and top.population >= BIG_TAG_CITY)
            doubtful = bool(top.flags & AMBIGUOUS) and not alias
            # a doubtful tag in a run of place tags is one more place: "#chicago #denver #la"
            run = listed_end >= 0 and not self.text[listed_end : m.start()].strip()
            if big and (not doubtful or run) and not self.sporty:
                self.pending.append((len(self.clean), entries, []))
                listed_end = m.end()
                continue
            cue, strong = self._cue_before(m.start())
            if not cue or (doubtful and top.kind is PlaceKind.CITY):
                continue  # "in #Charlotte" may be the person; "in #Turkey" is the country
            # after "to", "for", "from" a tag must look like a name and not be a team
            if strong or not (doubtful or tag.islower() or self.sporty):
                self.pending.append((len(self.clean), entries, []))

    def _cue_before(self, start: int) -> tuple[bool, bool]:
        """(a location word right before the tag, and a strong one): "in #Sunderland" is strong,
        "to #NYC" is strong after a verb of travel ("on my way to #NYC")."""
        m = _WORD_BEFORE.search(self.text, max(0, start - 30), start)
        word = m.group(1).lower() if m else ""
        if (
            m is None
            or word not in CUES
            or word == "for"
            or self.text[m.start() - 1 : m.start()] in ("#", "@")
        ):
            return False, False  # no location word, a tag or handle ("#LEFT #LIBERAL"), or "for #Maga"
        if word not in WEAK_CUES:
            return True, True
        before = _WORD_BEFORE.search(self.text, max(0, m.start() - 30), m.start()) if m else None
        return True, before is not None and before.group(1).lower() in MOTION

    def _compound(self, words: list[str]) -> Entry | None:
        """A big place in a tag with event or visitor's words around it: "#ATLPride" (a big airport's
        code stands for its city), "#BaltimoreRiots", "#LoveLondon", "#TravelOntario"."""
        lower = [w.lower() for w in words]
        first, last = 0, len(words)
        if lower[:2] == ["i", "love"]:
            first = 2  # "#ILoveNY"
        while first < last and lower[first] in VISITOR_WORDS:
            first += 1
        while last > first and lower[last - 1] in EVENT_WORDS:
            last -= 1
        if (first, last) == (0, len(words)) or first == last:
            return None
        core = words[first:last]
        if len(core) == 1 and core[0].isupper() and len(core[0]) == 3:
            airport = self.gaz.codes.get(core[0])
            return (
                airport
                if airport is not None and airport.flags & MAJOR and core[0] not in CODE_STOPWORDS
                else None
            )
        if len(core) == 1 and core[0].isupper() and len(core[0]) == 2:
            return self.gaz.us_states.get(core[0]) if first == 2 else None  # "#ILoveNY", not "#HINews"
        entries = self.gaz.lookup(normalize(" ".join(core)))
        top = entries[0] if entries else None
        # a name that is also a person's or a word stays doubtful after a visitor's word or before a
        # festive one ("#LoveCharlotte", "#VanPride"), not before unrest ("#CharlotteProtest")
        evented = first == 0 and last < len(words) and lower[last] in UNREST_WORDS
        if top is None or top.flags & (BRAND | ALTERNATE) or (top.flags & AMBIGUOUS and not evented):
            return None
        big = top.kind in (PlaceKind.COUNTRY, PlaceKind.REGION) or top.population >= BIG_TAG_CITY
        return top if big else None
