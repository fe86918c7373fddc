"""Channel connections (credentials, status, health), poll cursors, the outbox, edits and deletions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 07:19:53.202232
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    #
    op.create_table(
        "channel_cursors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_account_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_account_id"],
            ["channel_accounts.id"],
            name=op.f("fk_channel_cursors_channel_account_id_channel_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_channel_cursors_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_cursors")),
        sa.UniqueConstraint(
            "channel_account_id", "source", name=op.f("uq_channel_cursors_channel_account_id_source")
        ),
    )
    with op.batch_alter_table("channel_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=320), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="archive", nullable=False)
        )
        batch_op.add_column(sa.Column("credentials", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "settings",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("poll_lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_followers", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("delivery_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("send_attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_send_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("send_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("send_outcome_unknown", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.create_index("ix_posts_outbox", ["delivery_status", "next_send_at"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_posts_delivery_key"), ["delivery_key"])


def downgrade() -> None:
    #
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_posts_delivery_key"), type_="unique")
        batch_op.drop_index("ix_posts_outbox")
        batch_op.drop_column("send_outcome_unknown")
        batch_op.drop_column("send_error")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("send_started_at")
        batch_op.drop_column("next_send_at")
        batch_op.drop_column("send_attempts")
        batch_op.drop_column("delivery_key")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("edited_at")
        batch_op.drop_column("author_followers")

    with op.batch_alter_table("channel_accounts", schema=None) as batch_op:
        batch_op.drop_column("next_poll_at")
        batch_op.drop_column("poll_lease_until")
        batch_op.drop_column("last_error")
        batch_op.drop_column("last_error_at")
        batch_op.drop_column("last_success_at")
        batch_op.drop_column("settings")
        batch_op.drop_column("credentials")
        batch_op.drop_column("status")
        batch_op.drop_column("external_id")

    op.drop_table("channel_cursors")
