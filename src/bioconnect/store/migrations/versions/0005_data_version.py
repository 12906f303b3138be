"""data version

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00.000000

One row counting the committed changes that readers can see (see
bioconnect.store.changes). The read caches used the newest ingest run and the size of
the audit log before, so every sign-in emptied them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    op.bulk_insert(table, [{"id": 1, "version": 0, "changed_at": now}])


def downgrade() -> None:
    op.drop_table("data_version")
