"""Whether a customer belongs to a segment: a pure function of the filter and the customer's facts.

`store.repos.customers.segment_condition` says the same thing in SQL, for listing and counting
members; the two are tested against each other on the same data. Text comparisons are
case-insensitive. (SQLite's LOWER only folds ASCII letters, so a location typed with a different
case of a non-ASCII letter may match here and in PostgreSQL but not in SQLite.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from socialdesk.core.clock import utcnow
from socialdesk.core.segments import CustomerFacts, SegmentFilter


def matches(segment_filter: SegmentFilter, facts: CustomerFacts, now: datetime | None = None) -> bool:
    """True when every condition the filter sets holds for the customer."""
    f = segment_filter
    if f.countries and not facts.countries & set(f.countries):
        return False
    if f.location:
        wanted = f.location.lower()
        if not any(wanted in place.lower() for place in facts.locations):
            return False
    if f.languages and not facts.languages & set(f.languages):
        return False
    if f.products and not facts.products & set(f.products):
        return False
    if f.intents and not facts.intents & set(f.intents):
        return False
    if f.complaint is not None and facts.has_complaint != f.complaint:
        return False
    if f.tags and not set(f.tags) <= facts.tags:
        return False
    if any(facts.attributes.get(key) != value for key, value in f.attributes):
        return False
    if f.networks and not facts.networks & set(f.networks):
        return False
    if f.has_open_case is not None and facts.has_open_case != f.has_open_case:
        return False
    if f.active_within_days is not None:
        since = (now or utcnow()) - timedelta(days=f.active_within_days)
        if facts.last_active_at is None or facts.last_active_at < since:
            return False
    return True
