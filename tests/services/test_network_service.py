"""The network service on the ingested Baltic store (both engines), and its CLI commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest
from sqlalchemy import Engine, func, select

from bioconnect.cli.main import main
from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.network import (
    NetworkQuery,
    export_network,
    network_communities,
    network_matrix,
    network_metrics,
    network_recommendations,
    network_summary,
)
from bioconnect.store import schema

QUERY = NetworkQuery(preset="baltic")


def _cache_rows(engine: Engine, kind: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(schema.table(schema.AnalysisResult))
                .where(schema.AnalysisResult.kind == kind)
            ).scalar()
            or 0
        )


def test_metrics_are_cached_with_their_parameters(baltic_store: Engine) -> None:
    first = network_metrics(baltic_store, QUERY)
    assert {
        "org_id",
        "pic",
        "name",
        "country",
        "degree",
        "pagerank",
        "betweenness",
        "constraint",
        "community",
    } <= set(first.columns)
    assert set(first["country"]) == {"EE", "LV", "LT", "FI"}
    rows = _cache_rows(baltic_store, "network.metrics")
    again = network_metrics(baltic_store, QUERY)
    assert _cache_rows(baltic_store, "network.metrics") == rows
    assert again.equals(first)
    network_metrics(baltic_store, NetworkQuery(countries=("EE", "LV")))
    assert _cache_rows(baltic_store, "network.metrics") == rows + 1
    with baltic_store.connect() as conn:
        params = (
            conn.execute(
                select(schema.AnalysisResult.params).where(
                    schema.AnalysisResult.kind == "network.metrics"
                )
            )
            .scalars()
            .all()
        )
    assert any(json.loads(p)["countries"] == ["EE", "LV"] for p in params)


def test_summary_matrix_communities(baltic_store: Engine) -> None:
    summary = network_summary(baltic_store, QUERY)
    structure = summary.structure
    assert structure.n_nodes > 1000 and 0 < structure.density < 1
    assert 0 < summary.cross_border_share.edges < 1
    matrix = network_matrix(baltic_store, QUERY)
    assert list(matrix.index) == list(matrix.columns)
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    communities = network_communities(baltic_store, QUERY, seed=3)
    assert communities.modularity > 0.3
    assert sum(c.size for c in communities.communities) == structure.n_nodes


def test_recommendations_explain_themselves(baltic_store: Engine) -> None:
    frame = network_recommendations(baltic_store, QUERY, "999895013", top=5)
    assert len(frame) == 5
    assert (frame["org_id"] == "999895013").all()
    assert frame["explanation"].str.startswith("Both work with").all()


@pytest.mark.parametrize(
    ("query", "org", "error", "message"),
    [
        (NetworkQuery(countries=("XX",)), None, InputError, "Unknown country code(s) XX"),
        (
            NetworkQuery(start_year=2030, end_year=2031),
            None,
            InputError,
            "No project starts in the time window",
        ),
        (QUERY, "no-such-org", NotFoundError, "No organisation with id or PIC 'no-such-org'"),
        (NetworkQuery(weight="votes"), None, InputError, "votes"),
    ],
)
def test_bad_parameters(
    baltic_store: Engine, query: NetworkQuery, org: str | None, error: type, message: str
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        network_recommendations(baltic_store, query, org)


def test_exports_round_trip(baltic_store: Engine, tmp_path: Path) -> None:
    summary = network_summary(baltic_store, QUERY).structure
    (gexf,) = export_network(baltic_store, QUERY, "gexf", tmp_path / "baltic.gexf")
    g = nx.read_gexf(gexf)
    assert (g.number_of_nodes(), g.number_of_edges()) == (summary.n_nodes, summary.n_edges)
    (graphml,) = export_network(baltic_store, QUERY, "graphml", tmp_path / "baltic.graphml")
    h = igraph.Graph.Read_GraphML(str(graphml))
    assert (h.vcount(), h.ecount()) == (summary.n_nodes, summary.n_edges)
    nodes, _edges = export_network(baltic_store, QUERY, "csv", tmp_path / "baltic.csv")
    assert nodes.read_text(encoding="utf-8").count("\n") == summary.n_nodes + 1
    (web,) = export_network(baltic_store, QUERY, "json", tmp_path / "baltic.json")
    assert len(json.loads(web.read_text(encoding="utf-8"))["edges"]) == summary.n_edges


@pytest.fixture
def cli_store(baltic_store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI runs against the SQLite store; the service tests above cover both engines."""
    monkeypatch.setenv(
        "BIOCONNECT_DATABASE_URL", baltic_store.url.render_as_string(hide_password=False)
    )


