"""`PlaceFinder`, the package's entry point: places from a post's geo point, text and profile location.

It names the city nearest to a geo point, cleans a post's text (handles, links, e-mail addresses and
support agents' signed initials are never places) and runs the per-post scan over it, and reads a
profile location part by part, where a whole part counts as a place without a cue; the chosen
gazetteer entries become `Place` results, without duplicates. `default_finder` shares one finder in a
process, since indexing the gazetteer takes about a second and a half.
"""

from __future__ import annotations

import math
import re
import threading

from socialdesk.core.types import Place, PlaceKind, PlaceSource
from socialdesk.triage.places.entry import Entry
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.gazetteer import Gazetteer
from socialdesk.triage.places.geo import inside
from socialdesk.triage.places.precision import Candidate, PrecisionFilter
from socialdesk.triage.places.resolution import pick, resolve_at
from socialdesk.triage.places.scan import Scan
from socialdesk.triage.places.vocabulary import word_set

GEO_MAX_KM = 150.0  # farther from any known city, a point is named by its coordinates alone
UNKNOWN_COUNTRY = "ZZ"  # CLDR's "unknown region", for a point far from every city

# Handles, links and e-mail addresses are never places; replaced by a separator so words on either side
# are not read as one name.
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|&\w+;")  # an e-mail loses its @domain part
# A support agent's signed initials ("^UK", "^DC", "*HRO" ending a company's reply) are no places either;
# a pattern of its own, run only on posts with a "^" or "*", since most posts have neither.
_SIGNATURE = re.compile(r"\^\w+|(?<!\S)\*[A-Z]\w*\s*$")
_PROFILE_PARTS = re.compile(
    r"[,|/\u2022\u00b7;&]|\s[-\u2013\u2014]\s|\band\b"
)  # commas, bars, bullets, dashes


