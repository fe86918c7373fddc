"""What the words next to a name say about it: a team, a paper, a title, a site, a route, a qualifier,
a news dateline, a list of people.

The name rules (scan.py) keep asking the same questions of the words around a name: is the word after
it a team's nickname or a newspaper's, does a state or country follow it, is it in a route to an
airport code, is there any cue at all? `Neighbours` answers them for one post, between the post's
tokens and codes (codes.py) and the rules that decide.
"""

from __future__ import annotations

import re

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.codes import TokenScan
from socialdesk.triage.places.cues import (
    AIRPORT_AFTER,
    AIRPORT_BEFORE,
    BRAND_PREV,
    COMPASS,
    CUES,
    DATE_WORDS,
    FIRST_NAMES,
    NOT_NAME_NEXT,
    OK_PREV,
    ORG_OF,
    POLITY_NEXT,
    PRESS_NEXT,
    SELF_WORDS,
    SITE_RUN_END,
    STATE_BODIES,
    VERSUS_PREV,
)
from socialdesk.triage.places.entry import ALTERNATE, AMBIGUOUS, BRAND, MAJOR, Entry
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.geo import inside
from socialdesk.triage.places.sport import AUXILIARIES, MATCH_WORDS, TEAM_NAMES, TEAM_NEXT, TEAM_VERBS
from socialdesk.triage.places.vocabulary import (
    CODE_STOPWORDS,
    DOTTED_STATES,
    NEWS_AGENCIES,
    STATE_ABBREVIATIONS,
)

BIG_DATELINE_CITY = 100_000  # a dateline or a year's event is a city this big


def _upper_class() -> str:
    ranges = [(0x41, 0x5A), (0xC0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF)]
    return "".join(chr(c) for lo, hi in ranges for c in range(lo, hi + 1) if chr(c).isupper())


# A run of capitalised words, with up to two connectors between ("Rio de Janeiro"): a qualifier's shape.
_U = re.escape(_upper_class())
_WORD = rf"[{_U}][^\W_]*(?:['\u2019.\-][^\W_]+)*(?:['\u2019]s)?\.?"
_CONNECTOR = r"(?:de|del|da|do|dos|das|di|du|des|la|las|le|les|los|el|am|an|im|upon|on|sur|en|y|of|the|and)"
_RUN = re.compile(rf"(?<![\w#@'\u2019]){_WORD}(?:[ \t]+(?:{_CONNECTOR}[ \t]+){{0,2}}{_WORD})*")
_QUALIFIER = re.compile(r"^,?\s*\(?([A-Z]{2,3}|[A-Z][a-z]{2,4}|[A-Z][a-z](?=\.))\b\.?")
_SITE_RUN = re.compile(r"(?: [A-Z][a-z]+){0,2} ([A-Z][a-z]+)\b(?!['\u2019]s? [A-Z])")
_TO_CODE = re.compile(r"\.?\s*(?:-+>?|\u2013|\u2014|>|\u2192|to)\s*([A-Z]{3})\b")  # " - LHR", " to JFK"
_LIST_WORDS = frozenset({"and", "or", "de", "di", "du", "del", "of"})  # "Texas and", "aeropuerto de"
# A news dateline after a name: a state or country, a date, a news agency in brackets and a dash
# ("MOSCOW, October 11 (RIA Novosti) -", "Medellin, Colombia, Aug 23 (EFE).-", "LONDON (ICIS)--").
_AGENCIES = "|".join(sorted(NEWS_AGENCIES, key=len, reverse=True))
_DATELINE = re.compile(
    r"(?:,[ \t]*[A-Z][\w.]*(?:[ \t][A-Z][\w.]*)?)?"
    r"(?:,?[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}(?:st|nd|rd|th)?(?:,[ \t]*\d{4})?)?"
    rf"[ \t]*\((?:{_AGENCIES})\)[ \t]*\.?[ \t]*[-\u2013\u2014:]",
    re.IGNORECASE,
)
# What may follow a dateline in capitals that has no agency: "...: SAN FRANCISCO Apple Inc", "MOSS
# LANDING, Calif. -".
_CAPS_DATELINE_NEXT = re.compile(r"[ \t]*(?:,|\(|[-\u2013\u2014][ \t]|[A-Z][a-z])")
_YEAR = re.compile(r"[ \t](?:19|20)\d\d\b(?![.,:/-]?\d)")


