"""`bioconnect dialogue ...` against a real SQLite store, on the brexit-consensus export."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from bioconnect.cli.main import main


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "dialogue.sqlite"
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", f"sqlite:///{db}")
    return db


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_dialogue_commands(
    store: Path, capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    folder = data_dir / "polis" / "brexit-consensus"
    code, _, err = _run(capsys, "dialogue", "groups", "brexit")
    assert code == 1 and "No consultation named 'brexit'" in err
    code, _, err = _run(capsys, "dialogue", "import", str(folder), "--name", "brexit")
    assert code == 0, err
    assert "50 statements, 204 participants, 5303 votes (5312 vote events)" in err

    code, out, _ = _run(capsys, "dialogue", "groups", "brexit", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 204 and list(rows[0]) == ["participant", "group", "x", "y"]
    assert sum(r["group"] == "" for r in rows) == 15  # 204 - 189 clustered
    ref = (
        pd.read_csv(folder / "participants-votes.csv").set_index("participant")["group-id"].dropna()
    )
    ours = {int(r["participant"]): int(r["group"]) if r["group"] else -1 for r in rows}
    assert adjusted_rand_score(ref.astype(int), [ours[p] for p in ref.index]) >= 0.8

    code, out, _ = _run(capsys, "dialogue", "groups", "brexit")
    assert code == 0 and "2 opinion groups, 189 clustered" in out
    code, out, _ = _run(capsys, "dialogue", "consensus", "brexit", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["agree"] and len(data["statements"]) == 50
    code, out, _ = _run(capsys, "dialogue", "consensus", "brexit", "--top", "3")
    assert code == 0 and "Across opinion groups" in out
    code, out, _ = _run(capsys, "dialogue", "report", "brexit")
    assert code == 0 and "Group 0" in out and "Group 1" in out
    code, out, _ = _run(capsys, "dialogue", "report", "brexit", "--format", "json")
    assert code == 0 and json.loads(out)["n_groups"] == 2

    code, _, err = _run(capsys, "dialogue", "export", "brexit", str(tmp_path / "out"))
    assert code == 0 and "participants-votes.csv" in err
    exported = pd.read_csv(tmp_path / "out" / "participants-votes.csv")
    assert len(exported) == 204 and exported["group-id"].notna().sum() == 189
    code, _, err = _run(capsys, "dialogue", "consensus", "brexit", "--weight", "industry")
    assert code == 1 and "is not GROUP=NUMBER" in err


def test_bad_vote_is_one_line_and_stores_nothing(
    store: Path, capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(data_dir / "polis" / "brexit-consensus", folder)
    text = (folder / "votes.csv").read_text(encoding="utf-8").splitlines()
    fields = text[1].split(",")
    fields[-1] = "7"
    text[1] = ",".join(fields)
    (folder / "votes.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    code, _, err = _run(capsys, "dialogue", "import", str(folder), "--name", "bad")
    assert code == 1
    assert (
        err.strip().count("\n") == 0 and "votes.csv, row 2, column vote: 7 is not -1, 0 or 1" in err
    )
    code, _, err = _run(capsys, "dialogue", "groups", "bad")
    assert code == 1 and "No consultation named 'bad'" in err
