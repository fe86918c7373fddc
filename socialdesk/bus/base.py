"""The bus protocol: named events after a commit, and agents' presence on cases.

Two implementations sit behind it: `MemoryBus` (one process: the embedded default, and tests) and
`RedisStreamsBus` (several web and worker processes sharing one Redis). Events are delivered at least
once: a reader may see one twice (after a reconnect, or when the database poll repeats an event a
writer in this process already published), so every listener treats them as "look again", never as
"add one".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

# The events the pipeline publishes; listeners are named after them.
CASE_CREATED = "case.created"
CASE_UPDATED = "case.updated"
CASE_DELETED = "case.deleted"
POST_CREATED = "post.created"
POST_UPDATED = "post.updated"
NOTE_CREATED = "note.created"
NOTE_UPDATED = "note.updated"
DRAFT_CREATED = "draft.created"  # a trainee's reply waiting for approval
DRAFT_UPDATED = "draft.updated"  # approved, rejected or edited
HANDOFF_WITHDRAWN = "handoff.withdrawn"  # a private link withdrawn: the customer's page closes
PRESENCE_CHANGED = "presence.changed"

# What an agent on a case is doing; LEFT removes them at once instead of waiting for the TTL.
VIEWING = "viewing"
TYPING = "typing"
LEFT = "left"
PRESENCE_STATES = (VIEWING, TYPING, LEFT)

EventData = Mapping[str, str | int | float | bool | list[str] | None]


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened in a workspace. `id` is given by the bus when it is published."""

    name: str
    workspace_id: int
    data: EventData = field(default_factory=dict)
    id: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    """Events read after a cursor. `gap`: the cursor is older than what the bus still keeps (or from
    another run of it), so some events may be missing and the reader must reload what it shows."""

    events: list[Event]
    gap: bool = False

    @property
    def last_id(self) -> str | None:
        return self.events[-1].id if self.events else None


@dataclass(frozen=True, slots=True)
class Presence:
    """An agent on a case, until `expires_at` (Unix seconds) unless another heartbeat renews it."""

    workspace_id: int
    case_id: int
    agent_id: int
    agent_name: str
    state: str
    expires_at: float


class Bus(Protocol):
    def publish(self, event: Event) -> str:
        """Append the event; returns the id the bus gave it."""
        ...

    def last_id(self) -> str:
        """The id of the newest event, as a cursor for `read` ("from now on")."""
        ...

    def read(self, after: str, timeout: float, limit: int = 500) -> Batch:
        """Events after the cursor, every workspace's; waits up to `timeout` seconds for the first."""
        ...

    def set_presence(self, presence: Presence) -> None:
        """Record (or renew) an agent's presence; state LEFT removes it."""
        ...

    def presence(self, workspace_id: int, case_id: int) -> list[Presence]:
        """Who is on the case now (entries past their expiry are dropped)."""
        ...

    def close(self) -> None: ...
