"""reports: stored editions of the status report, the action plan and the evaluation plan

Revision ID: 0015_report_editions
Revises: 0014_api_tokens
Create Date: 2026-12-06 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_report_editions"
down_revision = "0014_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_edition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("preset", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("parameters_json", sa.Text(), nullable=False),
        sa.Column("files_json", sa.Text(), nullable=False),
        sa.Column("key_figures_json", sa.Text(), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_edition")),
    )
    with op.batch_alter_table("report_edition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_edition_kind"), ["kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_edition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_edition_kind"))
    op.drop_table("report_edition")
