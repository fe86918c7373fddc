"""The per-post scan of names and the rules that accept them (codes and hashtags: codes.py).

`Scan` finds every gazetteer name in a post in one automaton pass and decides for each, from the words
around it (cues, qualifiers, routes, lists, capitals, team and title words, whether the post is about
sport), whether it is a place, by the precision rules the package docstring sets out. It only collects
what it accepts: `resolution.resolve` then picks one place for each name.
"""

from __future__ import annotations

import re

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.codes import ROUTE_GAP, TokenScan
from socialdesk.triage.places.cues import (
    AIRPORT_AFTER,
    AIRPORT_BEFORE,
    BRAND_CUES,
    BRAND_NEXT,
    BRAND_PREV,
    CUES,
    FIRST_NAMES,
    LOWER_CUES,
    MOTION,
    NOT_NAME_NEXT,
    OK_PREV,
    ORG_OF,
    PLACE_NEXT,
    ROUTE_SEPS,
    SAFE_STATE_CODES,
    SELF_WORDS,
    SITE_NEXT,
    SITE_RUN_END,
    STORE_CHAINS,
    STREET_NEXT,
    STRONG_AFTER,
    VERSUS_NEXT,
    VERSUS_PREV,
    WEAK_CUES,
    WORK_NEXT,
    WORK_VERBS,
)
from socialdesk.triage.places.entry import (
    AIRPORT_NAME,
    ALTERNATE,
    AMBIGUOUS,
    BRAND,
    CAPS_ALIAS,
    FAMOUS_AIRPORT,
    Entry,
)
from socialdesk.triage.places.folding import fold_text, normalize
from socialdesk.triage.places.geo import inside
from socialdesk.triage.places.sport import AUXILIARIES, MATCH_WORDS, TEAM_NEXT, TEAM_VERBS
from socialdesk.triage.places.vocabulary import STATE_ABBREVIATIONS, word_set

BIG_CITY = 100_000  # a city this big is a place without a cue (unless its name is ambiguous)
REGION_WEIGHT = 30_000  # a region with three airports or more (a region's population is 10,000 a one)
LOWERCASE_CITY = 1_000_000  # "flying to london": lower case only for cities this big


def _upper_class() -> str:
    ranges = [(0x41, 0x5A), (0xC0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF)]
    return "".join(chr(c) for lo, hi in ranges for c in range(lo, hi + 1) if chr(c).isupper())


_U = re.escape(_upper_class())
_WORD = rf"[{_U}][^\W_]*(?:['\u2019.\-][^\W_]+)*(?:['\u2019]s)?\.?"
_CONNECTOR = r"(?:de|del|da|do|dos|das|di|du|des|la|las|le|les|los|el|am|an|im|upon|on|sur|en|y|of|the|and)"
_RUN = re.compile(rf"(?<![\w#@'\u2019]){_WORD}(?:[ \t]+(?:{_CONNECTOR}[ \t]+){{0,2}}{_WORD})*")
_QUALIFIER = re.compile(r"^,?\s*\(?([A-Z]{2,3}|[A-Z][a-z]{2,4})\b\.?")
_NAME_PARTS = re.compile(r"[\s\-.'\u2019]+")
_SITE_RUN = re.compile(r"(?: [A-Z][a-z]+){0,2} ([A-Z][a-z]+)\b(?!['\u2019]s? [A-Z])")
_LIST_GAP = re.compile(r"\s*(?:,|and|&|or|/)\s*$", re.IGNORECASE)


