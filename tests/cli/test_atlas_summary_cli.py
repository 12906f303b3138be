"""``bioconnect atlas summary`` on the real Baltic store: the focus by default, its scope,
and the share of named organisations (table and JSON), checked by a direct SQL count."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, text

from bioconnect.cli.main import main


@pytest.fixture
def baltic_cli(baltic_sqlite: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", str(baltic_sqlite.url))
    return baltic_sqlite


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _named(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        n, named = conn.execute(
            text(
                "select count(distinct o.id), "
                "count(distinct case when o.name is not null then o.id end) "
                "from participation p join organisation o on o.id = p.org_id "
                "where p.country in ('EE', 'LV', 'LT', 'FI')"
            )
        ).one()
    return int(n), int(named)


def test_the_summary_reports_the_named_share_in_json_and_table(
    baltic_cli: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    n, named = _named(baltic_cli)
    code, out, err = _run(capsys, "atlas", "summary", "--scope", "all", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["scope"]["label"] == "all research, H2020 + Horizon Europe subset"
    assert (data["named"]["organisations"], data["named"]["named"]) == (n, named)
    assert data["named"]["share"] > 855 / 1404  # 61% before the new sources

    code, out, err = _run(capsys, "atlas", "summary", "--scope", "all")
    assert code == 0, err
    flat = " ".join(out.split())
    assert f"Named organisations: {named / n:.1%} ({named:,} of {n:,})" in flat
    assert "Scope: all research, H2020 + Horizon Europe subset" in flat


def test_the_summary_defaults_to_the_focus(
    baltic_cli: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "atlas", "summary")
    assert code == 0, err
    flat = " ".join(out.split())
    assert "Scope: biotech domains, H2020 + Horizon Europe subset" in flat
    assert "upper bound" in flat and "Named organisations:" in flat
    code, out, _ = _run(capsys, "atlas", "summary", "--format", "json")
    assert json.loads(out)["scope"]["focus"] == "biotech"


def test_an_unknown_scope_is_one_line(
    baltic_cli: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "atlas", "summary", "--scope", "biotech")
    assert code == 1
    assert "Unknown scope 'biotech'" in err and "Traceback" not in err
