"""The consultation chart specs on brexit-consensus: every participant placed once with
their group, participation weeks carried over, and both render."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bioconnect.charts.dialogue import NOT_GROUPED, opinion_map_chart, participation_chart
from bioconnect.charts.specs import render
from bioconnect.services.dialogue import consultation_groups, import_polis, participation
from bioconnect.store.database import open_store


@pytest.fixture(scope="module")
def brexit(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('charts') / 's.sqlite'}")
    import_polis(engine, data_dir / "polis" / "brexit-consensus", name="brexit", actor="t")
    yield engine
    engine.dispose()


def test_the_opinion_map_places_every_participant_with_their_group(brexit: Engine) -> None:
    groups = consultation_groups(brexit, "brexit")
    spec = opinion_map_chart([p.model_dump() for p in groups.participants], "Map")
    values = spec["data"]["values"]
    assert len(values) == len(groups.participants) == 204
    counts = {g: sum(v["group"] == g for v in values) for g in ("group 0", "group 1")}
    assert list(counts.values()) == groups.sizes
    assert sum(v["group"] == NOT_GROUPED for v in values) == 204 - groups.clustered
    assert spec["encoding"]["color"]["scale"]["domain"][-1] == NOT_GROUPED
    assert render(spec, "svg").startswith(b"<svg")


def test_participation_weeks_add_up_to_the_vote_log(brexit: Engine) -> None:
    seen = participation(brexit, "brexit")
    assert sum(r.votes for r in seen.by_country) == 5312
    assert seen.totals_by_stakeholder_group == {"unknown": 204}
    spec = participation_chart([r.model_dump() for r in seen.by_stakeholder_group], "Who")
    assert sum(v["votes"] for v in spec["data"]["values"]) == 5312
    assert render(spec, "svg").startswith(b"<svg")
