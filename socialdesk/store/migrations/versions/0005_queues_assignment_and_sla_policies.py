"""Team skills, agents' capacity and online status, assignment, SLA policies per priority with business hours and holidays.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PRIORITY = sa.Enum("low", "normal", "high", "urgent", name="priority", native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("priority", _PRIORITY, nullable=False),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("next_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("business_hours", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_sla_policies_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
        sa.UniqueConstraint("workspace_id", "priority", name=op.f("uq_sla_policies_workspace_id_priority")),
    )
    op.create_table(
        "team_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_holidays_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_team_holidays_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_holidays")),
        sa.UniqueConstraint("team_id", "day", name=op.f("uq_team_holidays_team_id_day")),
    )
    op.create_table(
        "sla_attainments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("priority", _PRIORITY, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_sla_attainments_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_sla_attainments_team_id_teams"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_sla_attainments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_attainments")),
        sa.UniqueConstraint(
            "case_id", "target", "started_at", name=op.f("uq_sla_attainments_case_id_target_started_at")
        ),
    )
    op.create_index(
        "ix_sla_attainments_report", "sla_attainments", ["workspace_id", "target", "due_at"], unique=False
    )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_open_cases", sa.Integer(), server_default="10", nullable=False))
        batch_op.add_column(
            sa.Column("presence", sa.String(length=8), server_default="offline", nullable=False)
        )
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("regions", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("products", sa.String(length=1000), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("assignment_mode", sa.String(length=16), server_default="manual", nullable=False)
        )
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "business_hours",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("round_robin_after", sa.Integer(), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_response_due_at", sa.DateTime(timezone=True), nullable=True))
        for flag in ("first_response_breached", "next_response_breached", "resolution_breached"):
            batch_op.add_column(sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_cases_assignee", ["workspace_id", "assignee_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_assignee")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("escalated_at")
        for flag in ("resolution_breached", "next_response_breached", "first_response_breached"):
            batch_op.drop_column(flag)
        batch_op.drop_column("next_response_due_at")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        for column in (
            "round_robin_after",
            "business_hours",
            "time_zone",
            "assignment_mode",
            "products",
            "regions",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("agents", schema=None) as batch_op:
        for column in ("last_seen_at", "presence", "max_open_cases"):
            batch_op.drop_column(column)
    op.drop_index("ix_sla_attainments_report", table_name="sla_attainments")
    op.drop_table("sla_attainments")
    op.drop_table("team_holidays")
    op.drop_table("sla_policies")
