"""benchmark editions and values (the EIS and other scoreboards)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "benchmark_edition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("layout", sa.String(length=40), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sheets", sa.Text(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_edition")),
        sa.UniqueConstraint("name", name=op.f("uq_benchmark_edition_name")),
    )
    op.create_table(
        "benchmark_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=True),
        sa.Column("unit_type", sa.String(length=40), nullable=True),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("indicator_code", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("group_label", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["benchmark_edition.id"],
            name=op.f("fk_benchmark_value_edition_id_benchmark_edition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_value")),
    )
    with op.batch_alter_table("benchmark_value", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_benchmark_value_edition_id"), ["edition_id"], unique=False
        )
        batch_op.create_index(
            "ix_benchmark_value_edition_sheet_code",
            ["edition_id", "sheet", "indicator_code"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("benchmark_value", schema=None) as batch_op:
        batch_op.drop_index("ix_benchmark_value_edition_sheet_code")
        batch_op.drop_index(batch_op.f("ix_benchmark_value_edition_id"))
    op.drop_table("benchmark_value")
    op.drop_table("benchmark_edition")
