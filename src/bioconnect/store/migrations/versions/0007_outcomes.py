"""outcomes: KPI observations

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.String(length=100), nullable=False),
        sa.Column("observed_on", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_kpi_observation_plan_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_observation")),
        sa.UniqueConstraint(
            "plan_id",
            "kpi_id",
            "observed_on",
            "source",
            name=op.f("uq_kpi_observation_plan_id_kpi_id_observed_on_source"),
        ),
    )
    with op.batch_alter_table("kpi_observation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_observation_kpi_id"), ["kpi_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_observation_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kpi_observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_observation_plan_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_observation_kpi_id"))
    op.drop_table("kpi_observation")
