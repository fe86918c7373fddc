"""What every request handler needs from the running app, kept on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from socialdesk.config import Settings
from socialdesk.store.db import Database


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    db: Database
    signing_key: bytes
