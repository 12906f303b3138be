"""The plan tables on both engines: migration 0003 matches the models, constraints hold."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError

from bioconnect.store import schema
from bioconnect.store.database import _alembic_config, current_revision, transaction

PLAN_TABLES = {
    "plan",
    "plan_goal",
    "plan_initiative",
    "plan_kpi",
    "plan_action_item",
    "plan_snapshot",
}


def test_migration_0003_creates_the_plan_tables_as_modelled(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        script = ScriptDirectory.from_config(_alembic_config(conn))
    applied = {r.revision for r in script.iterate_revisions(current_revision(engine), "base")}
    assert "0003" in applied
    assert set(inspect(engine).get_table_names()) >= PLAN_TABLES
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.Base.metadata)
    assert diff == []
    columns = {c["name"] for c in inspect(engine).get_columns("plan_initiative")}
    assert {"plan_id", "record_id", "version", "record", "pillar", "status"} <= columns


def test_migration_0003_downgrades_and_upgrades(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0002")
    assert not PLAN_TABLES & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert set(inspect(engine).get_table_names()) >= PLAN_TABLES


def test_record_ids_are_unique_within_a_plan(engine: Engine) -> None:
    plans = schema.table(schema.PlanHead)
    goals = schema.table(schema.PlanGoal)
    row = {"record": "{}", "version": 1, "updated_at": "now", "updated_by": "t"}
    with transaction(engine) as conn:
        ids = [
            conn.execute(
                plans.insert().values(region=region, preset="baltic", **row)
            ).inserted_primary_key[0]  # type: ignore[index]
            for region in ("a", "b")
        ]
        for pid in ids:  # the same goal id in two plans is fine
            conn.execute(goals.insert().values(plan_id=pid, record_id="G1", position=0, **row))
    with pytest.raises(IntegrityError, match="record_id"), transaction(engine) as conn:
        conn.execute(goals.insert().values(plan_id=ids[0], record_id="G1", position=1, **row))
    with pytest.raises(IntegrityError, match="region"), transaction(engine) as conn:
        conn.execute(plans.insert().values(region="a", preset="baltic", **row))
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"), transaction(engine) as conn:
        conn.execute(goals.insert().values(plan_id=999, record_id="G2", position=0, **row))
