"""The per-post scan of names and the rules that accept them (codes and hashtags: codes.py).

`Scan` finds every gazetteer name in a post in one automaton pass and decides for each, from the words
around it (cues, qualifiers, routes, lists, capitals, team and title words, whether the post is about
sport; the questions about those words are in neighbours.py), whether it is a place, by the precision
rules the package docstring sets out. It only collects what it accepts: `resolution.resolve_at` then
picks one place for each name.
"""

from __future__ import annotations

import re

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.codes import ROUTE_GAP
from socialdesk.triage.places.cues import (
    AIRPORT_AFTER,
    AIRPORT_BEFORE,
    BRAND_CUES,
    BRAND_NEXT,
    COMPASS,
    CUES,
    EVENT_NEXT,
    FIRST_NAMES,
    LOWER_STATE_CODES,
    MOTION,
    NOT_NAME_NEXT,
    OK_PREV,
    OVER_AFTER,
    PLACE_NEXT,
    PLURAL_VERBS,
    PRESS_NEXT,
    PRONOUN_BEFORE,
    ROUTE_SEPS,
    SAFE_STATE_CODES,
    SITE_NEXT,
    STORE_CHAINS,
    STREET_NEXT,
    STRONG_AFTER,
    VERSUS_NEXT,
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
from socialdesk.triage.places.gazetteer import CODE_KEY
from socialdesk.triage.places.geo import inside
from socialdesk.triage.places.lowercase import LOWERCASE_CITY, LowerCaseNames, areas_first
from socialdesk.triage.places.sport import SURE_VERSUS, TEAM_BRAND_NEXT, TEAM_PREV
from socialdesk.triage.places.town_cues import NAME_STARTS
from socialdesk.triage.places.vocabulary import ARTICLE_NAMES, word_set

BIG_CITY = 100_000  # a city this big is a place without a cue (unless its name is ambiguous)
REGION_WEIGHT = 30_000  # a region with three airports or more (a region's population is 10,000 a one)

_NAME_PARTS = re.compile(r"[\s\-.]+")  # an apostrophe is inside a word: "O'Hare", "B'ham"
_AREAS = (PlaceKind.COUNTRY, PlaceKind.REGION)
_NAMING_KINDS = (PlaceKind.CITY, PlaceKind.REGION)
_ROUTE_MARKS = frozenset("-\u2013\u2014>\u2192")  # a route may follow: " - LHR", " → JFK"
_LIST_SEPS = frozenset({",", "&", "/"})
_LIST_WORDS_NEXT = frozenset({"and", "or"})
_LIST_NEXT = re.compile(r"\s*(?:,|and|&|or|/)\s*(?=[A-Z])")  # "Turkey and R...", "Florence, V..."
# kinds that may be listed together: cities with cities, regions and countries with each other
_GROUP = {
    PlaceKind.CITY: 0,
    PlaceKind.REGION: 1,
    PlaceKind.COUNTRY: 1,
    PlaceKind.AIRPORT: 2,
    PlaceKind.POINT: 3,
}
_LOCAL_WORDS = frozenset({"in", "at", "near"})
_LIST_GAP = re.compile(r"\s*(?:,|and|&|or|/)\s*$", re.IGNORECASE)


class Scan(LowerCaseNames):
    """One post's candidates and the context rules that accept or reject them."""

    # ---- names ----------------------------------------------------------------------------------

    def names(self) -> None:
        """Every gazetteer name in the post, from one automaton pass; the longest wins where names
        overlap ("New York City" over "York"). Capitalised names go to the context rules, lower-case
        ones count only straight after a location word ("flying to london")."""
        padded = self.folded = f" {fold_text(self.clean)} "
        hits = [(end - length - 1, end - 1, key) for end, (key, length) in self.gaz.automaton.iter(padded)]
        if not hits:
            return  # most posts
        hits.sort()  # (start, stop, key) in `clean` coordinates
        consumed = -1
        for i, (start, stop, key) in enumerate(hits):
            if start < consumed or (i + 1 < len(hits) and hits[i + 1][0] == start):
                continue  # inside a longer name, or a longer name starts here too (sorted last)
            consumed = stop
            surface = self.clean[start:stop]
            if key == CODE_KEY:
                if not surface.isupper():
                    self.lower_code(start, stop, surface.upper())  # "almost to Lax"
                continue
            if not key:  # a US state code, "at", "near", or a phrase that hides a name ("South America")
                if self.clean[stop + 1 : stop + 2].isupper() and surface in _LOCAL_WORDS:
                    self.local_cues.append(stop)  # "at Houghton Regis": town_cues.py may look it up
                if surface in SAFE_STATE_CODES and not self.shouting:
                    self._state_code(start, stop, surface)
                elif surface in LOWER_STATE_CODES:
                    self._lower_state_code(start, surface)  # "i'm from nj"
                if len(surface) == 2 and (surface.isupper() or self.clean[stop + 1 : stop + 2].isdigit()):
                    self.town_before_code(start, stop, surface)  # "Thomaston GA", "grandview mo 64030"
                continue
            self.hit_spans.append((start, stop))
            if start < self.skip_until or (start and self.clean[start - 1] in "'\u2019"):
                continue  # "O'Mara": part of a surname
            if len(key) <= 3 and not surface.replace(".", "").replace(" ", "").isalpha():
                continue  # "U's", "L'A": an apostrophe in a short alias is no "U.S."
            entries = self.gaz.names[key]
            if surface[0].islower():
                if surface.islower():
                    self._lowercase(start, stop, key, entries)
                continue
            single = " " not in key and surface.isalpha()  # one plain word: its first letter says it
            if not surface[0].isupper() or (
                not single and not _capitalised(surface) and not _big_with_small_tail(surface, entries[0])
            ):
                continue
            capitals = surface.isupper()
            if capitals and sum(c.isalpha() for c in surface) <= 3 and not entries[0].flags & CAPS_ALIAS:
                continue  # short capitals are codes or acronyms, not names
            if " " not in key and len(key) < 4 and not entries[0].flags & CAPS_ALIAS:
                continue  # "Ann", "Ely": too short to trust
            if key in ARTICLE_NAMES and self._before(start)[0].lower() != "the":
                continue  # "watching Jersey Shore": the show; "the Jersey Shore" is the coast
            self._judge(start, stop, entries, capitals, " " in key)

    def _judge(
        self, start: int, end: int, entries: tuple[Entry, ...], capitals: bool, multiword: bool
    ) -> None:
        top = entries[0]
        if self._possessive_country(start, end, top):
            self.accept(start, end, entries, [])  # "Turkey's visa ban": the bird has no policies
            return
        if top.kind in _AREAS and top.flags & AMBIGUOUS and self._polity_next(end):
            self.accept(start, end, entries, [])  # "Snap Turkey Election": the bird holds no vote
            return
        if self._dateline(start, end, capitals, top):
            # "SAN FRANCISCO (Reuters) -", "NEWCASTLE, England, Sep 01": where the news is from
            qualified = self._qualifiers(start, end, entries) if top.kind is PlaceKind.CITY else []
            self.accept(start, end, entries, qualified)
            return
        if top.flags & (AMBIGUOUS | ALTERNATE) and not self._maybe_cued(start, end):
            return  # "Time", "Come", "Can": common words need a cue, and there is none
        prev, sep, prev2, prev_initial = self._before(start)
        p, gap = prev.lower(), sep.strip()
        adj_prev = gap == "" and bool(prev)
        capitalised_before = prev[:1].isupper() and gap in ("", ",")
        if (
            top.kind in _AREAS
            and capitalised_before
            and not capitals
            and self.town_before_area(start, entries)
        ):
            return  # "Henryville, Indiana": a town too small for the index, in the state named
        if p == "miss" and gap == "" and top.kind is PlaceKind.REGION and top.country == "US":
            self.accept(start, end, entries, [])  # "Miss Texas" holds the state's title
            return
        if self._named_before(p, gap, prev2):
            if p in TEAM_PREV or p in SURE_VERSUS or p in ("with", "against"):
                self.team_seen = self.team_seen or not top.flags & (AMBIGUOUS | ALTERNATE)
            return  # "Milan v Empoli", "Iowa vs. Indiana", "Wells Fargo", "the match with Rotherham"
        located = gap == "" and p in CUES and p not in WEAK_CUES  # "in Argentina - CR7 in Madrid"
        if not located and not self.travel and self.in_fixture(start, end):
            return  # "United - Swansea, Roma - Juventus", "Russia-Portugal Clash": teams
        if adj_prev and prev.isupper() and top.flags & CAPS_ALIAS and self._acronym_before(prev):
            return  # "DTN USA:", "AMZL US Tracking": a firm's or a feed's name
        if prev == "against" and gap == "" and top.kind is PlaceKind.CITY:
            # one plays against a city ("a start against Calgary"); a country may be a polity
            # ("sanctions against Russia")
            self.team_seen = self.team_seen or not top.flags & (AMBIGUOUS | ALTERNATE)
            return
        if adj_prev and p in FIRST_NAMES and prev[:1].isupper():
            return  # "Miguel Sano", "Trent Richardson": a surname, even where a sentence starts
        # an alternate name (Romo for Rome, Manning for Wanning) is as doubtful as a common word
        ambiguous = bool(top.flags & (AMBIGUOUS | ALTERNATE))
        cue = gap in ("", "(") and (p in CUES or (p == "over" and prev2 in OVER_AFTER))
        nxt, nsep = self._after(end)
        n, gap_next = nxt.lower(), nsep.strip()
        if gap_next == "." and "." in self.clean[start:end]:
            gap_next = ""  # "the U.S. Open": the stop ends the short form, not a sentence
        adj_next = gap_next == "" and bool(nxt)
        route = (
            gap in ROUTE_SEPS
            and (
                any(ROUTE_GAP.match(self.clean, e, start) for e in self.ends)
                or (len(prev) == 3 and prev in self.gaz.codes)
            )
        ) or ((n == "to" or not _ROUTE_MARKS.isdisjoint(nsep)) and self._routes_to_code(end))
        listed = any(_LIST_GAP.match(self.clean, e, start) for e in self.ends)
        airport_before = (adj_prev and p in AIRPORT_BEFORE) or (
            p in {"de", "di", "du", "del", "of"} and prev2 in AIRPORT_BEFORE
        )
        airport_word = airport_before or (adj_next and n in AIRPORT_AFTER)
        # "Turkey and Russia", "Florence, Venice and Rome": a doubtful name listed before a place
        # counts if that place is taken (decided once the post is read: `listed_forward`)
        forward = (
            (gap_next in _LIST_SEPS or n in _LIST_WORDS_NEXT)
            and not listed
            and not capitals
            and _LIST_NEXT.match(self.clean, end) is not None
        )
        if ambiguous and not (
            cue or route or listed or airport_word or forward or top.kind is PlaceKind.CITY
        ):
            return  # fast exit for "Time", "Park", "Love": no cue on either side
        # "Melbourne Cup", "Miami Open": a big city's own event is held there ("US Open", "Leeds cup
        # tie" are a country's and a team's)
        hosted = adj_next and n in EVENT_NEXT and nxt[:1].isupper() and self._big_city(top, ambiguous)
        if (
            adj_next
            and not hosted
            and (
                n in VERSUS_NEXT
                or n in STREET_NEXT
                or (n in BRAND_NEXT and top.kind is not PlaceKind.AIRPORT)
            )
        ):
            if not (n == "state" and self._state_body(end + len(nsep) + len(nxt))):
                if (n in VERSUS_NEXT or n in TEAM_BRAND_NEXT) and not ambiguous:
                    self.team_seen = True
                return  # "Toronto scored", "Alaska Airlines", "New York Times", "US Open", "Ohio State"
            n = "state"  # "Alabama State Troopers", "New York State Fair": the state's own, so the state
            entries = areas_first(entries)
        if adj_next and nxt == "Day" and top.kind in _AREAS:
            return  # "Australia Day", "America Day": a holiday or a school's theme day
        if adj_next and self._team_next(end, nsep, nxt):
            self.team_seen = self.team_seen or (n not in PRESS_NEXT and not ambiguous)
            return  # "Chelsea fans", "the England match", "Milwaukee has won"
        if (
            adj_next
            and n in PLURAL_VERBS
            and top.kind is PlaceKind.CITY
            and not (cue or listed or gap == "," or p in _LIST_WORDS_NEXT or p in ("&", "of"))
        ):
            # a city is one thing, its team many players: "Sydney are too tough", "Milan were poor"
            # (not "hostels in Dublin are", "Seattle and Portland were", "most of London are")
            self.team_seen = self.team_seen or not ambiguous
            return
        if (
            adj_next
            and n in WORK_NEXT
            and p == "s"
            and self.clean[start - len(sep) - 2 : start - len(sep) - 1] in "'\u2019"
        ):
            return  # "Springsteen's Nebraska album": a work
        qualifiers = self._qualifiers(start, end, entries) if top.kind is PlaceKind.CITY else []
        if (
            qualifiers
            and not (adj_prev and p in NAME_STARTS)  # "New Weston, OH" is not Weston
            and not any(inside(e, q) for e in entries for q in qualifiers)
        ):
            # "Salisbury Mass": no city of the index is in that state, but a smaller town may be
            towns = [
                t for t in self.gaz.towns.find(normalize(self.clean[start:end])) if inside(t, qualifiers[0])
            ]
            entries = (*towns, *entries)
        if p == "at" and prev2 in WORK_VERBS:
            cue = False  # "I work at Monsanto": a company, not a place
        # "Holy Land (Canada)": a bracket between the cue-like word and the name makes no title
        titled = cue and gap == "" and prev[:1].isupper() and not prev_initial and not self.title_case
        if titled and not self.shouting and self._title_before(start - len(sep) - len(prev)):
            return  # "Niggas In Paris", "Sleepless In Seattle": a title, not a location
        # "in the UK", "across the Netherlands": an article between the cue and a country or region
        # keeps the cue, if not in a post about sport ("named in the England side")
        article = not cue and p == "the" and gap == "" and prev2 in CUES and top.kind in _AREAS
        strong = cue and (
            p not in WEAK_CUES
            or prev2 in MOTION
            or bool(self.gaz.lookup(prev2))
            or prev2.upper() in self.gaz.codes
            or any(ROUTE_GAP.match(self.clean, e, start) for e in self.ends)  # "Clapham Junction to"
            or (capitals and bool(top.flags & CAPS_ALIAS))  # "a kid from LA": no person is called "LA"
        )
        strong = strong or (article and prev2 not in WEAK_CUES and not self.sporty)
        cue = cue or article
        if adj_prev and p in COMPASS and prev.islower() and any(e.kind in _AREAS for e in entries):
            # "most of western Washington": a part of a state or country, so the area, not the city
            strong = cue = True
            entries = areas_first(entries)
        strong = strong or (adj_prev and p in STORE_CHAINS)  # "Tesco Prestwich": a branch
        strong = strong or (adj_prev and prev2 in STRONG_AFTER.get(p, ()))  # "I am from", "city of"
        if top.flags & BRAND:
            # "driving for Mercedes", "work for Toyota": "for" names an employer, not a destination
            strong = cue and (p in BRAND_CUES or (p in WEAK_CUES and p != "for" and prev2 in MOTION))
        evidence = strong or bool(qualifiers) or airport_word or route or listed
        alias = bool(top.flags & CAPS_ALIAS) and not self.title_case and not self.shouting
        if alias and self.clean[start:end] == "US" and adj_prev and prev.isupper() and p in PRONOUN_BEFORE:
            return  # "SOME OF US HAVENT", "LET US KNOW": the pronoun, in capitals
        forward = forward and not evidence
        if ambiguous and ((capitals and not alias) or not (evidence or forward)):
            return  # "GOING TO COME": a common word in capitals is shouting, whatever precedes it
        sited = hosted or (adj_next and (n in SITE_NEXT or n in STORE_CHAINS))  # "Orlando Stadium"
        # "Tokyo 2020", "London 2012": the games or show a big city hosts that year
        sited = sited or (not ambiguous and self._year_event(end, top))
        unplaced = not (strong or qualifiers or airport_word or sited) and top.kind is not PlaceKind.AIRPORT
        if unplaced and self.sporty:
            return  # "Tonga should start getting worried ... may the best team win": a team
        if unplaced and not listed and self._among_names(sep, nxt, nsep, prev):
            return  # "Romero, Rojo, Blind, Memphis, Rooney": a list of people, Memphis Depay among them
        if unplaced:
            self.bare.add(start)  # a team after all if one is named later ("Barcelona and Real Madrid")
        listed_in_quotes = self.clean[end : end + 1] == ","  # "Looming Threats: Iran, Hezbollah Hamas"
        if self.quoted_title(start, end) and not (listed_in_quotes or self._site_run(end)):
            return  # 'Niggas In Paris' is a song ("the San Diego County Fair" in quotes is a fair)
        free_text = not capitals and not self.title_case and not self.shouting
        shaped = self.title_case or self.shouting  # capitals say nothing in a headline or a shout
        if (free_text or ambiguous or (capitals and not shaped)) and not qualifiers and not airport_word:
            if adj_prev and prev[:1].isupper() and p not in OK_PREV and not (prev_initial and not ambiguous):
                return  # "Lewis Hamilton", "Tesco Prestwich"
            name_like = nxt[:1].isupper() and nxt.isalpha() and not (nxt.isupper() and len(nxt) <= 3)
            name_like = name_like and n not in NOT_NAME_NEXT
            # a name of two words or more, a country or an airport is seldom the start of a person's or
            # a firm's name ("A North Carolina Twitter user", "from London Gatwick Sandra")
            named = ambiguous or (n not in PLACE_NEXT and top.kind in _NAMING_KINDS and not multiword)
            site = not ambiguous and self._site_run(end)
            # a station or district that stands for the same city: "from London Euston"
            site = site or (name_like and any(e.name == top.name for e in self.gaz.lookup(n)[:1]))
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
            self._take(start, end, entries, qualifiers, forward)  # evidence checked above
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
            elif forward:
                self._take(start, end, entries, qualifiers, forward)
            return
        small = top.kind is PlaceKind.CITY and top.population < BIG_CITY
        if small and not (evidence or sited):
            if forward:
                self._take(start, end, entries, qualifiers, forward)
            return  # a town under 100,000 people needs a cue
        self.accept(start, end, entries, qualifiers)

    @staticmethod
    def _big_city(top: Entry, ambiguous: bool) -> bool:
        return top.kind is PlaceKind.CITY and top.population >= BIG_CITY and not ambiguous

    def _take(
        self, start: int, end: int, entries: tuple[Entry, ...], qualifiers: list[Entry], forward: bool
    ) -> None:
        """Accept a name, or if its only evidence is the place listed after it, keep it for later."""
        if forward:
            self.listed_before.append((start, end, entries, qualifiers))
        else:
            self.accept(start, end, entries, qualifiers)

    def drop_teams(self) -> None:
        """In a post that turned out to name a team, names taken without any cue are teams too."""
        if self.team_seen and self.bare:
            self.pending = [item for item in self.pending if item[0] not in self.bare]

    def listed_forward(self) -> None:
        """Names kept by `_take` whose next item in the list was taken, right to left ("Florence" once
        "Venice" is taken, "Venice" once "Rome" is), when both are cities or both areas."""
        groups = {start: _GROUP[entries[0].kind] for start, entries, _ in self.pending}
        for start, end, entries, qualifiers in reversed(self.listed_before):
            m = _LIST_NEXT.match(self.clean, end)
            if m is not None and groups.get(m.end()) == _GROUP[entries[0].kind]:
                self.accept(start, end, entries, qualifiers)
                groups[start] = _GROUP[entries[0].kind]


def _big_with_small_tail(surface: str, top: Entry) -> bool:
    """A big place's name of two or three words with only the first capitalised, as people type them:
    "San diego", "Virginia beach", "the Hollywood bowl" (a small town's, "Pleasant hill", is words)."""
    if top.flags & (AMBIGUOUS | ALTERNATE | BRAND) or surface.count(" ") > 2:
        return False
    big = top.kind is PlaceKind.COUNTRY or top.population >= BIG_CITY  # a region's: 10,000 an airport
    words = surface.split(" ")
    return big and words[0][1:].islower() and all(w.islower() for w in words[1:])


def _capitalised(surface: str) -> bool:
    """Every word of a name capitalised, bar connectors: "Rio de Janeiro", "Stoke-on-Trent"."""
    words = [w for w in _NAME_PARTS.split(surface) if w]
    return all(w[:1].isupper() for w in words if w.lower() not in _CONNECTOR_WORDS) and words[0][:1].isupper()


_CONNECTOR_WORDS = word_set(
    "de del da do dos das di du des la las le les los el am an im upon on sur en y of the and"
)
