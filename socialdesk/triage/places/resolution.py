"""Choosing one place per name: the candidate that a qualifier or the post's other places point to.

Many names have several candidates (Paris in France and in Texas, Georgia the state and the country).
A qualifier written next to the name decides first, then a country the post already names, then the
country the post is at home in (home.py: a British shop's Perth is in Scotland), then the gazetteer's
ranking (most likely first); a qualifier folded into its city ("Paris, France") and a
region that only qualifies a city named with it are dropped, and the places keep their text order.
"""

from __future__ import annotations

from collections.abc import Callable

from socialdesk.core.types import PlaceKind
from socialdesk.triage.places.entry import Entry
from socialdesk.triage.places.geo import inside


def pick(entries: list[Entry] | tuple[Entry, ...], context: list[Entry]) -> Entry:
    """The candidate inside a qualifying region or country, else the first (most likely) one."""
    for qualifier in context:
        for entry in entries:
            if inside(entry, qualifier):
                return entry
    return entries[0]


def resolve(
    accepted: list[tuple[int, Entry]],
    pending: list[tuple[int, tuple[Entry, ...], list[Entry]]],
    home: Callable[[], str] = lambda: "",
) -> list[Entry]:
    """Pick one candidate per name (qualifier, then a country the post names, then the post's home
    country, then the first), drop qualifiers folded into their city, keep text order."""
    chosen: list[tuple[int, Entry]] = list(accepted)
    # countries the post is about; airports do not count (a flight goes abroad: "DFW to Paris")
    countries = {e.country for _, e in accepted if e.kind is not PlaceKind.AIRPORT}
    for _, entries, qualifiers in pending:
        if len(entries) == 1 or qualifiers:
            countries.add(pick(entries, qualifiers).country)
    folded: set[int] = set()
    for position, entries, qualifiers in pending:
        entry = pick(entries, qualifiers)
        if qualifiers and not any(inside(entry, q) for q in qualifiers):
            entry = qualifiers[0]  # "Salisbury Mass": a town too small to know, in a state we know
        elif not qualifiers and entry.country not in countries:
            local = [e for e in entries if e.country in countries and e.kind is entry.kind]
            if not local and any(e.country != entry.country for e in entries):
                country = home()  # "@Morrisons Perth.": a British shop's Perth is in Scotland
                local = [e for e in entries if e.country == country and e.kind is entry.kind]
            entry = local[0] if local else entry
        folded.update(id(q) for q in qualifiers if inside(entry, q))
        chosen.append((position, entry))
    chosen.sort(key=lambda pair: pair[0])
    cities = [e for _, e in chosen if e.kind is PlaceKind.CITY]
    out: list[Entry] = []
    for _, entry in chosen:
        if id(entry) in folded:
            continue  # "Paris, France": France only says which Paris
        if entry.kind is PlaceKind.REGION and any(inside(city, entry) for city in cities):
            continue  # "Tampa Florida": Florida only qualifies Tampa
        if entry not in out:
            out.append(entry)
    return out
