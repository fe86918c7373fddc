"""Storage: SQLAlchemy models, the repositories that read them, and the Alembic migrations."""
