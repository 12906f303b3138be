"""dialogue: consultations, statements, participants, votes

Revision ID: 0008_dialogue
Revises: 0007
Create Date: 2026-12-01 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_dialogue"
down_revision = "0007"
branch_labels = None
depends_on = None

_PARENT = "dialogue_consultation"


def _child(name: str, *columns: sa.Column, unique: tuple[str, str]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            [f"{_PARENT}.id"],
            name=op.f(f"fk_{name}_consultation_id_{_PARENT}"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint(*unique, name=op.f(f"uq_{name}_{unique[0]}_{unique[1]}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{name}_consultation_id"), ["consultation_id"], unique=False
        )


def upgrade() -> None:
    op.create_table(
        _PARENT,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_PARENT}")),
        sa.UniqueConstraint("name", name=op.f(f"uq_{_PARENT}_name")),
    )
    _child(
        "dialogue_statement",
        sa.Column("statement", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.Integer(), nullable=True),
        sa.Column("moderation", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=True),
        unique=("consultation_id", "statement"),
    )
    _child(
        "dialogue_participant",
        sa.Column("participant", sa.Integer(), nullable=False),
        sa.Column("xid", sa.String(length=200), nullable=True),
        sa.Column("stakeholder_group", sa.String(length=60), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("org_id", sa.String(length=120), nullable=True),
        unique=("consultation_id", "participant"),
    )
    _child(
        "dialogue_vote",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("participant", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Integer(), nullable=False),
        sa.Column("vote", sa.Integer(), nullable=False),
        sa.Column("voted_ms", sa.BigInteger(), nullable=True),
        unique=("consultation_id", "seq"),
    )


def downgrade() -> None:
    for name in ("dialogue_vote", "dialogue_participant", "dialogue_statement"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_consultation_id"))
        op.drop_table(name)
    op.drop_table(_PARENT)
