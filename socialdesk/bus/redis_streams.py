"""The bus for several processes: one Redis stream of events, and a hash of presence per case.

Every web and worker process appends to the same stream (`XADD`, trimmed to about `keep` entries);
each web process reads it from where it last was (`XREAD BLOCK`). Stream ids order the events; a
cursor older than the oldest entry left (once anything was trimmed) is reported as a gap instead of
silently skipping the trimmed events.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, cast

import redis

from socialdesk.bus.base import LEFT, Batch, Event, Presence
from socialdesk.core.errors import ConfigError

DEFAULT_KEEP = 10_000
_STREAM_ID = re.compile(r"^\d+-\d+$")


def _order(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq)


class RedisStreamsBus:
    def __init__(self, url: str, *, prefix: str = "socialdesk", keep: int = DEFAULT_KEEP) -> None:
        try:
            # The socket timeout outlasts the longest XREAD BLOCK, so a quiet stream is not an error.
            self._redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30)
        except ValueError as exc:
            raise ConfigError(f"SOCIALDESK_REDIS_URL is not a Redis URL: {exc}") from None
        self._stream = f"{prefix}:events"
        self._prefix = prefix
        self._keep = keep

    def ping(self) -> None:
        self._redis.ping()

    def publish(self, event: Event) -> str:
        fields = {"name": event.name, "ws": str(event.workspace_id), "data": json.dumps(dict(event.data))}
        event_id = self._redis.xadd(self._stream, fields, maxlen=self._keep, approximate=True)  # type: ignore[arg-type]
        return str(event_id)

    def _info(self) -> dict[str, Any] | None:
        try:
            info: dict[str, Any] = self._redis.xinfo_stream(self._stream)
            return info
        except redis.ResponseError:  # no such stream yet: nothing was ever published
            return None

    def last_id(self) -> str:
        info = self._info()
        return str(info["last-generated-id"]) if info else "0-0"

    def _gap(self, after: str) -> bool:
        info = self._info()
        if info is None:
            return after != "0-0"
        cursor = _order(after)
        if cursor > _order(str(info["last-generated-id"])):
            return True  # from a stream that was since deleted and made anew
        if _order(str(info.get("max-deleted-entry-id", "0-0"))) > cursor:
            return True  # an entry after the cursor was deleted
        first = info.get("first-entry")
        removed = int(info.get("entries-added", 0)) > int(info["length"])
        # The cursor's own entry was trimmed (it is older than the first one left): what followed it
        # may have been trimmed too.
        return bool(removed and first and _order(str(first[0])) > cursor)

    def read(self, after: str, timeout: float, limit: int = 500) -> Batch:
        if not _STREAM_ID.match(after):
            return Batch([], gap=True)
        gap = self._gap(after)
        block = max(1, int(timeout * 1000)) if timeout > 0 else None
        answer = cast(
            list[tuple[str, list[tuple[str, dict[str, str]]]]],
            self._redis.xread({self._stream: after}, count=limit, block=block),
        )
        events = [
            Event(fields["name"], int(fields["ws"]), json.loads(fields["data"]), event_id)
            for _, entries in answer or []
            for event_id, fields in entries
        ]
        return Batch(events, gap=gap)

    def _presence_key(self, workspace_id: int, case_id: int) -> str:
        return f"{self._prefix}:presence:{workspace_id}:{case_id}"

    def set_presence(self, presence: Presence) -> None:
        key = self._presence_key(presence.workspace_id, presence.case_id)
        if presence.state == LEFT:
            self._redis.hdel(key, str(presence.agent_id))
            return
        value = json.dumps(
            {"name": presence.agent_name, "state": presence.state, "expires_at": presence.expires_at}
        )
        pipe = self._redis.pipeline()
        pipe.hset(key, str(presence.agent_id), value)
        # The whole hash goes once nobody renews anything on the case; single entries expire on read.
        pipe.expire(key, max(1, int(presence.expires_at - time.time()) + 5))
        pipe.execute()

    def presence(self, workspace_id: int, case_id: int) -> list[Presence]:
        key = self._presence_key(workspace_id, case_id)
        now = time.time()
        found: list[Presence] = []
        expired: list[str] = []
        for agent_id, raw in cast(dict[str, str], self._redis.hgetall(key)).items():
            entry = json.loads(raw)
            if float(entry["expires_at"]) <= now:
                expired.append(agent_id)
                continue
            found.append(
                Presence(
                    workspace_id, case_id, int(agent_id), entry["name"], entry["state"], entry["expires_at"]
                )
            )
        if expired:
            self._redis.hdel(key, *expired)
        return sorted(found, key=lambda p: p.agent_name)

    def close(self) -> None:
        self._redis.close()
