"""Exports: round trips through igraph, networkx and pandas, and GEXF schema checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import igraph
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from lxml import etree

from bioconnect.errors import InputError
from bioconnect.network import (
    organisation_metrics,
    to_graphology,
    write_csv,
    write_gexf,
    write_graphml,
    write_graphology_json,
)
from bioconnect.network.export import GEXF_VERSIONS
from storekit import ROOT

# The official GEXF XML Schemas, one folder per version (gexf/1.3, gexf/1.2draft), as
# published by the GEXF working group; see ../shared/schemas/README.md.
# BIOCONNECT_GEXF_XSD_DIR points at another copy with the same layout.
XSD_DIR = Path(os.environ.get("BIOCONNECT_GEXF_XSD_DIR", ROOT.parent / "shared/schemas/gexf"))


@pytest.fixture(scope="module")
def metrics(baltic) -> pd.DataFrame:
    return organisation_metrics(baltic)


def test_graphml_round_trip(baltic, metrics, tmp_path: Path) -> None:
    out = write_graphml(baltic, tmp_path / "n.graphml", extra=metrics)
    graph = igraph.Graph.Read_GraphML(str(out))
    assert (graph.vcount(), graph.ecount()) == (baltic.n_nodes, baltic.n_edges)
    assert graph.vs["org_id"] == baltic.nodes["org_id"].tolist()
    assert sum(graph.es["weight"]) == pytest.approx(baltic.weight.sum())
    assert graph.vs["pagerank"] == pytest.approx(metrics["pagerank"].tolist())
    assert json.loads(graph["params"])["countries"] == ["EE", "LV", "LT", "FI"]
    again = nx.read_graphml(out)
    assert again.number_of_edges() == baltic.n_edges


@pytest.mark.parametrize("version", list(GEXF_VERSIONS))
def test_gexf_round_trip(baltic, metrics, tmp_path: Path, version: str) -> None:
    out = write_gexf(baltic, tmp_path / "n.gexf", extra=metrics, version=version)
    graph = nx.read_gexf(out, version=version)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (baltic.n_nodes, baltic.n_edges)
    first = baltic.nodes.iloc[0]
    data = graph.nodes[first["org_id"]]
    assert data["country"] == first["country"]
    assert data["degree"] == metrics.iloc[0]["degree"]
    assert sum(w for _, _, w in graph.edges(data="weight")) == pytest.approx(baltic.weight.sum())
    with pytest.raises(InputError, match="GEXF version"):
        write_gexf(baltic, tmp_path / "x.gexf", version="2.0")


def gexf_structure_errors(path: Path) -> list[str]:
    """What Gephi's reader relies on beyond the schema (ids, counts, declared types)."""
    root = etree.parse(str(path)).getroot()
    ns = root.nsmap[None]
    q = lambda tag: f"{{{ns}}}{tag}"  # noqa: E731
    errors = []
    if root.tag != q("gexf") or root.get("version") not in {"1.2", "1.3"}:
        errors.append("root")
    graph = root.find(q("graph"))
    if graph is None or graph.get("defaultedgetype") != "undirected":
        errors.append("graph")
        return errors
    declared = {a.get("id"): a.get("type") for a in graph.iter(q("attribute"))}
    allowed = {"string", "long", "integer", "double", "float", "boolean"}
    errors += [f"type {t}" for t in declared.values() if t not in allowed]
    ids = [n.get("id") for n in graph.iter(q("node"))]
    if len(set(ids)) != len(ids) or int(graph.find(q("nodes")).get("count")) != len(ids):
        errors.append("node ids")
    known = set(ids)
    for edge in graph.iter(q("edge")):
        if edge.get("source") not in known or edge.get("target") not in known:
            errors.append("dangling edge")
        float(edge.get("weight"))
    for value in graph.iter(q("attvalue")):
        kind = declared.get(value.get("for"))
        if kind is None:
            errors.append("undeclared attribute")
        elif kind in {"long", "integer"}:
            int(value.get("value"))
        elif kind == "double":
            float(value.get("value"))
    return errors


