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
from socialdesk.triage.places.entry import CAPS_ALIAS, Entry
from socialdesk.triage.places.geo import inside


def pick(entries: list[Entry] | tuple[Entry, ...], context: list[Entry]) -> Entry:
    """The candidate inside a qualifying region or country, else the first (most likely) one."""
    for qualifier in context:
        for entry in entries:
            if inside(entry, qualifier):
                return entry
    return entries[0]


def resolve_at(
    accepted: list[tuple[int, Entry]],
    pending: list[tuple[int, tuple[Entry, ...], list[Entry]]],
    home: Callable[[], str] = lambda: "",
) -> list[tuple[int, Entry]]:
    """Pick one candidate per name (qualifier, then a country the post names, then the post's home
    country, then the first), drop qualifiers folded into their city, keep text order; each place with
    where in the post it was first named."""
    chosen: list[tuple[int, Entry]] = list(accepted)
    # countries the post is about; airports do not count (a flight goes abroad: "DFW to Paris")
    countries = {e.country for _, e in accepted if e.kind is not PlaceKind.AIRPORT}
    for _, entries, qualifiers in pending:
        if len(entries) == 1 or qualifiers:
            countries.add(pick(entries, qualifiers).country)
    countries.update(_shared_country([entries for _, entries, qualifiers in pending if not qualifiers]))
    folded: set[int] = set()
    for position, entries, qualifiers in pending:
        entry = pick(entries, qualifiers)
        if qualifiers and not any(inside(entry, q) for q in qualifiers):
            if entry.flags & CAPS_ALIAS and entry.country == qualifiers[0].country:
                # "NYC, NJ": a short form is no small town's name, so a list ("Dallas, GA" is a town)
                chosen.append((position, entry))
            entry = qualifiers[0]  # "Salisbury Mass": a town too small to know, in a state we know
        elif not qualifiers and entry.country not in countries:
            local = [
                e
                for e in entries
                if e.country in countries and e.kind is entry.kind and not _dwarfed(e, entry)
            ]
            if not local and any(e.country != entry.country for e in entries):
                country = home()  # "@Morrisons Perth.": a British shop's Perth is in Scotland
                local = [e for e in entries if e.country == country and e.kind is entry.kind]
            entry = local[0] if local else entry
        folded.update(id(q) for q in qualifiers if inside(entry, q))
        chosen.append((position, entry))
    chosen.sort(key=lambda pair: pair[0])
    cities = [e for _, e in chosen if e.kind is PlaceKind.CITY]
    out: list[tuple[int, Entry]] = []
    for position, entry in chosen:
        if id(entry) in folded:
            continue  # "Paris, France": France only says which Paris
        if entry.kind is PlaceKind.REGION and any(inside(city, entry) for city in cities):
            continue  # "Tampa Florida": Florida only qualifies Tampa
        if all(entry != other for _, other in out):
            out.append((position, entry))
    return out


def _shared_country(names: list[tuple[Entry, ...]]) -> set[str]:
    """The country that two or more names with namesakes abroad have in common, where their first
    candidates disagree: "delays at Preston ... through Lancaster" are both in Britain, though the
    bigger Lancaster is in California."""
    doubtful = [entries for entries in names if len({e.country for e in entries}) > 1]
    if len(doubtful) < 2:
        return set()
    firsts = {entries[0].country for entries in doubtful}
    shared = [c for c in firsts if all(any(e.country == c for e in entries) for entries in doubtful)]
    return set(shared) if len(firsts) > 1 and len(shared) == 1 else set()


def _dwarfed(namesake: Entry, top: Entry) -> bool:
    """A namesake a hundred times smaller than the city first ranked is no reading a country named
    elsewhere in the post can force: a "US lady" tweeting in Moscow is in Russia, not in Idaho (a
    qualifier or the brand's home still can: "Moscow, ID", "@Morrisons Perth")."""
    return top.kind is PlaceKind.CITY and namesake.population * 100 < top.population
