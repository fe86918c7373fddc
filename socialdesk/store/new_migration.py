"""Write a new Alembic migration from the difference between the models and a fresh database.

Run through `make migration m="what changed"`; review the file it writes before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from socialdesk.store.db import Database
from socialdesk.store.schema import alembic_config, upgrade


def main(message: str) -> None:
    if not message.strip():
        raise SystemExit('usage: make migration m="what changed"')
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'head.db'}"
        db = Database(url)
        upgrade(db.engine)
        db.dispose()
        command.revision(alembic_config(url), message=message, autogenerate=True)


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]))
