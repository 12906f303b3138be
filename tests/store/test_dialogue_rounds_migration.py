"""Migration 0011_dialogue_rounds on both engines: its tables go down and come back."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from bioconnect.store.database import _alembic_config

TABLES = {
    "delphi_study",
    "delphi_item",
    "delphi_round",
    "delphi_rating",
    "survey",
    "survey_question",
    "survey_answer",
}


def test_migration_0011_adds_the_round_tables_and_takes_them_back(engine: Engine) -> None:
    from alembic import command

    assert set(inspect(engine).get_table_names()) >= TABLES
    uniques = {u["name"] for u in inspect(engine).get_unique_constraints("delphi_rating")}
    assert "uq_delphi_rating_study_id_round_item_user_id" in uniques
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0010_outcomes_startups")
    assert not TABLES & set(inspect(engine).get_table_names())
    assert "dialogue_vote" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert set(inspect(engine).get_table_names()) >= TABLES
