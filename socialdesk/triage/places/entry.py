"""What the gazetteer knows about one place: the `Entry` record and the flags that qualify its name.

An entry is what a name in the index points to and what the scanning rules judge: its kind, country,
coordinates and population, and flags that say how far its name can be trusted on its own (also a
common word, an alternate name, a brand, an airport name that needs "airport" next to it). The index
that builds entries and the rules that read them both depend on it, so it lives apart from either.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialdesk.core.types import PlaceKind

# Entry flags.
AMBIGUOUS = 1  # also a common word, a person's name or a brand: needs a location cue around it
FAMOUS_AIRPORT = 2  # an airport name that means the airport on its own (Heathrow, Schiphol)
AIRPORT_NAME = 4  # an airport name that needs "airport" next to it (Indira Gandhi, Chopin)
MAJOR = 8  # an airport that serves a city of 100,000+ people or calls itself international
CAPS_ALIAS = 16  # a short capitalised alias (USA, UK, NYC) that may be matched in capitals
ALTERNATE = 32  # indexed under an alternate name (München, Bombay): ranks below every primary name
BRAND = 64  # a brand or a person first (Toyota, Delta, Kobe): only "in Toyota", never "at Toyota"


@dataclass(frozen=True, slots=True)
class Entry:
    """One place the gazetteer knows. `region` is the US state code (or province) where known."""

    name: str
    lat: float
    lon: float
    country: str
    kind: PlaceKind
    population: int = 0
    region: str = ""
    flags: int = 0
    code: str = ""  # IATA code of an airport
