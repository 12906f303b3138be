"""Concurrent inbox proposals (issue 11, item 11): 23–46% were refused with 400 "inbox is
busy"; proposals now wait for each other and all are stored, on both engines."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine

from bioconnect.services import plan as sp

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "baltic-action-plan.example.yaml"


def test_parallel_proposals_are_all_stored_with_distinct_ids(engine: Engine) -> None:
    sp.import_plan(engine, EXAMPLE, actor="alice")
    before = len(sp.load_plan(engine).action_items)
    texts = [f"Idea number {n}." for n in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        items = list(pool.map(lambda t: sp.propose_action_item(engine, t, actor="sam"), texts))
    assert len({i.id for i in items}) == len(texts)
    assert len(sp.load_plan(engine).action_items) == before + len(texts)
