"""Coordinates: the distance between two points, and whether a place lies inside a region or country.

The gazetteer uses the distance to find the city nearest to a geo point and to tie an airport to its
city; the scanning rules use containment to tell which of several places of one name a qualifier means
("Paris, TX") and to drop a region that only qualifies a city named with it. A region's entry is a
single point (the centre of its airports), so where no state code settles it, inside means within
700 km of that point.
"""

from __future__ import annotations

import math

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.entry import Entry


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def inside(entry: Entry, area: Entry) -> bool:
    if entry.country != area.country or entry is area:
        return False
    if area.kind is PlaceKind.COUNTRY:
        return True
    if area.kind is PlaceKind.REGION:
        if area.region and entry.region:
            return entry.region == area.region
        return distance_km(entry.lat, entry.lon, area.lat, area.lon) < 700
    return False
