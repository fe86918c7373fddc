"""Strong cues that name a small town the main index does not hold (the look-ups go to towns.py).

A town of 3,000 people is too likely a word or a surname to be matched wherever its name appears, but
some contexts leave no doubt that a town is meant, and say which state or country it is in:
- a US state code right after it, or a state code and a ZIP: "the Walmart in Thomaston GA",
  "blue ridge blvd, grandview mo 64030";
- a state or country written out after it: "born near Henryville, Indiana", "Naples Maine";
- a shop word next to it: "our Haddington Superstore", "the store in Monkspath";
- "in", "at" or "near" before it in a post to a company that serves one country (home.py): "@Morrisons
  ... at Houghton Regis" is a branch's town in Britain.
The town must exist in that state or country (or, for a shop word with no country known, anywhere),
so a capitalised word before "GA" that is no Georgian town is left alone.
"""

from __future__ import annotations

import re

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.cues import CUES, FIRST_NAMES, OK_PREV
from socialdesk.triage.places.entry import Entry
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.geo import inside
from socialdesk.triage.places.home import addressed_home
from socialdesk.triage.places.neighbours import Neighbours
from socialdesk.triage.places.vocabulary import word_set

# A capitalised word; a hyphen only inside it ("Buffalo-NY Jets" is no "Buffalo, NY").
_CAP = r"[A-Z][a-z](?:[\w'\u2019]|-(?=\w))*"
# One to three capitalised words ending the text before a qualifier: "Thomaston", "Olmsted Falls".
_CAP_RUN_END = re.compile(rf"((?:{_CAP}[ \t]+){{0,2}}{_CAP})[ \t]*,?[ \t]*$")
# One to three lower-case words ending the text before a state code and a ZIP: "grandview mo 64030".
_LOW_RUN_END = re.compile(r"((?:[a-z][a-z']*[ \t]+){0,2}[a-z][a-z']*)[ \t]*,?[ \t]*$")
_ZIP_AFTER = re.compile(r"\.?,?[ \t]*\d{5}(?:-\d{4})?\b")
# Shop words: a town next to one is a branch's ("our Haddington Superstore", "store in lynnwood").
STORE_WORDS = word_set("store stores branch superstore shop outlet location")
_STORE_AFTER = re.compile(
    r"\b(?:store|stores|branch|superstore|shop|outlet|location)[ \t]+(?:in|at|near)[ \t]+"
    r"([A-Z][a-z][\w'\u2019-]*(?:[ \t]+[A-Z][a-z][\w'\u2019-]*){0,2}|[a-z]{4,}(?:[ \t]+[a-z]{4,})?)",
    re.IGNORECASE,
)
# the whole run between a determiner and the shop word is the town: "our Haddington Superstore"
_STORE_BEFORE = re.compile(
    rf"\b(?:our|the|your|my|this|that|a|at|in|to)[ \t]+({_CAP}(?:[ \t]+{_CAP}){{0,2}})[ \t]+"
    r"(?:superstore|store|branch|Superstore|Store|Branch|Extra|Express|Metro)\b"
)
# A capitalised name after "in/at/near" (matched where the automaton found the word), in a post to a
# company that serves one country.
_LOCAL_NAME = re.compile(rf"[ \t]+({_CAP}(?:[ \t]+{_CAP}){{0,2}})")
# Words that start a longer town's name: "New Weston" is not Weston, "Port Talbot" not Talbot.
NAME_STARTS = word_set("new old north south east west upper lower great little port fort lake mount st saint")
# Capitalised words that start or join a run without being part of a town's name.
_NOT_TOWN_WORDS = OK_PREV | CUES | FIRST_NAMES | word_set("store shop branch superstore the my our your")


