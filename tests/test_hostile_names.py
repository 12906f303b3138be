"""Hostile names come out inert in every export file, and as they are in the CLI's output.

The store is ``hostile_store``: the session's Baltic store with the hostile-names list
(tests/hostilekit.py; test input, not data) imported the user's way, and a plan whose
initiative those organisations lead. The files are made by the real exporters, through
the CLI (``bioconnect export organisations``, ``network export`` in GEXF, GraphML, CSV and
graphology JSON, ``network metrics --format csv``, ``plan export`` in XLSX and YAML) and
the API's download route (``/api/v1/exports/organisations`` as CSV, XLSX and GeoJSON), and
each is opened in its reader: Python's csv module (no cell a spreadsheet would run),
openpyxl (no formula cell, no ``<f>`` element in the sheets), json, the official GEXF 1.3
XML Schema and networkx for GEXF, igraph and networkx for GraphML, the plan reader. Every
hostile name comes back as the import stored it: the only removals are the import's
(control characters, leading whitespace) and the CSV's leading ``'`` on a formula.
"""

from __future__ import annotations

import csv
import json
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from openpyxl import load_workbook
from sqlalchemy import Engine

from bioconnect.cli.main import main
from bioconnect.model.exports import FORMULA_PREFIXES, csv_cell
from bioconnect.settings import Settings
from bioconnect.web import create_app
from hostilekit import INITIATIVE, MARKUP, OWN, PARTNERS, ROWS, SCRIPT, org_ids
from storekit import ROOT

XSD = Path(os.environ.get("BIOCONNECT_GEXF_XSD_DIR", ROOT.parent / "shared/schemas/gexf"))
STORED = {r.stored for r in OWN}
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
ROW = {r.name: r for r in ROWS}

#: The exports, by a name for the test ids: how each is made (CLI arguments or an API path).
CLI = {
    "organisations.csv": ["export", "organisations", "{out}"],
    "organisations.xlsx": ["export", "organisations", "{out}"],
    "organisations.geojson": ["export", "organisations", "{out}"],
    "network.gexf": ["network", "export", "-f", "gexf", "--domain", "health", "-o", "{out}"],
    "network.graphml": ["network", "export", "-f", "graphml", "--domain", "health", "-o", "{out}"],
    "network.csv": ["network", "export", "-f", "csv", "--domain", "health", "-o", "{out}"],
    "network.json": ["network", "export", "-f", "json", "--domain", "health", "-o", "{out}"],
    "metrics.csv": ["network", "metrics", "--domain", "health", "-f", "csv", "-o", "{out}"],
    "plan.xlsx": ["plan", "export", "{out}"],
    "plan.yaml": ["plan", "export", "{out}"],
}
API = {
    "api-organisations.csv": "/api/v1/exports/organisations?format=csv",
    "api-organisations.xlsx": "/api/v1/exports/organisations?format=xlsx",
    "api-organisations.geojson": "/api/v1/exports/organisations?format=geojson",
}


@pytest.fixture(scope="module")
def hostile_cli(hostile_store: Engine) -> Iterator[Engine]:
    """The CLI pointed at the hostile store."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BIOCONNECT_DATABASE_URL", str(hostile_store.url))
        yield hostile_store


@pytest.fixture(scope="module")
def files(hostile_cli: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every export, made once."""
    folder = tmp_path_factory.mktemp("hostile-exports")
    made = {}
    for name, args in CLI.items():
        out = folder / name
        assert main([a.format(out=out) for a in args]) == 0, name
        made[name] = out
    client = TestClient(create_app(hostile_cli, settings=Settings(public_read=True)))
    for name, url in API.items():
        response = client.get(url)
        assert response.status_code == 200, response.text
        made[name] = folder / name
        made[name].write_bytes(response.content)
    # the network CSV export writes nodes and edges next to each other
    made["network-nodes.csv"] = folder / "network-nodes.csv"
    made["network-edges.csv"] = folder / "network-edges.csv"
    return made


def _name_column(rows: list[list[str]]) -> list[str]:
    return [r[rows[0].index("name")] for r in rows[1:]]


@pytest.mark.parametrize(
    "name",
    [
        "organisations.csv",
        "api-organisations.csv",
        "network-nodes.csv",
        "network-edges.csv",
        "metrics.csv",
    ],
)
def test_csv_files_open_with_no_live_formula(name: str, files: dict[str, Path]) -> None:
    with files[name].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    live = [
        c for r in rows for c in r if c.startswith(FORMULA_PREFIXES) and not NUMBER.fullmatch(c)
    ]
    assert live == []
    if name != "network-edges.csv":
        names = set(_name_column(rows))
        # each name as stored, a formula one with the leading quote that keeps it text
        assert {csv_cell(n) for n in STORED} <= names, sorted({csv_cell(n) for n in STORED} - names)
        assert {csv_cell(n) for n in STORED} & {"'" + n for n in STORED}  # some were quoted


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return "".join(
            book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/")
        )


