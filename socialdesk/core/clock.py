"""The one place that reads the wall clock, so that every timestamp is timezone-aware UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return `value` in UTC; a naive value is taken to be UTC already.

    SQLite hands back naive datetimes even for columns declared with a timezone, so values read from
    the store pass through here before they are compared with aware ones.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
