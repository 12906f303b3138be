"""Issue 11, item 9: a CSV that DuckDB refuses is one InputError naming the file, the line
as a person counts it (the header is line 1) and what is wrong, with a fix.

The files are small and written to ``tmp_path``; the 10 MB field is the one case where
size is the point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bioconnect.errors import InputError
from bioconnect.model.mapping import Mapping
from bioconnect.sources.mapped import read_mapped

HEADER = "id;name;country;city;note"
ROWS = ["P1;Tartu Ülikool;EE;Tartu;a", "P2;Riga Tech;LV;Riga;b", "P3;KTU;LT;Kaunas;c"]


def _mapping(**options: object) -> Mapping:
    return Mapping.model_validate(
        {
            "name": "organisations",
            "delimiter": ";",
            **options,
            "targets": [
                {
                    "entity": "organisation",
                    "fields": {"name": "name", "country": "country", "city": "city"},
                }
            ],
        }
    )


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "orgs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _error(path: Path, mapping: Mapping | None = None) -> str:
    with pytest.raises(InputError) as info:
        read_mapped(path, mapping or _mapping())
    return str(info.value)


def test_the_happy_path_still_reads(tmp_path: Path) -> None:
    frame = read_mapped(_write(tmp_path, [HEADER, *ROWS]), _mapping()).records["organisation"]
    assert frame["name"].tolist() == ["Tartu Ülikool", "Riga Tech", "KTU"]


def test_a_10_mb_field_names_line_2_and_the_limit(tmp_path: Path) -> None:
    field = "x" * 10_485_760
    line = f"P1;{field};EE;Tartu;a"
    assert len(line) == 10_485_774
    path = _write(tmp_path, [HEADER, line, *ROWS[1:]])
    message = _error(path)
    assert message.startswith(
        "orgs.csv: line 2 is 10,485,774 bytes long; the reader takes lines up to 2,097,152 bytes."
    )
    assert "Split or shorten the long field" in message
    assert "set `max_line_size:` in the mapping to at least 10,485,774" in message
    assert "separator" not in message
    frame = read_mapped(path, _mapping(max_line_size=11_000_000)).records["organisation"]
    assert len(frame["name"].iloc[0]) == 10_485_760


def test_a_long_quoted_field_over_many_lines_names_where_it_starts_and_ends(
    tmp_path: Path,
) -> None:
    field = '"' + "\n".join(["y" * 1000] * 2500) + '"'
    path = _write(tmp_path, [HEADER, ROWS[0], f"P2;{field};LV;Riga;b", ROWS[2]])
    message = _error(path)
    assert message.startswith("orgs.csv: line 3 (a quoted field runs on to line 2502) is ")
    assert "the reader takes lines up to 2,097,152 bytes" in message


def test_a_row_with_too_many_fields_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, *ROWS, "P4;Aalto;FI;Espoo;d;extra;more", "P5;Tallinn;EE;;e"])
    message = _error(path)
    assert message.startswith("orgs.csv: line 5 has 7 fields where the header has 5.")
    assert "Make every row have 5 fields separated by ';'" in message


def test_a_row_with_too_few_fields_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, ROWS[0], "P2;Riga Tech;LV", *ROWS[2:]])
    message = _error(path)
    assert message.startswith("orgs.csv: line 3 has 3 fields where the header has 5.")
    assert "a field holding the separator must be in double quotes" in message


def test_an_unbalanced_quote_names_the_line_it_opens_on(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, ROWS[0], 'P2;"Riga Tech;LV;Riga;b', *ROWS[2:], ROWS[0]])
    message = _error(path)
    assert message.startswith("orgs.csv: a quote opened on line 3 is never closed.")
    assert "Close the quote" in message


def test_a_quoted_field_over_two_lines_is_not_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, 'P1;"Tartu\nÜlikool";EE;Tartu;a', *ROWS[1:]])
    frame = read_mapped(path, _mapping()).records["organisation"]
    assert frame["name"].tolist() == ["Tartu\nÜlikool", "Riga Tech", "KTU"]


def test_a_ragged_row_in_a_cp1252_file_names_its_line(tmp_path: Path) -> None:
    """Files in other encodings are decoded and read by pandas; the message is the same."""
    path = tmp_path / "orgs.csv"
    path.write_bytes("\n".join([HEADER, *ROWS, "P4;Aalto;FI;Espoo;d;extra"]).encode("cp1252"))
    message = _error(path, _mapping(encoding="cp1252"))
    assert message.startswith("orgs.csv: line 5 has 6 fields where the header has 5.")
