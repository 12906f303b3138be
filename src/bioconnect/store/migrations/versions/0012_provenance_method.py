"""provenance method: how a derived field value was made from its source row

Revision ID: 0012_provenance_method
Revises: 0011_dialogue_rounds
Create Date: 2026-12-06 11:30:00

Geocoded coordinates (``geonames-city``) and NUTS regions found from coordinates
(``nuts-polygon``) keep the source row they were derived from and say how; a value the
source states has no method.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_provenance_method"
down_revision = "0011_dialogue_rounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("field_provenance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("field_provenance", schema=None) as batch_op:
        batch_op.drop_column("method")