@pytest.mark.parametrize("baltic_store", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["network", "build"], "Collaboration network"),
        (["network", "metrics", "--format", "csv"], "org_id,pic,name,country"),
        (["network", "metrics", "--format", "json", "--countries", "EE,LV"], '"org_id"'),
        (["network", "communities"], "modularity"),
        (["network", "matrix", "--normalise", "row"], "Collaboration between countries"),
        (["network", "recommend", "--org", "999895013", "--top", "3"], "Both work with"),
        (["network", "recommend", "--top", "3"], "score"),
        (["network", "timeline", "--first", "2014", "--last", "2020"], "2020"),
        (["network", "evaluate", "--train-end", "2017"], "common_neighbo"),
    ],
)
def test_cli_commands(
    cli_store: None, capsys: pytest.CaptureFixture[str], args: list[str], expect: str
) -> None:
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert expect in captured.out


@pytest.mark.parametrize("baltic_store", ["sqlite"], indirect=True)
def test_cli_export_and_errors(
    cli_store: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for fmt in ("graphml", "gexf", "csv", "json"):
        assert (
            main(["network", "export", "--format", fmt, "--output", str(tmp_path / f"n.{fmt}")])
            == 0
        )
    dynamic = tmp_path / "years.gexf"
    assert main(["network", "export", "--dynamic", "--from", "2018", "--output", str(dynamic)]) == 0
    text = dynamic.read_text(encoding="utf-8")
    assert 'mode="dynamic"' in text and '<spell start="2018"' in text
    assert '<spell start="2017"' not in text  # the time window holds
    assert 'title="community"' in text and 'title="pagerank"' in text
    capsys.readouterr()
    for args, message in [
        (
            ["network", "export", "--dynamic", "--format", "csv", "--output", "x.csv"],
            "cannot carry time",
        ),
        (["network", "build", "--countries", "XX"], "Unknown country code(s) XX"),
        (
            ["network", "build", "--from", "2030", "--to", "2031"],
            "No project starts in the time window",
        ),
        (["network", "recommend", "--org", "nope"], "No organisation with id or PIC 'nope'"),
        (["network", "export", "--format", "pdf", "--output", "x.pdf"], "Unknown format 'pdf'"),
    ]:
        assert main(args) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


@pytest.mark.parametrize("baltic_store", ["sqlite"], indirect=True)
def test_cli_research_switch(
    baltic_store: Engine, cli_store: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--research focus`` counts the preset's focus domains, as the web pages do by
    default; ``all`` (the default) all research; ``--domain`` chooses over both."""
    from bioconnect.services.network import NetworkQuery, network_summary

    def built(*args: str) -> dict[str, Any]:
        assert main(["network", "build", "--format", "json", *args]) == 0
        return dict(json.loads(capsys.readouterr().out)["structure"])

    everything, focus, marine = (
        built(),
        built("--research", "focus"),
        built("--research", "focus", "--domain", "marine"),
    )
    assert built("--research", "all") == everything
    domains = ("health", "industrial", "agrifood", "marine", "environmental")
    expected = network_summary(baltic_store, NetworkQuery(domains=domains)).structure
    assert focus == expected.model_dump(mode="json")
    assert marine["n_nodes"] < focus["n_nodes"] < everything["n_nodes"]
    assert main(["network", "build", "--research", "biotech"]) == 1
    err = capsys.readouterr().err
    assert "Unknown scope 'biotech'" in err and "Use focus or all" in err


def test_holdout_evaluation_reproduces_the_documented_figures(baltic_store: Engine) -> None:
    """docs/recommendations.md, scope = region: the store gives the same split and scores."""
    from bioconnect.services.network import network_evaluation

    result = network_evaluation(baltic_store, QUERY, train_end=2017)
    assert (
        result.train_nodes,
        result.train_edges,
        result.positives,
        result.candidates,
    ) == (
        767,
        1342,
        405,
        292419,
    )
    table = {row.method: row for row in result.table}
    assert table["common_neighbours"].auc > table["random"].auc == 0.5
    docs = (Path(__file__).parents[2] / "docs/recommendations.md").read_text(encoding="utf-8")
    assert f"| combined | {table['combined'].precision_at_10:.4f} |" in docs
