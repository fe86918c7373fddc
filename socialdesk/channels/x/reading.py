"""Reading X's JSON carefully: ids, times, texts, places and languages, whatever shape they come in.

Shared by the API v2 parser (parsing.py) and the Account Activity one (account_activity.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from socialdesk.channels.base import Account, optional_int
from socialdesk.core.errors import PayloadError
from socialdesk.core.types import Direction, Geo, InboundEvent

log = logging.getLogger(__name__)

NETWORK = "x"
# Snowflake ids carry their creation time: milliseconds since X's epoch, shifted left 22 bits
# (https://docs.x.com/resources/fundamentals/x-ids). Used only when a payload leaves out created_at.
_SNOWFLAKE_EPOCH_MS = 1288834974657
# Ids from before snowflakes (sequential, below ~3e10) decode to the epoch's first seconds.
_FIRST_SNOWFLAKE = datetime(2010, 11, 4, 2, 0, tzinfo=UTC)
# X's language labels that name no language: undetermined, no linguistic content, and the q* codes for
# posts made only of media, cashtags, hashtags, mentions or links.
_NO_LANGUAGE = {"und", "zxx", "art", "qam", "qct", "qht", "qme", "qst"}
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}


def unescape(text: str) -> str:
    """X's text with the three entities it encodes decoded, in one pass (`&amp;lt;` stays `&lt;`)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def error_summary(errors: Any) -> str:
    """The first of X's problem objects as one line (`title: detail`)."""
    first = errors[0] if isinstance(errors, list) and errors else errors
    if isinstance(first, dict):
        parts = [str(first[k]) for k in ("title", "detail", "message") if first.get(k)]
        if parts:
            return ": ".join(dict.fromkeys(parts))
    return str(first)[:300]


@dataclass(frozen=True, slots=True)
class Brand:
    """Whose account the payload belongs to: decides direction and the post's channel."""

    user_id: str | None
    handle: str | None

    @staticmethod
    def of(account: Account | None, for_user_id: str | None) -> Brand:
        if account is not None:
            return Brand(account.external_id or for_user_id, account.handle)
        return Brand(for_user_id, None)

    def direction(self, author_id: str) -> Direction:
        return Direction.OUTBOUND if self.user_id and author_id == self.user_id else Direction.INBOUND


def each(
    items: Iterable[Any], parse_one: Callable[[Any], InboundEvent | None], what: str
) -> list[InboundEvent]:
    """Parse every item of a list; a broken item is skipped (and logged) unless every item is broken,
    so one odd post cannot hold back a whole page or delivery."""
    events: list[InboundEvent] = []
    errors: list[PayloadError] = []
    count = 0
    for item in items:
        count += 1
        try:
            event = parse_one(item)
        except PayloadError as exc:
            errors.append(exc)
            continue
        if event is not None:
            events.append(event)
    if errors and len(errors) == count:
        raise errors[0]
    for error in errors:
        log.warning("skipped an X %s: %s", what, error)
    return events


def one_to_one(a: str, b: str | None) -> str | None:
    """X's id of the one-to-one conversation of two users: the lower id, a dash, the higher."""
    if not b or not a.isdigit() or not b.isdigit():
        return None
    low, high = sorted((a, b), key=int)
    return f"{low}-{high}"


# --- small readers ------------------------------------------------------------------------------


def need_id(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise PayloadError(f"{what} has no {key}")
    return str(value)


def need_id_str(obj: dict[str, Any], what: str) -> str:
    """v1.1 ids: `id_str`, since the numeric `id` loses digits in many JSON readers."""
    value = obj.get("id_str")
    if isinstance(value, str) and value:
        return value
    return need_id(obj, "id", what)


def opt_str(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def as_obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def language(value: Any) -> str | None:
    if not isinstance(value, str) or not value or value in _NO_LANGUAGE:
        return None
    return value[:8]


def geojson_point(value: Any) -> Geo | None:
    """A GeoJSON point: `coordinates` are [longitude, latitude]."""
    if not isinstance(value, dict) or value.get("type") != "Point":
        return None
    pair = value.get("coordinates")
    if not isinstance(pair, list) or len(pair) != 2:
        return None
    return _geo(lat=pair[1], lon=pair[0])


def lat_lon(pair: Any) -> Geo | None:
    """v1.1's deprecated `geo.coordinates`, which is [latitude, longitude]."""
    if not isinstance(pair, list) or len(pair) != 2:
        return None
    return _geo(lat=pair[0], lon=pair[1])


def _geo(lat: Any, lon: Any) -> Geo | None:
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Geo(lat=float(lat), lon=float(lon))


def created(
    value: Any, object_id: str, parse_time: Callable[[str], datetime | None], millis: Any = None
) -> datetime:
    """When it was posted: the payload's time, else its epoch milliseconds, else the snowflake id."""
    if isinstance(value, str):
        parsed = parse_time(value)
        if parsed is not None:
            return parsed
    ms = optional_int(millis)
    if ms is not None:
        return from_millis(ms)
    from_id = snowflake_time(object_id)
    if from_id is None:
        raise PayloadError(f"{object_id} has no readable creation time ({value!r})")
    return from_id


def iso_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def v1_time(value: str) -> datetime | None:
    """`Wed Oct 10 20:19:24 +0000 2018`, read without the locale (strptime's %a/%b depend on it)."""
    parts = value.split()
    if len(parts) != 6 or parts[1] not in _MONTHS:
        return iso_time(value)
    try:
        hour, minute, second = (int(p) for p in parts[3].split(":"))
        offset = parts[4]
        sign = -1 if offset.startswith("-") else 1
        shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
        local = datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]), hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    return local - shift


def from_millis(ms: int) -> datetime:
    try:
        return datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError(f"{ms} is not a time in epoch milliseconds") from exc


def snowflake_time(object_id: str) -> datetime | None:
    """The creation time a snowflake id encodes; None for ids older than snowflakes or not numeric."""
    if not object_id.isdigit() or len(object_id) > 19:
        return None
    moment = datetime.fromtimestamp(((int(object_id) >> 22) + _SNOWFLAKE_EPOCH_MS) / 1000, UTC)
    return moment if moment >= _FIRST_SNOWFLAKE else None
