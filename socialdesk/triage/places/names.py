"""The names a place is indexed under besides its own: spelling variants, alternate names, airport aliases.

The packages give a place its official name; posts say "St Louis", "Bombay" or "Heathrow". These
functions derive the extra keys while the gazetteer is built, and turn away those that would do more
harm than good (transliterations, translated nicknames such as "Big Apple", what is left of an airport
named after a person unless "airport" is next to it); they also tell which region names are too
generic ("Central", "North Coast") to count without a location cue.
"""

from __future__ import annotations

import re

from socialdesk.triage.places.entry import AIRPORT_NAME, MAJOR, Entry
from socialdesk.triage.places.folding import NON_WORD, normalize
from socialdesk.triage.places.vocabulary import AIRPORT_GENERIC, AMBIGUOUS_NAMES, word_set


def variants(key: str) -> list[str]:
    """Spelling variants people use: Saint/St, Fort/Ft, Mount/Mt, with or without an apostrophe space."""
    out = [key]
    for long, short in (("saint ", "st "), ("sainte ", "ste "), ("fort ", "ft "), ("mount ", "mt ")):
        if key.startswith(long):
            out.append(short + key[len(long) :])
    return out


_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f .'\u2019-]*$")
_ALT_NOISE = ("lungsod", "kota ", "bandar ", "thanh pho", "dakbayan", "cathair", "comune di", "gemeente")


_ALT_PLAIN_WORDS = word_set(
    "white black red green blue big little great old new house apple city town village holy"
)


def alternate_key(alternate: str) -> str:
    """An alternate name worth indexing: Latin script, capitalised, not a code, at most three words."""
    if len(alternate) < 4 or not alternate[0].isupper() or alternate.isupper() or not _LATIN.match(alternate):
        return ""
    key = NON_WORD.sub(" ", alternate.lower()).strip() if alternate.isascii() else normalize(alternate)
    if key.count(" ") > 2 or any(noise in key for noise in _ALT_NOISE):
        return ""
    if " " in key and not _ALT_PLAIN_WORDS.isdisjoint(key.split()):
        return ""  # translated nicknames: "White House" (Casablanca), "Big Apple"
    return key


_GENERIC_REGION_WORDS = word_set(
    """north south east west northern southern eastern western central centre center capital coast region
    district islands upper lower plateau rivers far mid province state gulf"""
)


def is_generic_region(key: str) -> bool:
    """A region named by generic words only ("Central", "North West", "Western Province"); a compass
    word before a proper name ("North Carolina", "West Bengal") is that region's own name."""
    return _GENERIC_REGION_WORDS.issuperset(key.split())


def airport_aliases(name: str, city_key: str, staging: dict[str, list[Entry]]) -> list[tuple[str, int]]:
    """What people call an airport, from its official name: "London Heathrow" and "Heathrow"."""
    out: list[tuple[str, int]] = []
    for part in re.split(r"\s*/\s*|\s+-\s+|\s*\u2013\s*|\(|\)", name):
        words = [w for w in normalize(part).split() if w not in AIRPORT_GENERIC]
        if not words:
            continue
        full = " ".join(words)
        city_words = city_key.split()
        rest = words
        if city_words and words[: len(city_words)] == city_words:
            rest = words[len(city_words) :]
            if rest:
                out.append((full, MAJOR))  # "london heathrow", "chicago o hare": distinctive as they are
        else:
            rest = [w for w in words if w not in city_words]
        remainder = " ".join(rest)
        if not remainder or remainder in staging or remainder in AMBIGUOUS_NAMES or len(remainder) < 4:
            continue
        out.append((remainder, MAJOR | AIRPORT_NAME))
    return out