class PlaceFinder:
    """Finds places in a post. Build once (about 1.5 s; the small towns add some 15 MB to the index),
    then share between threads."""

    def __init__(
        self, gazetteer: Gazetteer | None = None, precision: PrecisionFilter | bool | None = True
    ) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer()
        # the learned last check (precision.py): True loads the shipped one, False or None runs without
        self.precision = PrecisionFilter.load() if precision is True else precision or None

    def find(
        self, text: str, geo: tuple[float, float] | None = None, user_location: str | None = None
    ) -> list[Place]:
        """Geo point first, then places named in the text, then the profile location; no duplicates."""
        found: list[Place] = []
        if geo is not None:
            point = self.from_geo(*geo)
            if point is not None:
                found.append(point)
        found.extend(self.from_text(text or ""))
        if user_location:
            found.extend(self.from_profile(user_location))
        return _dedupe(found)

    # ---- coordinates ----------------------------------------------------------------------------

    def from_geo(self, lat: float, lon: float) -> Place | None:
        if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
            return None
        if lat == 0.0 and lon == 0.0:  # "null island": a missing fix, not a place
            return None
        city = self.gazetteer.nearest_city(lat, lon, GEO_MAX_KM)
        if city is None:
            return Place(f"{lat:.3f}, {lon:.3f}", lat, lon, UNKNOWN_COUNTRY, PlaceKind.POINT, PlaceSource.GEO)
        return Place(city.name, lat, lon, city.country, PlaceKind.POINT, PlaceSource.GEO)

    # ---- text -----------------------------------------------------------------------------------

    def from_text(self, text: str, source: PlaceSource = PlaceSource.TEXT) -> list[Place]:
        found = self.candidates(text)
        if self.precision is not None:
            found = [c for c in found if self.precision.keep(c)]
        return [_place(c.entry, source) for c in found]

    def candidates(self, text: str) -> list[Candidate]:
        """The places the rules accept in `text`, each with where it is named, before the last check."""
        scan = self._scan(text)
        if scan is None:
            return []
        chosen = resolve_at(scan.accepted, scan.pending, scan.home)
        stops = dict(scan.hit_spans)
        sporty, travel = scan.sporty, scan.travel
        return [
            Candidate(
                scan.clean,
                start,
                stops.get(start) or _word_end(scan.clean, start),
                entry,
                sporty,
                travel,
                start in scan.bare,
                len(chosen),
            )
            for start, entry in chosen
        ]

    def _scan(self, text: str) -> Scan | None:
        """The post's scan, or None when it names no place (most posts)."""
        if not text:
            return None
        noisy = "@" in text or "#" in text or "&" in text or "http" in text or "www." in text
        clean = _NOISE.sub(" | ", text) if noisy else text
        if "^" in clean or "*" in clean:
            clean = _SIGNATURE.sub(" | ", clean)
        scan = Scan(self.gazetteer, text, clean)
        scan.codes()
        scan.names()
        scan.local_towns()
        if scan.listed_before:
            scan.listed_forward()
        scan.state_codes()
        if "#" in text:
            scan.hashtags()
        scan.reply()
        scan.drop_teams()
        return scan if scan.accepted or scan.pending else None

    # ---- profile --------------------------------------------------------------------------------

    def from_profile(self, location: str) -> list[Place]:
        """A profile location is meant as a place, so a whole part ("Reading, UK", "phoenix") counts
        without a cue; parts that are not a name are searched like text ("Born in Texas")."""
        parts = [p.strip() for p in _PROFILE_PARTS.split(location) if p.strip()]
        qualifiers = [self._profile_qualifier(part) for part in parts]
        areas = [q for q in qualifiers if q is not None]
        out: list[Entry] = []
        for part, qualifier in zip(parts, qualifiers, strict=True):
            key = normalize(part)
            entries = () if key in _PROFILE_STOP else self.gazetteer.lookup(key)
            if entries:
                areas += [e for e in entries if e.kind in (PlaceKind.COUNTRY, PlaceKind.REGION)][:1]
                out.append(pick(entries, areas))
            elif qualifier is not None:
                out.append(qualifier)
            else:
                out.extend(_place_entry(p) for p in self.from_text(part, PlaceSource.PROFILE))
        out = [e for e in out if not any(inside(other, e) for other in out if other.kind is not e.kind)]
        return _dedupe([_place(e, PlaceSource.PROFILE) for e in out])

    def _profile_qualifier(self, part: str) -> Entry | None:
        """A part that only qualifies another: a US state or province code, or a country code (NL)."""
        code = part.strip().upper().rstrip(".")
        if len(code) in (2, 3) and code.isalpha():
            gaz = self.gazetteer
            found = gaz.us_states.get(code) or gaz.provinces.get(code)
            if found is None and len(code) == 2:
                found = gaz.countries.get("GB" if code == "UK" else code)
            return found
        return None


_PROFILE_STOP = word_set(
    "earth world worldwide everywhere home here there nowhere somewhere paradise heaven hell"
)


def _word_end(text: str, start: int) -> int:
    match = _TOKEN.match(text, start)
    return match.end() if match else start


_TOKEN = re.compile(r"\S+")


def _place(entry: Entry, source: PlaceSource) -> Place:
    return Place(entry.name, entry.lat, entry.lon, entry.country, entry.kind, source)


def _place_entry(place: Place) -> Entry:
    return Entry(place.name, place.lat, place.lon, place.country, place.kind)


def _dedupe(places: list[Place]) -> list[Place]:
    seen: set[tuple[str, str]] = set()
    out = []
    for place in places:
        key = (place.name.casefold(), place.country)
        if key not in seen:
            seen.add(key)
            out.append(place)
    return out


_lock = threading.Lock()
_finder: PlaceFinder | None = None


def default_finder() -> PlaceFinder:
    """One shared finder, built on first use (the gazetteer takes about 1.5 s to index)."""
    global _finder
    with _lock:
        if _finder is None:
            _finder = PlaceFinder()
        return _finder