def _cells(path: Path) -> list[Any]:
    book = load_workbook(path)  # opens without error
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("name", ["organisations.xlsx", "api-organisations.xlsx", "plan.xlsx"])
def test_xlsx_files_hold_no_formula(name: str, files: dict[str, Path]) -> None:
    cells = _cells(files[name])
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert re.search(r"<f[ >]", _sheet_xml(files[name])) is None
    values = {c.value for c in cells if isinstance(c.value, str)}
    if name == "plan.xlsx":
        # the lead in a cell, the partners in one cell, a line each
        wanted = {ROW[SCRIPT].stored, "\n".join(ROW[n].stored for n in PARTNERS)}
    else:
        wanted = STORED
    assert wanted <= values, sorted(w[:60] for w in wanted - values)


@pytest.mark.parametrize("name", ["organisations.geojson", "api-organisations.geojson"])
def test_geojson_keeps_the_names(name: str, files: dict[str, Path]) -> None:
    collection = json.loads(files[name].read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in collection["features"]}
    assert names >= STORED


@pytest.fixture(scope="module")
def ids(hostile_store: Engine) -> dict[str, str]:
    return {org_id: name for name, org_id in org_ids(hostile_store).items()}


def test_gexf_is_valid_and_reads_back(files: dict[str, Path], ids: dict[str, str]) -> None:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    path = XSD / "1.3" / "gexf.xsd"
    if not path.is_file():
        pytest.fail(f"The GEXF schema {path} is missing; tests read ../shared/schemas.")
    schema = etree.XMLSchema(etree.parse(str(path), parser))
    document = etree.parse(str(files["network.gexf"]), parser)
    assert schema.validate(document), schema.error_log
    labels = nx.get_node_attributes(nx.read_gexf(files["network.gexf"], version="1.3"), "label")
    assert {k: labels[k] for k in ids} == ids


def test_graphml_reads_back_in_igraph_and_networkx(
    files: dict[str, Path], ids: dict[str, str]
) -> None:
    graph = igraph.Graph.Read_GraphML(str(files["network.graphml"]))
    names = dict(zip(graph.vs["org_id"], graph.vs["name"], strict=True))
    assert {k: names[k] for k in ids} == ids
    again = nx.get_node_attributes(nx.read_graphml(files["network.graphml"]), "name")
    assert set(again.values()) >= set(ids.values())


def test_graphology_json_keeps_the_names(files: dict[str, Path], ids: dict[str, str]) -> None:
    data = json.loads(files["network.json"].read_text(encoding="utf-8"))
    names = {n["key"]: n["attributes"]["name"] for n in data["nodes"]}
    assert {k: names[k] for k in ids} == ids


def test_plan_files_read_back(files: dict[str, Path], hostile_store: Engine) -> None:
    from bioconnect.plan import read_plan

    by_id = org_ids(hostile_store)
    for name in ("plan.xlsx", "plan.yaml"):
        initiative = next(i for i in read_plan(files[name]).initiatives if i.id == INITIATIVE)
        assert initiative.lead is not None
        assert (initiative.lead.name, initiative.lead.org_id) == (SCRIPT, by_id[SCRIPT])
        assert [p.name for p in initiative.partners] == [ROW[n].stored for n in PARTNERS]


def test_exported_files_are_readable_by_others(files: dict[str, Path]) -> None:
    """Files get the permissions of any new file (the umask's), not the owner's alone."""
    umask = os.umask(0)
    os.umask(umask)
    modes = {n: oct(p.stat().st_mode & 0o777) for n, p in files.items() if p.exists()}
    assert len(modes) == len(files) - 1  # network.csv is written as -nodes and -edges
    assert set(modes.values()) == {oct(0o666 & ~umask)}, modes


def test_the_cli_prints_names_as_they_are(
    hostile_cli: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terminal markup in a name neither breaks a table nor styles or links anything."""
    from bioconnect.cli.output import out

    monkeypatch.setattr(out, "width", 400)  # one line a row
    org_id = org_ids(hostile_cli)[MARKUP]
    assert main(["orgs", "search", "Rich markup", "--country", "EE"]) == 0
    assert MARKUP in capsys.readouterr().out
    assert main(["org", "show", org_id]) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[0].startswith(f"{MARKUP}  id {org_id}")
    assert main(["network", "recommend", "--org", org_id, "--domain", "health", "--top", "3"]) == 0
    assert f"{MARKUP} ({org_id}) + " in capsys.readouterr().out
