"""Issue 11, item 8: a mapping cannot hang or crash an import.

Before: a backtracking pattern (``^(a+)+$``) hung the import, and a bad pattern, a pattern
without a group or ``delimiter: ""`` gave a traceback, after every file had been read;
``type: geolocation`` was documented but put text into a number column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioconnect.errors import InputError
from bioconnect.model.mapping import Mapping, load_mapping
from bioconnect.sources.mapped import read_mapped

BASE = """
name: members
targets:
  - entity: organisation
    fields:
      name: {column: Name, pattern: 'PATTERN'}
      country: Country
"""


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "members.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(unclosed", "is not a regular expression"),
        ("no group here", "has no group"),
        (r"(a)\1", "RE2"),
        ("(?<=x)(y)", "RE2"),
    ],
)
def test_a_bad_pattern_is_refused_when_the_mapping_is_read(
    tmp_path: Path, pattern: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        load_mapping(_mapping(tmp_path, BASE.replace("PATTERN", pattern)))


def test_an_empty_delimiter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="delimiter"):
        load_mapping(_mapping(tmp_path, BASE.replace("'PATTERN'", "'(.*)'") + 'delimiter: ""\n'))


def test_a_backtracking_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    # 30 a's then a b: Python's re takes about 2^30 steps on ^(a+)+$; RE2 takes 31.
    csv = tmp_path / "members.csv"
    pd.DataFrame({"Name": ["a" * 30 + "b", "aaaa"], "Country": ["EE", "LV"]}).to_csv(
        csv, index=False
    )
    mapping = load_mapping(_mapping(tmp_path, BASE.replace("PATTERN", "^(a+)+$")))
    names = read_mapped(csv, mapping).records["organisation"]["name"].tolist()
    assert names[0] is pd.NA and names[1] == "aaaa"


def test_geolocation_reads_lat_and_lon_from_one_cell(tmp_path: Path) -> None:
    csv = tmp_path / "places.csv"
    pd.DataFrame(
        {"Name": ["Tartu Ülikool"], "Country": ["EE"], "Where": ["58.3810, 26.7200"]}
    ).to_csv(csv, index=False)
    mapping = Mapping.model_validate(
        {
            "name": "places",
            "targets": [
                {
                    "entity": "organisation",
                    "fields": {
                        "name": "Name",
                        "country": "Country",
                        "lat": {"column": "Where", "type": "geolocation"},
                        "lon": {"column": "Where", "type": "geolocation"},
                    },
                }
            ],
        }
    )
    row = read_mapped(csv, mapping).records["organisation"].iloc[0]
    assert (row["lat"], row["lon"]) == (58.381, 26.72)
    with pytest.raises(ValueError, match="geolocation reads a 'lat,lon' cell into lat or lon"):
        Mapping.model_validate(
            {
                "name": "x",
                "targets": [
                    {
                        "entity": "organisation",
                        "fields": {
                            "name": {"column": "Name", "type": "geolocation"},
                            "country": "C",
                        },
                    }
                ],
            }
        )
