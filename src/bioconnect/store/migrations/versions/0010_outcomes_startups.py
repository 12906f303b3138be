"""outcomes: users' startup lists and their rows

Revision ID: 0010_outcomes_startups
Revises: 0009_organisation_search
Create Date: 2026-12-06 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_outcomes_startups"
down_revision = "0009_organisation_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "startup_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mapping_yaml", sa.Text(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("end_of_data", sa.String(length=10), nullable=False),
        sa.Column("imported_at", sa.String(length=40), nullable=False),
        sa.Column("imported_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_startup_list")),
        sa.UniqueConstraint("name", name=op.f("uq_startup_list_name")),
    )
    op.create_table(
        "startup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("registration_code", sa.String(length=40), nullable=True),
        sa.Column("vat", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=4), nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("founded", sa.String(length=10), nullable=False),
        sa.Column("closed", sa.String(length=10), nullable=True),
        sa.Column("exit_kind", sa.String(length=20), nullable=True),
        sa.Column("sector", sa.Text(), nullable=True),
        sa.Column("founders_gender", sa.String(length=40), nullable=True),
        sa.Column("countries", sa.Text(), nullable=True),
        sa.Column("funding", sa.Float(), nullable=True),
        sa.Column("link_key", sa.String(length=80), nullable=True),
        sa.Column("link_method", sa.String(length=20), nullable=True),
        sa.Column("repairs", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"], ["startup_list.id"], name=op.f("fk_startup_list_id_startup_list")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_startup")),
        sa.UniqueConstraint("list_id", "key", name=op.f("uq_startup_list_id_key")),
    )
    with op.batch_alter_table("startup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_startup_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_startup_list_id"), ["list_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("startup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_startup_list_id"))
        batch_op.drop_index(batch_op.f("ix_startup_key"))
    op.drop_table("startup")
    op.drop_table("startup_list")
