"""Shared fixtures: real databases (a throwaway SQLite file and a throwaway PostgreSQL database per run),
and the shared data folder read in place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from socialdesk.store.db import Database
from socialdesk.store.models import Base
from socialdesk.store.schema import upgrade

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SOCIALDESK_SHARED", REPO.parent / "shared"))
TWCS_SAMPLE = SHARED / "data" / "twcs-sample" / "twcs_first5000.csv"
FIXTURES = Path(__file__).parent / "fixtures"
PG_SERVER = os.environ.get("SOCIALDESK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


@pytest.fixture(scope="session")
def twcs_sample() -> Path:
    if not TWCS_SAMPLE.is_file():
        pytest.skip(f"the shared TWCS sample is not at {TWCS_SAMPLE} (../shared is absent)")
    return TWCS_SAMPLE


def _pg_admin() -> Database | None:
    admin = Database(f"{PG_SERVER}/postgres")
    try:
        with admin.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        admin.dispose()
        return None
    return admin


class PostgresServer:
    """The real PostgreSQL server; makes and drops throwaway databases."""

    def __init__(self, admin: Database) -> None:
        self.admin = admin
        self.created: list[str] = []

    def create(self) -> str:
        name = f"socialdesk_test_{os.getpid()}_{secrets.token_hex(4)}"
        with self.admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return f"{PG_SERVER}/{name}"

    def drop_all(self) -> None:
        with self.admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    admin = _pg_admin()
    if admin is None:
        pytest.skip(f"no PostgreSQL server answers at {PG_SERVER} (start it to run the PostgreSQL tests)")
    server = PostgresServer(admin)
    yield server
    server.drop_all()


class DatabaseFactory:
    """Fresh, upgraded databases of one backend, each removed at the end of the run."""

    def __init__(self, backend: str, tmp: Path, postgres: PostgresServer | None) -> None:
        self.backend = backend
        self.tmp = tmp
        self.postgres = postgres
        self.count = 0
        self.opened: list[Database] = []

    def url(self) -> str:
        self.count += 1
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / f'db{self.count}.sqlite'}"
        assert self.postgres is not None
        return self.postgres.create()

    def database(self, *, upgraded: bool = True) -> Database:
        """A new database of this backend, closed at the end of the run."""
        db = Database(self.url())
        if upgraded:
            upgrade(db.engine)
        self.opened.append(db)
        return db

    def close(self) -> None:
        for db in self.opened:
            db.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def databases(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[DatabaseFactory]:
    postgres = request.getfixturevalue("postgres") if backend == "postgresql" else None
    factory = DatabaseFactory(backend, tmp_path_factory.mktemp(f"db-{backend}"), postgres)
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def _shared_db(databases: DatabaseFactory) -> Database:
    return databases.database()


@pytest.fixture
def db(_shared_db: Database) -> Database:
    """An upgraded database of the current backend, emptied before the test."""
    with _shared_db.write() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
    return _shared_db