@pytest.mark.parametrize("version", list(GEXF_VERSIONS))
def test_gexf_structure(baltic, metrics, tmp_path: Path, version: str) -> None:
    out = write_gexf(baltic, tmp_path / "n.gexf", extra=metrics, version=version)
    assert gexf_structure_errors(out) == []


def gexf_schema(version: str) -> etree.XMLSchema:
    """The official XSD of one GEXF version, its includes and imports read from its folder."""
    path = XSD_DIR / version / "gexf.xsd"
    if not path.is_file():
        pytest.fail(f"The GEXF schema {path} is missing; tests read ../shared/schemas.")
    # Every schemaLocation in the published files is relative, so lxml resolves them
    # next to gexf.xsd; no_network makes sure nothing is ever fetched.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


@pytest.mark.parametrize("version", list(GEXF_VERSIONS))
def test_gexf_validates_against_official_schema(baltic, metrics, tmp_path, version) -> None:
    schema = gexf_schema(version)
    out = write_gexf(baltic, tmp_path / "n.gexf", extra=metrics, version=version)
    document = etree.parse(str(out))
    assert document.getroot().nsmap[None] == GEXF_VERSIONS[version][1]
    assert schema.validate(document), schema.error_log


@pytest.mark.parametrize("version", list(GEXF_VERSIONS))
def test_gexf_schema_rejects_a_broken_export(baltic, tmp_path, version) -> None:
    """The schema test can fail: an edge without its target is invalid in both versions."""
    document = etree.parse(str(write_gexf(baltic, tmp_path / "n.gexf", version=version)))
    edge = next(document.getroot().iter(f"{{{GEXF_VERSIONS[version][1]}}}edge"))
    del edge.attrib["target"]
    assert not gexf_schema(version).validate(document)


def test_csv_round_trip(baltic, metrics, tmp_path: Path) -> None:
    nodes_path, edges_path = write_csv(
        baltic, tmp_path / "nodes.csv", tmp_path / "edges.csv", extra=metrics
    )
    nodes = pd.read_csv(nodes_path, dtype={"org_id": str, "pic": str})
    edges = pd.read_csv(edges_path, dtype={"source": str, "target": str})
    assert len(nodes) == baltic.n_nodes and len(edges) == baltic.n_edges
    assert set(edges["source"]) | set(edges["target"]) <= set(nodes["org_id"])
    assert nodes["betweenness"].to_numpy() == pytest.approx(metrics["betweenness"].to_numpy())


def test_graphology_json_round_trip(baltic, metrics, tmp_path: Path) -> None:
    out = write_graphology_json(baltic, tmp_path / "n.json", extra=metrics)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["options"] == {"type": "undirected", "multi": False, "allowSelfLoops": False}
    assert len(data["nodes"]) == baltic.n_nodes and len(data["edges"]) == baltic.n_edges
    assert {"key", "attributes"} <= set(data["nodes"][0])
    assert {"source", "target", "attributes"} <= set(data["edges"][0])
    graph = nx.Graph()
    graph.add_nodes_from(n["key"] for n in data["nodes"])
    graph.add_edges_from((e["source"], e["target"]) for e in data["edges"])
    assert graph.number_of_nodes() == baltic.n_nodes
    assert graph.number_of_edges() == baltic.n_edges
    isolate = next(n for n in data["nodes"] if n["attributes"]["degree"] == 0)
    assert isolate["attributes"]["constraint"] is None  # NaN becomes null
    assert to_graphology(baltic)["nodes"][0]["attributes"]["label"]


def test_gexf_and_graphml_carry_domain_community_and_centralities(
    baltic, metrics, tmp_path: Path
) -> None:
    wanted = {"domain", "community", "degree", "strength", "pagerank", "eigenvector"}
    wanted |= {"betweenness", "coreness", "constraint"}
    gexf = etree.parse(str(write_gexf(baltic, tmp_path / "n.gexf", extra=metrics)))
    titles = {a.get("title") for a in gexf.getroot().iter("{http://gexf.net/1.3}attribute")}
    assert wanted <= titles
    graph = igraph.Graph.Read_GraphML(
        str(write_graphml(baltic, tmp_path / "n.graphml", extra=metrics))
    )
    assert wanted <= set(graph.vs.attributes())
    domains = [d for d in graph.vs["domain"] if d]
    assert domains and set(domains) <= {
        "health",
        "agrifood",
        "industrial",
        "marine",
        "environmental",
    }
    assert graph.vs["community"] == pytest.approx(metrics["community"].tolist())


