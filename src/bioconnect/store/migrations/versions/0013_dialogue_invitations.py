"""dialogue invitations: links to vote without an account (token stored hashed)

Revision ID: 0013_dialogue_invitations
Revises: 0012_provenance_method
Create Date: 2026-12-06 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_dialogue_invitations"
down_revision = "0012_provenance_method"
branch_labels = None
depends_on = None

_NAME = "dialogue_invitation"


def upgrade() -> None:
    op.create_table(
        _NAME,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("participant", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("stakeholder_group", sa.String(length=60), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("org_id", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=True),
        sa.Column("revoked_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["dialogue_consultation.id"],
            name=op.f(f"fk_{_NAME}_consultation_id_dialogue_consultation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_NAME}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{_NAME}_token_hash")),
        sa.UniqueConstraint(
            "consultation_id", "participant", name=op.f(f"uq_{_NAME}_consultation_id_participant")
        ),
    )
    with op.batch_alter_table(_NAME, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{_NAME}_consultation_id"), ["consultation_id"])


def downgrade() -> None:
    with op.batch_alter_table(_NAME, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{_NAME}_consultation_id"))
    op.drop_table(_NAME)
