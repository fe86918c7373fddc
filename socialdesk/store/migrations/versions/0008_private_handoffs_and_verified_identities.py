"""Public-to-private hand-offs: signed links, one-time codes, verified identities.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "private_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public_post_id", sa.Integer(), nullable=True),
        sa.Column("bound_subject", sa.String(length=400), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("private_handoffs", "agent_id", "agents", "SET NULL"),
        _fk("private_handoffs", "case_id", "cases", "CASCADE"),
        _fk("private_handoffs", "customer_id", "customers", "CASCADE"),
        _fk("private_handoffs", "public_post_id", "posts", "SET NULL"),
        _fk("private_handoffs", "workspace_id", "workspaces", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_handoffs")),
        sa.UniqueConstraint("case_id", name=op.f("uq_private_handoffs_case_id")),
    )
    op.create_index(
        op.f("ix_private_handoffs_workspace_id"), "private_handoffs", ["workspace_id"], unique=False
    )
    op.create_table(
        "private_handoff_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("public_reply", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("private_handoff_settings", "workspace_id", "workspaces", "CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_private_handoff_settings")),
    )
    op.create_table(
        "private_sign_in_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("private_sign_in_codes", "handoff_id", "private_handoffs", "CASCADE"),
        _fk("private_sign_in_codes", "workspace_id", "workspaces", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_sign_in_codes")),
    )
    op.create_index(
        "ix_private_sign_in_codes_handoff_created",
        "private_sign_in_codes",
        ["handoff_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "verified_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=True),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=320), nullable=False),
        sa.Column("conflict_customer_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        _fk("verified_identities", "conflict_customer_id", "customers", "SET NULL"),
        _fk("verified_identities", "customer_id", "customers", "CASCADE"),
        _fk("verified_identities", "handoff_id", "private_handoffs", "SET NULL"),
        _fk("verified_identities", "identity_id", "identities", "SET NULL"),
        _fk("verified_identities", "workspace_id", "workspaces", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verified_identities")),
        sa.UniqueConstraint(
            "subject",
            "method",
            "customer_id",
            "workspace_id",
            name=op.f("uq_verified_identities_subject_method_customer_id_workspace_id"),
        ),
    )
    op.create_index(
        op.f("ix_verified_identities_customer_id"), "verified_identities", ["customer_id"], unique=False
    )
    op.create_table(
        "private_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("verified_identity_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("private_sessions", "handoff_id", "private_handoffs", "CASCADE"),
        _fk("private_sessions", "verified_identity_id", "verified_identities", "CASCADE"),
        _fk("private_sessions", "workspace_id", "workspaces", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_sessions")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_private_sessions_token_digest")),
    )
    op.create_index(op.f("ix_private_sessions_handoff_id"), "private_sessions", ["handoff_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_private_sessions_handoff_id"), table_name="private_sessions")
    op.drop_table("private_sessions")
    op.drop_index(op.f("ix_verified_identities_customer_id"), table_name="verified_identities")
    op.drop_table("verified_identities")
    op.drop_index("ix_private_sign_in_codes_handoff_created", table_name="private_sign_in_codes")
    op.drop_table("private_sign_in_codes")
    op.drop_table("private_handoff_settings")
    op.drop_index(op.f("ix_private_handoffs_workspace_id"), table_name="private_handoffs")
    op.drop_table("private_handoffs")