@pytest.fixture(scope="module")
def active(baltic, h2020):
    from bioconnect.network import active_years

    return active_years(baltic, h2020.participations, h2020.organisations, h2020.project_domains)


def test_tie_years_are_the_start_years_of_shared_projects(baltic, h2020, active) -> None:
    """Oracle: the shared projects of a few ties, joined by hand with pandas."""
    p = h2020.participations.dropna(subset=["org_id"])
    ids = baltic.nodes["org_id"].astype(str).tolist()
    heavy = [*np.argsort(-baltic.weight)[:5].tolist(), 0, baltic.n_edges - 1]
    for edge in heavy:
        a, b = ids[baltic.source[edge]], ids[baltic.target[edge]]
        shared = set(p.loc[p["org_id"].astype(str) == a, "project_id"]) & set(
            p.loc[p["org_id"].astype(str) == b, "project_id"]
        )
        starts = p[p["project_id"].isin(shared)].drop_duplicates("project_id")["start_year"]
        rows = active.edges[active.edges["edge"] == edge]
        assert rows["year"].tolist() == sorted(starts.astype(int).unique())
        assert rows["weight"].sum() == pytest.approx(baltic.weight[edge])
    assert set(active.edges["edge"]) == set(range(baltic.n_edges))


def test_a_dynamic_gexf_validates_against_gexf_1_3_and_carries_spells(
    baltic, metrics, active, tmp_path: Path
) -> None:
    out = write_gexf(baltic, tmp_path / "d.gexf", extra=metrics, active=active)
    document = etree.parse(str(out))
    schema = gexf_schema("1.3")
    assert schema.validate(document), schema.error_log
    assert gexf_structure_errors(out) == []
    ns = "{http://gexf.net/1.3}"
    graph = document.getroot().find(f"{ns}graph")
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "integer")
    edges = list(graph.iter(f"{ns}edge"))
    assert all(e.find(f"{ns}spells") is not None for e in edges)
    first = edges[0].find(f"{ns}spells")
    years = active.edges[active.edges["edge"] == 0]["year"].tolist()
    spans = [(int(s.get("start")), int(s.get("end"))) for s in first]
    assert [y for lo, hi in spans for y in range(lo, hi + 1)] == years
    yearly = [v for v in edges[0].iter(f"{ns}attvalue") if v.get("for") == "yearly_weight"]
    assert [int(v.get("start")) for v in yearly] == years
    nodes_with_spells = [n for n in graph.iter(f"{ns}node") if n.find(f"{ns}spells") is not None]
    assert len(nodes_with_spells) == baltic.n_nodes
    with pytest.raises(InputError, match=r"version 1\.3"):
        write_gexf(baltic, tmp_path / "x.gexf", active=active, version="1.2draft")


def test_the_schema_rejects_a_dynamic_gexf_with_a_bad_spell(baltic, active, tmp_path) -> None:
    document = etree.parse(str(write_gexf(baltic, tmp_path / "d.gexf", active=active)))
    spell = next(document.getroot().iter("{http://gexf.net/1.3}spell"))
    spell.set("start", "the nineties")
    assert not gexf_schema("1.3").validate(document)


def test_a_dynamic_graphml_has_the_years_of_each_tie(baltic, active, tmp_path: Path) -> None:
    out = write_graphml(baltic, tmp_path / "d.graphml", active=active)
    graph = igraph.Graph.Read_GraphML(str(out))
    years = active.edges[active.edges["edge"] == 0]["year"].tolist()
    assert graph.es[0]["years"] == ";".join(map(str, years))
    assert (graph.es[0]["first_year"], graph.es[0]["last_year"]) == (years[0], years[-1])
