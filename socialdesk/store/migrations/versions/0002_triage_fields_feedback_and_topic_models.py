"""Triage fields on posts and cases, agents' triage feedback, workspace topic models.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:03:25.695157
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "topic_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("labels", sa.String(length=4000), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_topic_models_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_models")),
    )
    with op.batch_alter_table("topic_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_models_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "triage_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("model_value", sa.String(length=100), nullable=True),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_triage_feedback_agent_id_agents"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_triage_feedback_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_triage_feedback_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_feedback")),
    )
    with op.batch_alter_table("triage_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_triage_feedback_post_id"), ["post_id"], unique=False)
        batch_op.create_index("ix_triage_feedback_workspace_field", ["workspace_id", "field"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "sentiment",
                sa.Enum("negative", "neutral", "positive", name="sentiment", native_enum=False, length=16),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "intent",
                sa.Enum(
                    "complaint",
                    "question",
                    "request",
                    "praise",
                    "feedback",
                    "other",
                    name="intent",
                    native_enum=False,
                    length=16,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("is_complaint", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("place_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("place_country", sa.String(length=2), nullable=True))
        batch_op.create_index("ix_cases_urgency", ["workspace_id", "status", "urgency"], unique=False)

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sentiment",
                sa.Enum("negative", "neutral", "positive", name="sentiment", native_enum=False, length=16),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "sentiment_scores",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "intent",
                sa.Enum(
                    "complaint",
                    "question",
                    "request",
                    "praise",
                    "feedback",
                    "other",
                    name="intent",
                    native_enum=False,
                    length=16,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("is_complaint", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("urgency", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "triage",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("triage_tier", sa.String(length=16), nullable=True))

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("accurate_triage", sa.String(length=8), server_default="inbox", nullable=False)
        )


def downgrade() -> None:

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("accurate_triage")

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("triage_tier")
        batch_op.drop_column("triage")
        batch_op.drop_column("urgency")
        batch_op.drop_column("is_complaint")
        batch_op.drop_column("intent")
        batch_op.drop_column("sentiment_scores")
        batch_op.drop_column("sentiment")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_urgency")
        batch_op.drop_column("place_country")
        batch_op.drop_column("place_name")
        batch_op.drop_column("language")
        batch_op.drop_column("is_complaint")
        batch_op.drop_column("intent")
        batch_op.drop_column("sentiment")
        batch_op.drop_column("urgency")

    with op.batch_alter_table("triage_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_triage_feedback_workspace_field")
        batch_op.drop_index(batch_op.f("ix_triage_feedback_post_id"))

    op.drop_table("triage_feedback")
    with op.batch_alter_table("topic_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_models_workspace_id"))

    op.drop_table("topic_models")