class Neighbours(TokenScan):
    """Questions about the words around a position in one post (its names are judged in scan.py)."""

    def _named_before(self, p: str, gap: str, prev2: str) -> bool:
        """Words before a name that make it a team's, a company's or a title's: "Milan v Empoli",
        "Real Madrid", "Air Canada", "Times of India", "the game against Tonga"."""
        if gap == "" and p and (p in VERSUS_PREV or p in BRAND_PREV):
            return True
        if gap == "." and p in {"vs", "v"}:
            return True
        if gap == "" and p in {"of", "de"}:
            return prev2 in ORG_OF
        return gap == "" and p in {"with", "against"} and prev2 in MATCH_WORDS

    def _polity_next(self, end: int) -> bool:
        """A word right after the name that only a state has: "Turkey election", "Chad's army"."""
        nxt, nsep = self._after(end)
        return nsep.strip() in ("", "'", "\u2019") and nxt.lower() in POLITY_NEXT

    def _among_names(self, sep: str, nxt: str, nsep: str, prev: str) -> bool:
        """Is the name an item of a comma list whose neighbours on both sides are capitalised words
        that name no place nor a date ("Romero, Rojo, Blind, Memphis, Rooney"; not "Nirvana, Sydney,
        February 7", a gig's venue and date)?"""
        if sep.strip() != "," or nsep.strip() != ",":
            return False
        return all(
            word[:1].isupper()
            and word[1:].islower()
            and word.lower() not in DATE_WORDS
            and not self.gaz.lookup(word.lower())
            for word in (prev, nxt)
        )

    def _acronym_before(self, prev: str) -> bool:
        """An acronym in capitals before a country's short form makes them one name ("DTN USA", "MTV
        UK"), unless the post shouts or the acronym is a place ("NYC USA") or a word ("THE USA")."""
        if self.shouting or not 2 <= len(prev) <= 5 or not prev.isalpha():
            return False
        low = prev.lower()
        return low not in OK_PREV and not self.gaz.lookup(low) and prev not in self.gaz.us_states

    def _state_body(self, end: int) -> bool:
        """A state's own body after "<name> State": "Alabama State Troopers", "Ohio State Senate"."""
        nxt, nsep = self._after(end)
        return nsep.strip() == "" and nxt.lower() in STATE_BODIES

    def _routes_to_code(self, end: int) -> bool:
        """A name in a route to a big airport's code: "D. C. - LHR", "Boston to JFK"."""
        m = _TO_CODE.match(self.clean, end)
        if m is None or m.group(1) in CODE_STOPWORDS:
            return False
        airport = self.gaz.codes.get(m.group(1))
        return airport is not None and bool(airport.flags & MAJOR)

    def _team_next(self, end: int, nsep: str, nxt: str, capitalised: bool = True) -> bool:
        """A word after the name that makes it a team or a newspaper: "fans", "match", "won", "has
        won"; a nickname in the name's case ("New Orleans Saints", "dallas stars"); "Register"."""
        n = nxt.lower()
        stop = end + len(nsep) + len(nxt)
        if n in TEAM_VERBS and self.clean[stop : stop + 1] in ("'", "\u2019"):
            return False  # "UK won't help": not "won" (but "England player's" is a player's)
        if n in TEAM_NEXT or n in TEAM_VERBS:
            return True
        if n in TEAM_NAMES:
            return nxt[:1].isupper() == capitalised
        if n in PRESS_NEXT:
            return nxt[:1].isupper()
        if n in AUXILIARIES:
            after, sep = self._after(stop)
            return sep.strip() == "" and after.lower() in TEAM_VERBS
        return False

    def _title_before(self, cue_start: int) -> bool:
        """A capitalised word before a capitalised cue: "Niggas In", "Midnight In" (not "I'm In")."""
        head = self.clean[max(0, cue_start - 30) : cue_start].rstrip()
        # the quotes that open a title are no part of its first word: \""Ni**as In
        word = head.rsplit(None, 1)[-1].lstrip("\\\"\u201c\u2018'") if head else ""
        return word[:1].isupper() and word[-1:].isalpha() and word not in SELF_WORDS

    def _dateline(self, start: int, end: int, capitals: bool, top: Entry) -> bool:
        """A news dateline: the name before a news agency ("PARIS (AFP) -", "HONG KONG, July 10
        (Reuters) -"), or a big city in capitals that opens a post or follows a headline's colon
        ("...in overhaul: SAN FRANCISCO Apple Inc") in a post that is not all shouting."""
        window = self.clean[end : end + 48]
        if "(" in window and _DATELINE.match(self.clean, end) is not None:
            return not top.flags & BRAND
        if not capitals or self.shouting or top.flags & (AMBIGUOUS | BRAND | ALTERNATE):
            return False
        if top.kind is not PlaceKind.CITY or top.population < BIG_DATELINE_CITY or len(self.clean) < 60:
            return False
        head = self.clean[max(0, start - 3) : start].rstrip(" \t")
        opens = not head.strip(" |.") or head.endswith(":")
        return opens and _CAPS_DATELINE_NEXT.match(self.clean, end) is not None

    def _year_event(self, end: int, top: Entry) -> bool:
        """A big city before a year: "Tokyo 2020 unveils", "London 2012" (a date such as "2012/13"
        or "2012-05" is no event's name)."""
        big = top.kind is PlaceKind.CITY and top.population >= BIG_DATELINE_CITY
        return big and self.clean[end : end + 1] == " " and _YEAR.match(self.clean, end) is not None

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
        if last in CUES or last in AIRPORT_BEFORE or last in COMPASS or last in _LIST_WORDS or last == "over":
            return True
        after = self.clean[end : end + 16].split(None, 1)
        word = after[0].strip(".,;:!?()").lower() if after else ""
        return (
            word in AIRPORT_AFTER
            or (self.clean[end : end + 1] == "," and len(after) > 1)
            or word.upper() in self.gaz.us_states
            or word in ("and", "or", "&", "/")  # a place may be listed after it: "Turkey and Russia"
        )

    def _is_area(self, word: str) -> bool:
        """A region, a country or a state code: "Tampa Florida", "Cancun Mexico", "Champaign IL"."""
        if word.upper() in self.gaz.us_states or word in STATE_ABBREVIATIONS:
            return True
        return any(e.kind in (PlaceKind.COUNTRY, PlaceKind.REGION) for e in self.gaz.lookup(word))

    def _qualifiers(self, start: int, end: int, entries: tuple[Entry, ...]) -> list[Entry]:
        """A state, province or country written right after a city: "Lexington KY", "Paris, France".
        A state code counts even if no candidate is in it (a town too small for the gazetteer); a
        written-out name only if one is ("Seattle, Washington", not "Keller Williams")."""
        rest = self.clean[end : end + 40]
        first = rest.lstrip(" ,(")[:1]
        if not first.isupper():
            return []  # the common case: nothing capitalised follows
        m = _QUALIFIER.match(rest)
        if m is not None:
            token, low = m.group(1), m.group(1).lower()
            # the news agencies' abbreviations ("BATON ROUGE, La.") count only with their stop
            written = STATE_ABBREVIATIONS.get(low) or (
                DOTTED_STATES.get(low) if m.group(0)[-1] == "." else None
            )
            code = written or token.upper()
            state = self.gaz.us_states.get(code) or self.gaz.provinces.get(code)
            if state is not None and (token.isupper() or written):
                self.skip_until = end + m.end()  # "La." is Louisiana here, not Los Angeles
                return [state]
        stripped = rest.lstrip(", ")
        run = _RUN.match(stripped)
        if run is not None:
            words = run.group().split()
            towns: tuple[Entry, ...] | None = None
            for j in range(min(3, len(words)), 0, -1):
                named = [
                    e for e in self.gaz.lookup(normalize(" ".join(words[:j])))
                    if e.kind in (PlaceKind.COUNTRY, PlaceKind.REGION)
                ]  # fmt: skip
                areas = [e for e in named if any(inside(c, e) for c in entries)]
                if named and not areas:
                    # "Salisbury, Maryland"-like names whose town is too small for the index
                    if towns is None:
                        towns = self.gaz.towns.find(normalize(self.clean[start:end]))
                    areas = [e for e in named if any(inside(t, e) for t in towns)]
                    bare = j == len(words) and "," not in rest[: len(rest) - len(stripped)]
                    if not areas and bare and not entries[0].flags & AMBIGUOUS:
                        # "Naples Maine": a town too small to know, in a US state we know (with a
                        # comma it may be a list, "London, New York"; "Chicago Washington DC" is one)
                        areas = [e for e in named if e.kind is PlaceKind.REGION and e.region]
                if areas:
                    offset = end + len(rest) - len(stripped)
                    self.skip_until = offset + len(" ".join(words[:j]))
                    return areas
        return []

    def _possessive_country(self, start: int, end: int, top: Entry) -> bool:
        """A country whose name is also a word, capitalised and possessive, before a word that is not
        a verb's: "Turkey's visa ban", "Turkey's Erdogan" (not "Turkey's in the oven", "Chad's car")."""
        if self.clean[end : end + 1] not in ("'", "\u2019") or self.clean[end + 1 : end + 3] not in (
            "s ",
            "s",
        ):
            return False
        if top.kind is not PlaceKind.COUNTRY or top.flags & (BRAND | ALTERNATE) or not top.flags & AMBIGUOUS:
            return False
        if self.shouting or normalize(top.name) in FIRST_NAMES:
            return False
        nxt, nsep = self._after(end + 2)
        return bool(nxt) and nsep.strip() == "" and nxt.lower() not in NOT_NAME_NEXT
