"""`bioconnect report ...`: a report written to a file, editions listed, exported and
compared, and bad input as one line with exit code 2 or 1 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bioconnect.cli.main import main
from storekit import ROOT

EXAMPLE = ROOT / "examples" / "baltic-action-plan.example.yaml"
STATED = "2026-12-06T12:00:00Z"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def plan_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'reports.sqlite'}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_report_plan_editions_export_and_diff(
    plan_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "plan", "import", str(EXAMPLE))[0] == 0
    target = plan_store / "plan.html"
    code, _, err = _run(capsys, "report", "plan", "-o", str(target), "--timestamp", STATED)
    assert code == 0, err
    assert "edition 1" in err
    html = target.read_text(encoding="utf-8")
    assert "EXAMPLE DATA" in html and "Table 1. Goals and the evidence behind them" in html
    # the default file name, in the current folder
    code, _, err = _run(capsys, "report", "plan", "--timestamp", STATED)
    assert code == 0, err
    assert (plan_store / "baltic-plan-report-2026-12-06.html").read_text("utf-8") == html
    code, out, _ = _run(capsys, "report", "editions", "--format", "json")
    listed = json.loads(out)
    assert [e["id"] for e in listed] == [2, 1] and listed[0]["kind"] == "plan"
    code, out, _ = _run(capsys, "report", "diff", "1", "2")
    assert code == 0 and "same key figures" in out
    code, _, err = _run(capsys, "report", "export", "1", "-f", "html", "-o", "again.html")
    assert code == 0, err
    assert (plan_store / "again.html").read_text("utf-8") == html


def test_bad_input_is_one_line(plan_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "report", "annual")
    assert code == 2 and "No such command 'annual'" in err
    code, _, err = _run(capsys, "report", "plan")
    assert code == 1 and "No action plan" in err and "bioconnect plan import" in err
    assert "Traceback" not in err
    code, _, err = _run(capsys, "report", "plan", "--format", "odt")
    assert code == 1 and "Unknown report format 'odt'" in err
    code, _, err = _run(capsys, "report", "export", "7")
    assert code == 1 and "No report edition 7" in err
    assert list(plan_store.glob("*.html")) == []
