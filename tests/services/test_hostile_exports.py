"""Hostile names in every export (issue 11, item 5): formula prefixes neutralised in CSV, no
formula cell in XLSX, well-formed GEXF/GraphML, and no file left behind by a failing write.

The organisations below are illustrative rows made up for these tests (not real data).
"""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from lxml import etree
from openpyxl import load_workbook
from sqlalchemy import Engine, insert

from bioconnect.network import CollaborationNetwork, build_network
from bioconnect.network.export import write_csv, write_graphml
from bioconnect.network.gexf import write_gexf
from bioconnect.services.export import export_organisations
from bioconnect.store import schema

HOSTILE = '=HYPERLINK("http://evil.example","click")\x07 \u202eevil\u202c'
NAMES = {
    "org-1": HOSTILE,
    "org-2": "+1+cmd|' /C calc'!A0",
    "org-3": "@SUM(1+1)*cmd",
    "org-4": "-2+3",
}


def _store_hostile(engine: Engine) -> None:
    rows = [
        {"id": k, "name": v, "country": "EE", "n_projects": 1, "search_text": ""}
        for k, v in NAMES.items()
    ]
    with engine.begin() as conn:
        conn.execute(insert(schema.table(schema.Organisation)), rows)


def test_a_csv_export_neutralises_formula_prefixes(engine: Engine, tmp_path: Path) -> None:
    _store_hostile(engine)
    out = tmp_path / "orgs.csv"
    export_organisations(engine, out, countries=["EE"])
    with out.open(newline="", encoding="utf-8") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    assert sorted(names) == sorted("'" + n for n in NAMES.values())


def test_an_xlsx_export_has_no_formula_and_no_control_character(
    engine: Engine, tmp_path: Path
) -> None:
    _store_hostile(engine)
    out = tmp_path / "export" / "orgs.xlsx"
    export_organisations(engine, out, countries=["EE"])
    sheet = load_workbook(out)["organisations"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    names = {c.value for c in cells if c.column == 4 and c.row > 1}
    assert HOSTILE.replace("\x07", "") in names
    assert not any("\x07" in str(c.value) for c in cells)
    assert list(out.parent.iterdir()) == [out]  # no temporary file left


def _hostile_network() -> CollaborationNetwork:
    ids = ["org-1", "org-2", "org-3"]
    participations = pd.DataFrame(
        {
            "org_id": ids,
            "project_id": "P1",
            "programme": "H2020",
            "start_year": 2016,
            "ec_contribution": 1.0,
            "country": "EE",
        }
    )
    organisations = pd.DataFrame(
        {
            "org_id": ids,
            "pic": None,
            "name": [NAMES["org-1"], NAMES["org-2"], "Tartu\x00\x1b[31m"],
            "country": "EE",
            "stakeholder_group": "industry",
        }
    )
    return build_network(participations, organisations)


def test_gexf_and_graphml_are_well_formed_with_control_characters(tmp_path: Path) -> None:
    net = _hostile_network()
    gexf = write_gexf(net, tmp_path / "n.gexf")
    graphml = write_graphml(net, tmp_path / "n.graphml")
    for out in (gexf, graphml):
        etree.parse(str(out))  # well-formed XML 1.0
    labels = nx.get_node_attributes(nx.read_gexf(gexf, version="1.3"), "label")
    assert labels["org-1"] == HOSTILE.replace("\x07", "")
    names = nx.get_node_attributes(nx.read_graphml(graphml), "name")
    assert HOSTILE.replace("\x07", "") in names.values()
    assert "Tartu[31m" in names.values()


def test_network_csv_neutralises_formula_prefixes(tmp_path: Path) -> None:
    nodes, _ = write_csv(_hostile_network(), tmp_path / "n.csv", tmp_path / "e.csv")
    names = pd.read_csv(nodes, dtype=str)["name"].tolist()
    assert all(n.startswith("'") for n in names[:2])


def test_a_failing_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import igraph

    def broken(self: igraph.Graph, path: str) -> None:
        Path(path).write_text("<?xml version='1.0'?><graphml")  # truncated
        raise OSError("disk full")

    monkeypatch.setattr(igraph.Graph, "write_graphml", broken)
    with pytest.raises(OSError, match="disk full"):
        write_graphml(_hostile_network(), tmp_path / "n.graphml")
    assert list(tmp_path.iterdir()) == []


def test_plan_benchmark_and_outcome_writers_use_the_export_writer(tmp_path: Path) -> None:
    from bioconnect.plan import Goal, Plan, read_xlsx, write_xlsx
    from bioconnect.services.outcomes.views import CsvWriter

    title = HOSTILE.replace("\x07", "")  # plans refuse control characters at entry
    plan = Plan(name="Demo", region="baltic", goals=[Goal(id="G1", title=title)])
    out = write_xlsx(plan, tmp_path / "plan.xlsx")
    assert read_xlsx(out).goals[0].title == title
    assert all(c.data_type != "f" for row in load_workbook(out)["Goals"].iter_rows() for c in row)
    assert CsvWriter.__module__ == "bioconnect.model.exports"
