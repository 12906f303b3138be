"""dialogue rounds: Delphi studies (items, rounds, ratings) and surveys (questions, answers)

Revision ID: 0011_dialogue_rounds
Revises: 0010_outcomes_startups
Create Date: 2026-12-06 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_dialogue_rounds"
down_revision = "0010_outcomes_startups"
branch_labels = None
depends_on = None


def _parent(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *columns,
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("name", name=op.f(f"uq_{name}_name")),
    )


def _child(name: str, parent: str, *columns: sa.Column, unique: tuple[str, ...]) -> None:
    key = f"{parent.split('_')[-1]}_id"
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(key, sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint([key], [f"{parent}.id"], name=op.f(f"fk_{name}_{key}_{parent}")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint(*unique, name=op.f(f"uq_{name}_{'_'.join(unique)}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_{key}"), [key], unique=False)


def upgrade() -> None:
    _parent("delphi_study")
    _child(
        "delphi_item",
        "delphi_study",
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        unique=("study_id", "item"),
    )
    _child(
        "delphi_round",
        "delphi_study",
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_at", sa.String(length=40), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        unique=("study_id", "round"),
    )
    _child(
        "delphi_rating",
        "delphi_study",
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("rated_at", sa.String(length=40), nullable=False),
        unique=("study_id", "round", "item", "user_id"),
    )
    _parent("survey", sa.Column("status", sa.String(length=10), nullable=False))
    _child(
        "survey_question",
        "survey",
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("levels", sa.Integer(), nullable=True),
        unique=("survey_id", "question"),
    )
    _child(
        "survey_answer",
        "survey",
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.String(length=40), nullable=False),
        unique=("survey_id", "question", "user_id"),
    )


def downgrade() -> None:
    for name, key in (
        ("survey_answer", "survey_id"),
        ("survey_question", "survey_id"),
        ("delphi_rating", "study_id"),
        ("delphi_round", "study_id"),
        ("delphi_item", "study_id"),
    ):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_{key}"))
        op.drop_table(name)
    op.drop_table("survey")
    op.drop_table("delphi_study")
