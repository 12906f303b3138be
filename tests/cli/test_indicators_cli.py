"""``bioconnect index``: the ASEM example from the command line, and its errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bioconnect.cli.main import main
from storekit import DATA, ROOT

PRESETS = ROOT / "src" / "bioconnect" / "presets"

ASEM = DATA / "coinr-asem"
ARGS = [str(ASEM / "ASEM_iData.csv"), str(ASEM / "ASEM_iMeta.csv")]
PIPELINE = ["--pipeline", str(ROOT / "examples/coinr-asem/pipeline.yaml")]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_index_build_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "index", "build", *ARGS, *PIPELINE, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"scores", "ranks", "normalised"}
    assert round(data["scores"]["CHE"]["Index"], 3) == 68.384
    assert [data["ranks"][u]["Index"] for u in ("CHE", "NLD", "DNK")] == [1, 2, 3]
    assert len(data["scores"]) == 51 and len(data["normalised"]["CHE"]) == 49
    assert set(data["scores"]["CHE"]) >= {"Physical", "Conn", "Sust", "Index"}


def test_index_build_table_and_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "index", "build", *ARGS, *PIPELINE)
    assert code == 0 and "68.384" in out and "CHE" in out
    target = tmp_path / "index.csv"
    code, _, err = _run(capsys, "index", "build", *ARGS, *PIPELINE, "-f", "csv", "-o", str(target))
    assert code == 0 and "Wrote" in err
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("rank,unit,Physical") and lines[1].startswith("1,CHE,")


def test_index_sensitivity(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "index",
        "sensitivity",
        *ARGS,
        *PIPELINE,
        "--runs",
        "100",
        "--seed",
        "2",
        "-f",
        "json",
    )
    assert code == 0
    report = json.loads(out)
    assert report["runs"] == 96 and report["seed"] == 2
    assert [i["factor"] for i in report["indices"]] == [
        "weights",
        "normalisation",
        "aggregation",
        "treatment",
    ]
    assert report["rank_intervals"][0]["unit"] == "CHE"
    code, out, _ = _run(capsys, "index", "sensitivity", *ARGS, *PIPELINE, "--runs", "100")
    assert code == 0 and "Rank intervals" in out and "Sobol" in out


def test_index_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - normalise: {f_n: n_logit}\n", encoding="utf-8")
    code, _, err = _run(capsys, "index", "build", *ARGS, "--pipeline", str(bad))
    assert code == 1
    assert err.strip() == (
        "Error: bad.yaml: step 1 (normalise): f_n 'n_logit' is not a method. Use one of n_minmax, "
        "n_zscore, n_rank, n_prank, n_borda, n_dist2targ, n_dist2ref, n_dist2max, n_fracmax, n_goalposts."
    )
    meta = tmp_path / "meta.csv"
    text = (
        (ASEM / "ASEM_iMeta.csv")
        .read_text(encoding="utf-8")
        .replace("1,LPI,Logistics Performance Index,1,1", "1,LPI,Logistics Performance Index,1,-2")
    )
    meta.write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, "index", "build", ARGS[0], str(meta))
    assert code == 1 and "meta.csv, row 2, column Weight: -2 is negative" in err


def test_benchmark_commands(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'b.sqlite'}")
    code, _, err = _run(capsys, "benchmark", "groups")
    assert code == 1 and "No stored edition" in err
    code, out, _ = _run(capsys, "benchmark", "import", str(DATA / "eis/2025/EIS_web_download.xlsx"))
    assert code == 0 and "Stored EIS 2025: 17,022 rows" in out
    code, out, _ = _run(capsys, "benchmark", "groups", "--format", "json", "--runs", "200")
    assert code == 0
    groups = json.loads(out)
    assert groups["LV"]["2025"]["group"] == "Emerging" and groups["EE"]["2025"]["group"] == "Strong"
    assert set(groups["EE"]["2025"]) == {"group", "sii_share", "probabilities"}
    assert set(groups["EE"]["2025"]["probabilities"]) == {
        "Emerging",
        "Moderate",
        "Strong",
        "Leader",
    }
    assert len(groups) == 39 and len(groups["FI"]) == 8
    code, out, _ = _run(
        capsys, "benchmark", "compare", "--countries", "EE,LV,LT", "--reference", "FI"
    )
    assert code == 0 and "% of FI, 2025" in out and "Areas for cooperation" in out
    code, default, _ = _run(capsys, "benchmark", "compare")
    assert code == 0 and default == out
    folder = tmp_path / "alone"
    shutil.copytree(PRESETS / "baltic", folder)
    text = (folder / "preset.yaml").read_text(encoding="utf-8")
    (folder / "preset.yaml").write_text(
        text.replace("reference_countries: [FI]", "reference_countries: []"), encoding="utf-8"
    )
    code, _, err = _run(capsys, "benchmark", "compare", "--preset", str(folder))
    assert code == 1 and "names no reference country" in err and "--reference" in err
