"""Engines and transactions for SQLite (the embedded default) and PostgreSQL.

Two kinds of transaction: `read()` for pages and reports, `write()` for anything that changes rows.
On SQLite a write transaction starts with BEGIN IMMEDIATE, so that two writers queue for the lock
instead of failing when a read lock would have to be upgraded; WAL lets readers go on meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_WRITE_OPTION = "socialdesk_write"


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    if not _is_sqlite(url):
        return create_engine(url, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit has reached the disk before we acknowledge the post it stored.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # SQLite's own lower() changes only ASCII letters, so a search for "münchen" missed "MÜNCHEN"
        # (PostgreSQL lower-cases every letter). No index is built on lower(), so replacing it changes
        # no stored order; it costs a Python call per row searched.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _lower(value: object) -> str | None:
    """SQL lower() with Python's Unicode lower-casing. Like SQLite's own, it gives text for numbers
    and blobs (read as UTF-8) and NULL for NULL."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).lower()


class Database:
    """The store: one engine and the two kinds of transaction on it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = _is_sqlite(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits when the block ends and rolls back if it raises."""
        with self._write() as session, session.begin():
            yield session

    def lock_workspace(self, session: Session, workspace_id: int) -> None:
        """Serialise writers of one workspace's threads until the transaction ends.

        Threading reads and then rewrites conversations; two deliveries of one thread at once must not
        both decide to start it. SQLite's BEGIN IMMEDIATE already serialises writers; on PostgreSQL a
        transaction-scoped advisory lock does the same for one workspace.
        """
        if not self.is_sqlite:
            session.execute(text("SELECT pg_advisory_xact_lock(7301, :ws)"), {"ws": workspace_id})

    def dispose(self) -> None:
        self.engine.dispose()
