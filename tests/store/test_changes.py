"""The data version on both engines: raised once per committed change, never by sessions."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, func, inspect, select

from bioconnect.store import schema
from bioconnect.store.changes import (
    AUDIT,
    DATA_VERSION,
    audit,
    bump_data_version,
    data_changed,
    read_data_version,
)
from bioconnect.store.database import _alembic_config, transaction


def _version(engine: Engine) -> int:
    with engine.connect() as conn:
        return read_data_version(conn)


def _entries(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AUDIT)).scalar_one())


def test_migration_0005_adds_the_counter_row_and_takes_it_back(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(select(DATA_VERSION.c.id, DATA_VERSION.c.version)).all()
    assert [tuple(r) for r in rows] == [(1, 0)]
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    assert "data_version" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert _version(engine) == 0


def test_a_transaction_raises_the_version_once_when_it_commits(engine: Engine) -> None:
    with transaction(engine) as conn:
        audit(conn, "analyst", "add", "plan", "EE", "")
        audit(conn, "analyst", "add", "plan.goal", "G1", "")
        with engine.connect() as reader:  # not yet: the counter changes at the commit
            assert read_data_version(reader) == 0
        assert read_data_version(conn) == 0
    assert _version(engine) == 1
    assert _entries(engine) == 2


def test_a_rolled_back_change_leaves_the_version_and_does_not_leak(engine: Engine) -> None:
    with pytest.raises(RuntimeError), transaction(engine) as conn:
        audit(conn, "analyst", "add", "plan", "EE", "")
        raise RuntimeError("the write fails")
    assert (_version(engine), _entries(engine)) == (0, 0)
    # the next transaction on the same pooled connection changes nothing: no raise
    with transaction(engine) as conn:
        conn.execute(select(1))
    assert _version(engine) == 0


def test_sessions_are_audited_without_raising_the_version(engine: Engine) -> None:
    with transaction(engine) as conn:
        audit(conn, "reader", "sign-in", "session", None, "client=203.0.113.7")
        audit(conn, "reader", "sign-out", "session", None, "")
    assert (_version(engine), _entries(engine)) == (0, 2)


def test_outside_a_transaction_block_the_version_is_raised_at_once(engine: Engine) -> None:
    with engine.begin() as conn:
        audit(conn, "analyst", "update", "plan", "EE", "")
        assert read_data_version(conn) == 1
        data_changed(conn)
    assert _version(engine) == 2


def test_a_store_without_the_counter_row_gets_one(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(DATA_VERSION.delete())
        assert read_data_version(conn) == 0
        bump_data_version(conn)
        bump_data_version(conn)
    assert _version(engine) == 2
    with engine.connect() as conn:
        at = conn.execute(select(DATA_VERSION.c.changed_at)).scalar_one()
    assert at[:4] == schema.utcnow()[:4]
