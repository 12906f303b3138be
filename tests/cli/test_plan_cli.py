"""`bioconnect plan ...` against a real SQLite store: every command, its output and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bioconnect.cli.main import main
from bioconnect.cli.options import actor as _actor
from storekit import ROOT

EXAMPLE = ROOT / "examples" / "baltic-action-plan.example.yaml"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "plan.sqlite"
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", f"sqlite:///{db}")
    return db


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_commands(store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "plan", "lint")
    assert code == 1 and "no action plan in the store" in err and "plan import" in err

    code, _, err = _run(capsys, "plan", "import", str(EXAMPLE))
    assert code == 0, err
    assert "baltic: 69 added, 0 changed, 0 removed" in err
    code, _, err = _run(capsys, "plan", "import", str(EXAMPLE))
    assert code == 0 and "baltic: unchanged" in err

    code, out, err = _run(capsys, "plan", "lint", "--format", "json")
    findings = json.loads(out)
    assert code == 0 and "4 finding(s), 0 error(s)" in err
    assert [(f["severity"], f["rule"], f["subject"]) for f in findings] == [
        ("warning", "dependency-order", "S05"),
        ("warning", "gender-dimension-missing", "D04"),
        ("warning", "initiative-no-kpi", "T06"),
        ("warning", "initiative-no-owner", "E05"),
    ]
    assert all(f["message"] and f["fix"] for f in findings)
    code, out, _ = _run(capsys, "plan", "lint")
    assert code == 0 and "initiative-no-owner" in out and "E05" in out

    code, out, _ = _run(capsys, "plan", "rank", "--samples", "300", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 42
    assert {"initiative", "score", "rank", "median_rank", "rank_low", "rank_high"} <= set(rows[0])
    assert all(int(r["rank_low"]) <= int(r["median_rank"]) <= int(r["rank_high"]) for r in rows)
    code, out, _ = _run(capsys, "plan", "rank", "--samples", "300", "--format", "json")
    assert code == 0 and [r["initiative"] for r in json.loads(out)] == [
        r["initiative"] for r in rows
    ]
    code, out, _ = _run(capsys, "plan", "rank", "--samples", "300")
    assert code == 0 and "Initiatives by priority" in out

    code, _, err = _run(capsys, "plan", "snapshot", "v1")
    assert code == 0 and "Snapshot 'v1' of the baltic plan" in err

    exported = tmp_path / "plan.xlsx"
    code, _, err = _run(capsys, "plan", "export", str(exported))
    assert code == 0 and exported.is_file()
    code, _, err = _run(capsys, "plan", "import", str(exported))
    assert code == 0 and "baltic: unchanged" in err

    edited = tmp_path / "edited.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "title: Baltic biotech accelerator\n" in text
    edited.write_text(
        text.replace("title: Baltic biotech accelerator\n", "title: Baltic accelerator\n"),
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "plan", "diff", "v1", str(edited))
    assert code == 0 and out.strip() == "~ initiative S01: title"
    code, _, err = _run(capsys, "plan", "import", str(edited))
    assert code == 0 and "0 added, 1 changed, 0 removed" in err
    code, out, _ = _run(capsys, "plan", "diff", "v1", "current", "--format", "json")
    data = json.loads(out)
    assert data["records"][0]["id"] == "S01"
    assert data["records"][0]["fields"] == [
        {"field": "title", "old": "Baltic biotech accelerator", "new": "Baltic accelerator"}
    ]
    code, _, err = _run(capsys, "plan", "diff", "current", str(edited))
    assert code == 0 and "No differences" in err

    code, out, _ = _run(capsys, "plan", "history", "--id", "S01", "--format", "json")
    history = json.loads(out)
    assert [(h["action"], h["entity"]) for h in history] == [
        ("update", "plan.initiative"),
        ("add", "plan.initiative"),
    ]
    assert history[0]["detail"]["fields"] == {"title": "Baltic accelerator"}
    code, out, _ = _run(capsys, "plan", "history", "--limit", "3", "--format", "json")
    assert [h["action"] for h in json.loads(out)] == ["import", "update", "snapshot"]
    assert {h["actor"] for h in json.loads(out)} == {_actor()}
    code, out, _ = _run(capsys, "plan", "history", "--limit", "3")
    assert code == 0 and "plan.snapshot" in out and "plan.initiative" in out


def test_plan_errors_are_one_line(
    store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("pillar: research", "pillar: astrology", 1),
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "plan", "import", str(bad))
    assert code == 1 and "has 1 problem(s)" in err and "unknown pillar 'astrology'" in err
    assert "Traceback" not in err
    code, _, err = _run(capsys, "plan", "import", str(EXAMPLE))
    assert code == 0
    code, _, err = _run(capsys, "plan", "diff", "v9", "current")
    assert code == 1 and "neither a snapshot nor a plan file" in err
    code, _, err = _run(capsys, "plan", "lint", "--format", "xml")
    assert code == 1 and "Unknown format 'xml'" in err
    code, _, err = _run(capsys, "plan", "snapshot", "current")
    assert code == 1 and "cannot name a snapshot" in err


def test_lint_exits_1_on_an_error_finding(
    store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from bioconnect.plan import load_plan_config, read_plan, write_plan

    plan = read_plan(EXAMPLE, load_plan_config("baltic"))
    over = plan.model_copy(deep=True)
    over.initiatives[0].budget = 1e9  # far over the EUR 60 million envelope
    write_plan(over, tmp_path / "over.yaml")
    code, _, err = _run(capsys, "plan", "import", str(tmp_path / "over.yaml"))
    assert code == 0, err
    code, out, err = _run(capsys, "plan", "lint")
    assert code == 1 and "budget-over-envelope" in out and "1 error(s)" in err
