"""The export writer's files: the permissions a plain write gives, and inert CLI tables."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from bioconnect.model.exports import frame_csv, write_csv, write_text, write_xlsx


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_umask_permissions(tmp_path: Path, umask_022: None) -> None:
    """Not mkstemp's 0o600: an export is for others to open too."""
    made = [
        write_text(tmp_path / "a.geojson", "{}"),
        write_csv(tmp_path / "a.csv", [["name"], ["=1+1"]]),
        write_xlsx(tmp_path / "a.xlsx", {"s": [["name"]]}),
    ]
    assert [oct(_mode(p)) for p in made] == [oct(0o644)] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.geojson", "a.xlsx"]


def test_a_replaced_file_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "a.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_csv(target, [["name"], ["new"]])
    assert oct(_mode(target)) == oct(0o640)
    assert target.read_bytes() == b"name\r\nnew\r\n"


def test_a_frame_as_csv_has_no_live_formula_and_keeps_numbers() -> None:
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x","y")', "-2+3", "Tartu", None],
            "@score": [-1.5, 2.0, float("nan"), 3.0],
            "n": [1, -2, 3, 4],
        }
    )
    assert frame_csv(frame).splitlines() == [
        "name,'@score,n",
        '"\'=HYPERLINK(""http://x"",""y"")",-1.5,1',
        "'-2+3,2.0,-2",
        "Tartu,,3",
        ",3.0,4",
    ]
    assert frame.columns[1] == "@score"  # the caller's frame is left as it was
