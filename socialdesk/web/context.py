"""What every request handler needs from the running app, kept on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from socialdesk.config import Settings
from socialdesk.pipeline.credentials import Vault
from socialdesk.store.db import Database


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    db: Database
    signing_key: bytes
    vault: Vault | None = None  # None: no SOCIALDESK_CREDENTIALS_KEY, so no channel can be connected
