"""organisation search text: names folded for case- and accent-insensitive search

Revision ID: 0009_organisation_search
Revises: 0008_dialogue
Create Date: 2026-12-06 11:30:00

Existing organisations get their search text from their stored names at once, so a
store upgraded in place finds "Tartu Ülikool" without a new ingest.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from alembic import op

from bioconnect.model.text_search import search_text

revision = "0009_organisation_search"
down_revision = "0008_dialogue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    names = pd.concat(
        [
            pd.read_sql(sa.text("SELECT id AS org_id, name FROM organisation"), conn),
            pd.read_sql(sa.text("SELECT id AS org_id, short_name AS name FROM organisation"), conn),
            pd.read_sql(sa.text("SELECT org_id, name FROM organisation_name"), conn),
        ],
        ignore_index=True,
    ).dropna()
    if names.empty:
        return
    texts = names.drop_duplicates().groupby("org_id")["name"].agg(search_text)
    conn.execute(
        sa.text("UPDATE organisation SET search_text = :text WHERE id = :id"),
        [{"id": org_id, "text": text} for org_id, text in texts.items()],
    )


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("search_text")