class TownCues(Neighbours):
    """The rules that name a small town from a strong cue (scan.Scan runs them)."""

    folded = ""  # the post folded for the automaton, with a space at either end (set by Scan.names)

    def _towns_in(self, key: str, area: Entry) -> tuple[Entry, ...]:
        return tuple(t for t in self.gaz.towns.find(key) if inside(t, area))

    def _runs(self, run: str) -> list[tuple[int, str]]:
        """The run's last three, two and one words, longest first, with their offsets in the run."""
        words = [(m.start(), m.group()) for m in re.finditer(r"\S+", run)]
        out = []
        for n in range(min(3, len(words)), 0, -1):
            first = words[-n][0]
            if n < len(words) and words[-n - 1][1].lower() in NAME_STARTS:
                break  # "New Weston, OH": the town is the whole name or none of it
            if words[-n][1].lower() in _NOT_TOWN_WORDS:
                continue
            out.append((first, run[first:]))
        return out

    def _taken(self, start: int, end: int, judged: bool = False) -> bool:
        """Does the span overlap a name the main rules have taken (or, with `judged`, looked at)?"""
        starts = {p for p, _ in self.accepted} | {p for p, _, _ in self.pending}
        return any(s < end and start < e and (judged or s in starts) for s, e in self.hit_spans)

    def town_before_code(self, start: int, stop: int, code: str) -> None:
        """A town before a US state code: "Thomaston GA", "Henryville, IN", "grandview mo 64030"."""
        before = self.clean[max(0, start - 3) : start].rstrip(" \t")
        if not before or not before.rstrip(",")[-1:].isalpha():
            return  # the common case: no word right before the code
        state = self.gaz.us_states.get(code.upper())
        if state is None:
            return
        if code.isupper():
            pattern = _CAP_RUN_END
        elif code.islower() and _ZIP_AFTER.match(self.clean, stop):
            pattern = _LOW_RUN_END
        else:
            return
        head_start = max(0, start - 50)
        m = pattern.search(self.clean, head_start, start)
        if m is None:
            return
        if code.isupper() and self.shouting:
            return  # "LOVE IN ME": capitals say nothing in a shout
        for offset, name in self._runs(m.group(1)):
            begin = m.start(1) + offset
            if self._taken(begin, begin + len(name)):
                return  # a name the main rules have judged, with this code as its qualifier
            key = normalize(name)
            found = [e for e in self.gaz.lookup(key) if e.kind is PlaceKind.CITY and inside(e, state)]
            found += self._towns_in(key, state)
            if found:
                self.accepted.append((begin, found[0]))
                self.ends.append(begin + len(name))
                return

    def town_before_area(self, start: int, areas: tuple[Entry, ...]) -> bool:
        """A town before a state or country written out: "Henryville, Indiana", "Olmsted Falls, Ohio".
        True if one was found (the area then only says where it is)."""
        m = _CAP_RUN_END.search(self.clean, max(0, start - 50), start)
        if m is None:
            return False
        for offset, name in self._runs(m.group(1)):
            begin = m.start(1) + offset
            if self._taken(begin, begin + len(name)):
                return False
            key = normalize(name)
            for area in areas:
                if area.kind in (PlaceKind.REGION, PlaceKind.COUNTRY):
                    found = self._towns_in(key, area)
                    if found:
                        self.accepted.append((begin, found[0]))
                        self.ends.append(begin + len(name))
                        return True
        return False

    def local_towns(self) -> None:
        """Towns next to a shop word, or after "in/at/near" in a post to a one-country company."""
        folded = self.folded
        if " store" in folded or " branch" in folded or " shop" in folded or " superstore" in folded:
            for m in _STORE_AFTER.finditer(self.clean):
                self._local_town(m.start(1), m.group(1), home_only=False, whole=False)
            for m in _STORE_BEFORE.finditer(self.clean):
                self._local_town(m.start(1), m.group(1), home_only=False, whole=True)
        if self.local_cues and addressed_home(self.text):  # a post to a company that serves one country
            for end in self.local_cues:
                name = _LOCAL_NAME.match(self.clean, end)
                if name is not None:
                    self._local_town(name.start(1), name.group(1), home_only=True, whole=False)

    def _local_town(self, start: int, run: str, home_only: bool, whole: bool) -> None:
        """The longest start of `run` (or with `whole`, all of it) that is a town; after "in/at" in a
        post to a one-country company, only a name the main rules have not judged."""
        words = run.split()
        home = self.home()
        for n in range(len(words), 0 if not whole else len(words) - 1, -1):
            name = " ".join(words[:n])
            if words[0].lower() in _NOT_TOWN_WORDS or self._taken(start, start + len(name), home_only):
                return
            key = normalize(name)
            found = [e for e in self.gaz.lookup(key) if e.kind is PlaceKind.CITY] + list(
                self.gaz.towns.find(key)
            )
            if home:
                found = [e for e in found if e.country == home]
            elif home_only:
                return
            if found:
                best = max(found, key=lambda e: e.population)
                self.accepted.append((start, best))
                self.ends.append(start + len(name))
                return
