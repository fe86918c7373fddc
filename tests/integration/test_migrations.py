"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from socialdesk.store.models import Base
from socialdesk.store.schema import current_revision, head_revision, upgrade
from tests.conftest import DatabaseFactory


def test_upgrade_creates_the_schema_once_and_then_does_nothing(databases: DatabaseFactory) -> None:
    db = databases.database(upgraded=False)
    assert current_revision(db.engine) is None
    assert upgrade(db.engine) is True
    assert current_revision(db.engine) == head_revision()
    assert upgrade(db.engine) is False


def test_models_and_migrations_do_not_drift(databases: DatabaseFactory) -> None:
    db = databases.database()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "the models changed without a migration: run `make migration`"


def test_lower_changes_every_letter_on_both_databases(databases: DatabaseFactory) -> None:
    # SQLite's own lower() changes only ASCII letters; the store replaces it on each connection.
    db = databases.database(upgraded=False)
    with db.read() as s:
        row = s.execute(text("SELECT lower('WIEN, ÖSTERREICH'), lower('Ñú'), lower(NULL)")).one()
    assert tuple(row) == ("wien, österreich", "ñú", None)
    if db.is_sqlite:  # numbers become text, as with SQLite's own
        with db.read() as s:
            assert s.execute(text("SELECT lower(12.5), lower(x'C384')")).one() == ("12.5", "ä")