class Scan(TokenScan):
    """One post's candidates and the context rules that accept or reject them."""

    # ---- names ----------------------------------------------------------------------------------

    def names(self) -> None:
        """Every gazetteer name in the post, from one automaton pass; the longest wins where names
        overlap ("New York City" over "York"). Capitalised names go to the context rules, lower-case
        ones count only straight after a location word ("flying to london")."""
        padded = f" {fold_text(self.clean)} "
        hits = sorted(
            (end - length - 1, end - 1, key) for end, (key, length) in self.gaz.automaton.iter(padded)
        )  # (start, stop, key) in `clean` coordinates
        consumed = -1
        for i, (start, stop, key) in enumerate(hits):
            if start < consumed or (i + 1 < len(hits) and hits[i + 1][0] == start):
                continue  # inside a longer name, or a longer name starts here too (sorted last)
            consumed = stop
            surface = self.clean[start:stop]
            if not key:
                if surface in SAFE_STATE_CODES and not self.shouting:
                    self._state_code(start, stop, surface)
                continue
            if start < self.skip_until or (start and self.clean[start - 1] in "'\u2019"):
                continue  # "O'Mara": part of a surname
            entries = self.gaz.names[key]
            if _capitalised(surface):
                capitals = surface.isupper()
                if capitals and sum(c.isalpha() for c in surface) <= 3 and not entries[0].flags & CAPS_ALIAS:
                    continue  # short capitals are codes or acronyms, not names
                if " " not in key and len(key) < 4 and not entries[0].flags & CAPS_ALIAS:
                    continue  # "Ann", "Ely": too short to trust
                self._judge(start, stop, entries, capitals, " " in key)
            elif surface.islower():
                self._lowercase(start, stop, key, entries)

    def _lowercase(self, start: int, stop: int, key: str, entries: tuple[Entry, ...]) -> None:
        """A lower-case name after a location word: "flying to london", "stuck in nyc"."""
        top = entries[0]
        if top.flags & (AMBIGUOUS | ALTERNATE) or len(key) < 3:
            return
        prev, sep, prev2, _ = self._before(start)
        p = prev.lower()
        if sep.strip() or not (p in LOWER_CUES or (p == "the" and prev2 in LOWER_CUES)):
            return
        big = top.kind is PlaceKind.CITY and top.population >= LOWERCASE_CITY
        wanted = top.kind is PlaceKind.COUNTRY or big or bool(top.flags & FAMOUS_AIRPORT)
        if wanted or (top.kind is PlaceKind.REGION and top.country == "US"):
            self.accept(start, stop, entries, [])

    def _judge(
        self, start: int, end: int, entries: tuple[Entry, ...], capitals: bool, multiword: bool
    ) -> None:
        top = entries[0]
        if top.flags & (AMBIGUOUS | ALTERNATE) and not self._maybe_cued(start, end):
            return  # "Time", "Come", "Can": common words need a cue, and there is none
        prev, sep, prev2, prev_initial = self._before(start)
        p, gap = prev.lower(), sep.strip()
        adj_prev = gap == "" and bool(prev)
        if (adj_prev and (p in VERSUS_PREV or p in BRAND_PREV)) or (gap == "." and p in {"vs", "v"}):
            return  # "Milan v Empoli", "Iowa vs. Indiana", "Air Canada", "Wells Fargo", "Real Madrid"
        if adj_prev and p in FIRST_NAMES and prev[:1].isupper():
            return  # "Miguel Sano", "Trent Richardson": a surname, even where a sentence starts
        if p in {"of", "de"} and gap == "" and prev2 in ORG_OF:
            return  # "Times of India"
        if p in {"with", "against"} and gap == "" and prev2 in MATCH_WORDS:
            return  # "the match with Rotherham", "the game against Oklahoma": the other team
        # an alternate name (Romo for Rome, Manning for Wanning) is as doubtful as a common word
        ambiguous = bool(top.flags & (AMBIGUOUS | ALTERNATE))
        cue = gap in ("", "(") and p in CUES
        route = gap in ROUTE_SEPS and (
            any(ROUTE_GAP.match(self.clean, e, start) for e in self.ends)
            or (len(prev) == 3 and prev in self.gaz.codes)
        )
        listed = any(_LIST_GAP.match(self.clean, e, start) for e in self.ends)
        airport_before = (adj_prev and p in AIRPORT_BEFORE) or (
            p in {"de", "di", "du", "del", "of"} and prev2 in AIRPORT_BEFORE
        )
        nxt, nsep = self._after(end)
        n = nxt.lower()
        adj_next = nsep.strip() == "" and bool(nxt)
        airport_word = airport_before or (adj_next and n in AIRPORT_AFTER)
        if ambiguous and not (cue or route or listed or airport_word or top.kind is PlaceKind.CITY):
            return  # fast exit for "Time", "Park", "Love": no cue on either side
        if adj_next and (
            n in VERSUS_NEXT or n in STREET_NEXT or (n in BRAND_NEXT and top.kind is not PlaceKind.AIRPORT)
        ):
            return  # "Toronto scored", "Alaska Airlines", "New York Times", "US Open"
        if adj_next and self._team_next(end, nsep, nxt):
            return  # "Chelsea fans", "the England match", "Milwaukee has won"
        if (
            adj_next
            and n in WORK_NEXT
            and p == "s"
            and self.clean[start - len(sep) - 2 : start - len(sep) - 1] in "'\u2019"
        ):
            return  # "Springsteen's Nebraska album": a work
        qualifiers = self._qualifiers(end, entries) if top.kind is PlaceKind.CITY else []
        if p == "at" and prev2 in WORK_VERBS:
            cue = False  # "I work at Monsanto": a company, not a place
        titled = cue and prev[:1].isupper() and not prev_initial and not self.title_case
        if titled and not self.shouting and self._title_before(start - len(sep) - len(prev)):
            return  # "Niggas In Paris", "Sleepless In Seattle": a title, not a location
        strong = cue and (
            p not in WEAK_CUES
            or prev2 in MOTION
            or bool(self.gaz.lookup(prev2))
            or prev2.upper() in self.gaz.codes
            or any(ROUTE_GAP.match(self.clean, e, start) for e in self.ends)  # "Clapham Junction to"
        )
        strong = strong or (adj_prev and p in STORE_CHAINS)  # "Tesco Prestwich": a branch
        strong = strong or (adj_prev and prev2 in STRONG_AFTER.get(p, ()))  # "I am from", "city of"
        if top.flags & BRAND:
            # "driving for Mercedes", "work for Toyota": "for" names an employer, not a destination
            strong = cue and (p in BRAND_CUES or (p in WEAK_CUES and p != "for" and prev2 in MOTION))
        evidence = strong or bool(qualifiers) or airport_word or route or listed
        alias = bool(top.flags & CAPS_ALIAS) and not self.title_case and not self.shouting
        if ambiguous and ((capitals and not alias) or not evidence):
            return  # "GOING TO COME": a common word in capitals is shouting, whatever precedes it
        sited = adj_next and (n in SITE_NEXT or n in STORE_CHAINS)  # "Orlando Stadium", "Bayonne McDs"
        unplaced = not (strong or qualifiers or airport_word or sited) and top.kind is not PlaceKind.AIRPORT
        if unplaced and self.sporty:
            return  # "Tonga should start getting worried ... may the best team win": a team
        if self.quoted_title(start, end):
            return  # 'Niggas In Paris' is a song
        free_text = not capitals and not self.title_case and not self.shouting
        shaped = self.title_case or self.shouting  # capitals say nothing in a headline or a shout
        if (free_text or ambiguous or (capitals and not shaped)) and not qualifiers and not airport_word:
            if adj_prev and prev[:1].isupper() and p not in OK_PREV and not (prev_initial and not ambiguous):
                return  # "Lewis Hamilton", "Tesco Prestwich"
            name_like = nxt[:1].isupper() and nxt.isalpha() and not (nxt.isupper() and len(nxt) <= 3)
            name_like = name_like and n not in NOT_NAME_NEXT
            named = ambiguous or (n not in PLACE_NEXT and top.kind is not PlaceKind.COUNTRY)
            site = not ambiguous and self._site_run(end)
            if adj_next and name_like and named and not self._is_area(n) and not site:
                return  # "Dallas Cowboys", "Kobe Bryant", "Lincoln Hall" (not "Dallas Holocaust Museum")
        if top.kind is PlaceKind.AIRPORT:
            if top.flags & FAMOUS_AIRPORT or not top.flags & AIRPORT_NAME or airport_word:
                self.accept(start, end, entries, qualifiers)
            return
        if airport_word and top.kind is PlaceKind.CITY:
            airport = self.gaz.city_airport.get((normalize(top.name), top.country))
            if airport is not None:
                self.accept(start, end, (airport,), [])
                return
        if ambiguous:
            self.accept(start, end, entries, qualifiers)  # evidence checked above
            return
        if not free_text:
            city = top.kind is PlaceKind.CITY
            big = top.kind is PlaceKind.COUNTRY or (city and top.population >= LOWERCASE_CITY)
            # a long name in a headline is a place when it is a big one: "St Mary" (a parish of
            # Jamaica with one airstrip) in "Church of St Mary Magdalene" is not
            weighty = top.population >= (BIG_CITY if city else REGION_WEIGHT)
            big = big or (multiword and not capitals and weighty)
            if evidence or (not self.shouting and (cue or big)):
                self.accept(start, end, entries, qualifiers)
            return
        small = top.kind is PlaceKind.CITY and top.population < BIG_CITY
        if small and not (evidence or sited):
            return  # a town under 100,000 people needs a cue
        self.accept(start, end, entries, qualifiers)

    def _team_next(self, end: int, nsep: str, nxt: str) -> bool:
        """A word after the name that makes it a team: "fans", "match", "won", "has won"."""
        n = nxt.lower()
        if n in TEAM_NEXT or n in TEAM_VERBS:
            return True
        if n in AUXILIARIES:
            after, sep = self._after(end + len(nsep) + len(nxt))
            return sep.strip() == "" and after.lower() in TEAM_VERBS
        return False

    def _title_before(self, cue_start: int) -> bool:
        """A capitalised word before a capitalised cue: "Niggas In", "Midnight In" (not "I'm In")."""
        head = self.clean[max(0, cue_start - 30) : cue_start].rstrip()
        word = head.rsplit(None, 1)[-1] if head else ""
        return word[:1].isupper() and word[-1:].isalpha() and word not in SELF_WORDS

    def _site_run(self, end: int) -> bool:
        """Capitalised words after the name that end in a site or an event held in it: "Dallas
        Holocaust Museum", "Oregon Country Fair", "Paris Fashion Week"."""
        m = _SITE_RUN.match(self.clean, end)
        return m is not None and m.group(1).lower() in SITE_RUN_END

    def _maybe_cued(self, start: int, end: int) -> bool:
        """A cheap first look for any cue around a doubtful name (the full rules follow if there is one)."""
        before = self.clean[max(0, start - 16) : start]
        tail = before.rstrip()
        if not tail or tail[-1] in ",&/->→(":
            return True
        last = tail.rsplit(None, 1)[-1].lower()
        if last in CUES or last in AIRPORT_BEFORE or last in {"and", "or", "de", "di", "du", "del", "of"}:
            return True
        after = self.clean[end : end + 16].split(None, 1)
        word = after[0].strip(".,;:!?()").lower() if after else ""
        return (
            word in AIRPORT_AFTER
            or (self.clean[end : end + 1] == "," and len(after) > 1)
            or word.upper() in self.gaz.us_states
        )

    def _is_area(self, word: str) -> bool:
        """A region, a country or a state code: "Tampa Florida", "Cancun Mexico", "Champaign IL"."""
        if word.upper() in self.gaz.us_states or word in STATE_ABBREVIATIONS:
            return True
        return any(e.kind in (PlaceKind.COUNTRY, PlaceKind.REGION) for e in self.gaz.lookup(word))

    def _qualifiers(self, end: int, entries: tuple[Entry, ...]) -> list[Entry]:
        """A state, province or country written right after a city: "Lexington KY", "Paris, France".
        A state code counts even if no candidate is in it (a town too small for the gazetteer); a
        written-out name only if one is ("Seattle, Washington", not "Keller Williams")."""
        rest = self.clean[end : end + 40]
        first = rest.lstrip(" ,(")[:1]
        if not first.isupper():
            return []  # the common case: nothing capitalised follows
        m = _QUALIFIER.match(rest)
        if m is not None:
            token = m.group(1)
            code = STATE_ABBREVIATIONS.get(token.lower(), token.upper())
            state = self.gaz.us_states.get(code) or self.gaz.provinces.get(code)
            if state is not None and (token.isupper() or token.lower() in STATE_ABBREVIATIONS):
                return [state]
        stripped = rest.lstrip(", ")
        run = _RUN.match(stripped)
        if run is not None:
            words = run.group().split()
            for j in range(min(3, len(words)), 0, -1):
                areas = [
                    e
                    for e in self.gaz.lookup(normalize(" ".join(words[:j])))
                    if e.kind in (PlaceKind.COUNTRY, PlaceKind.REGION) and any(inside(c, e) for c in entries)
                ]
                if areas:
                    offset = end + len(rest) - len(stripped)
                    self.skip_until = offset + len(" ".join(words[:j]))
                    return areas
        return []


def _capitalised(surface: str) -> bool:
    """Every word of a name capitalised, bar connectors: "Rio de Janeiro", "Stoke-on-Trent"."""
    words = [w for w in _NAME_PARTS.split(surface) if w]
    return all(w[:1].isupper() for w in words if w.lower() not in _CONNECTOR_WORDS) and words[0][:1].isupper()


_CONNECTOR_WORDS = word_set(
    "de del da do dos das di du des la las le les los el am an im upon on sur en y of the and"
)
