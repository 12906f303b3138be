"""Write a collaboration network to files other tools read: GraphML, CSV and a
graphology-compatible JSON for the web (GEXF for Gephi: :mod:`bioconnect.network.gexf`).

Every file goes through :mod:`bioconnect.model.exports`: CSV cells that a spreadsheet would
run as formulas are quoted, characters XML cannot hold are removed from GEXF and GraphML,
and files are written atomically (a failed write leaves no file).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.model import exports
from bioconnect.network.graph import CollaborationNetwork

if TYPE_CHECKING:
    from bioconnect.network.dynamic import ActiveYears

__all__ = [
    "GEXF_VERSIONS",
    "node_table",
    "to_graphology",
    "write_csv",
    "write_graphml",
    "write_graphology_json",
]

#: GEXF versions :func:`write_gexf` can write: version attribute and XML namespace.
GEXF_VERSIONS = {
    "1.3": ("1.3", "http://gexf.net/1.3"),
    "1.2draft": ("1.2", "http://www.gexf.net/1.2draft"),
}


def node_table(net: CollaborationNetwork, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """The node table, joined with extra per-organisation columns (e.g. metrics).

    Parameters
    ----------
    net:
        The collaboration network.
    extra:
        A frame with an ``org_id`` column (e.g. the output of
        :func:`~bioconnect.network.centrality.organisation_metrics`); its other columns are
        added, columns already in the node table are ignored.

    Returns
    -------
    pandas.DataFrame
        One row per node, in node order.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> m = pd.DataFrame({"org_id": ["b", "a"], "score": [2.0, 1.0]})
    >>> node_table(build_network(p), m)["score"].tolist()
    [1.0, 2.0]

    References
    ----------
    None: a join.
    """
    nodes = net.nodes.copy()
    if extra is None:
        return nodes
    if "org_id" not in extra.columns:
        raise InputError("The extra node columns lack 'org_id'.", "Add an org_id column.")
    new = [c for c in extra.columns if c not in nodes.columns]
    extra = extra.drop_duplicates("org_id").set_index("org_id")[new]
    joined = extra.reindex(nodes["org_id"].to_numpy())
    for column in new:
        nodes[column] = joined[column].to_numpy()
    return nodes


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _kind(series: pd.Series) -> str:
    """GEXF/GraphML type of a column: boolean, integer, double or string."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "double"
    return "string"


def _frame_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """The header and rows of ``frame``, missing values as empty cells."""
    values = frame.astype(object).where(frame.notna(), None)
    return [list(frame.columns), *(list(row) for row in values.itertuples(index=False))]


def _python(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_graphml(
    net: CollaborationNetwork,
    path: str | Path,
    *,
    extra: pd.DataFrame | None = None,
    active: ActiveYears | None = None,
) -> Path:
    """Write the network as GraphML (readable by Gephi, yEd, Cytoscape, igraph, networkx).

    Missing strings are written as empty strings and missing numbers as ``NaN``; the build
    parameters are stored as a JSON graph attribute ``params``. GraphML has no time, so
    with ``active`` each edge gets ``first_year``, ``last_year`` and ``years`` (the years
    it is active, ``;``-joined) instead.

    Parameters
    ----------
    net:
        The collaboration network.
    path:
        Output file.
    extra:
        Extra node columns keyed by ``org_id`` (see :func:`node_table`).
    active:
        Active years (:func:`bioconnect.network.dynamic.active_years`).

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import igraph, pandas as pd, tempfile, pathlib
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> out = write_graphml(build_network(p), pathlib.Path(tempfile.mkdtemp()) / "n.graphml")
    >>> g = igraph.Graph.Read_GraphML(str(out)); g.vcount(), g.ecount(), g.vs["org_id"]
    (2, 1, ['a', 'b'])

    References
    ----------
    Brandes, U., Eiglsperger, M., Lerner, J. & Pich, C. (2013). Graph Markup Language
    (GraphML). In *Handbook of Graph Drawing and Visualization*, ch. 16.
    """
    import igraph

    nodes = node_table(net, extra)
    graph = igraph.Graph(
        n=net.n_nodes,
        edges=list(zip(net.source.tolist(), net.target.tolist(), strict=True)),
        directed=False,
    )
    for column in nodes.columns:
        kind = _kind(nodes[column])
        values = nodes[column].tolist()
        if kind == "string":
            values = ["" if _is_missing(v) else exports.xml_text(str(v)) for v in values]
        elif kind == "double":
            values = [float("nan") if _is_missing(v) else float(v) for v in values]
        graph.vs[column] = values
    graph.es["weight"] = net.weight.tolist()
    if active is not None:
        years = active.edges.groupby("edge")["year"]
        first = years.min().reindex(range(net.n_edges))
        graph.es["first_year"] = first.fillna(-1).astype(int).tolist()
        graph.es["last_year"] = (
            years.max().reindex(range(net.n_edges)).fillna(-1).astype(int).tolist()
        )
        joined = years.agg(lambda y: ";".join(str(v) for v in y)).reindex(range(net.n_edges))
        graph.es["years"] = joined.fillna("").tolist()
    graph["params"] = json.dumps(net.params, sort_keys=True, default=str)
    return exports.write_with(path, lambda tmp: graph.write_graphml(str(tmp)))


def write_csv(
    net: CollaborationNetwork,
    nodes_path: str | Path,
    edges_path: str | Path,
    *,
    extra: pd.DataFrame | None = None,
) -> tuple[Path, Path]:
    """Write a node list and an edge list as CSV (UTF-8, comma-separated, header row).

    The node list has the node columns (plus ``extra``); the edge list has ``source, target,
    weight`` with org ids, as Gephi's spreadsheet import expects.

    Parameters
    ----------
    net:
        The collaboration network.
    nodes_path, edges_path:
        Output files.
    extra:
        Extra node columns keyed by ``org_id`` (see :func:`node_table`).

    Returns
    -------
    tuple of pathlib.Path
        The two written files.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _, e = write_csv(build_network(p), d / "nodes.csv", d / "edges.csv")
    >>> e.read_text().splitlines()
    ['source,target,weight', 'a,b,1.0']

    References
    ----------
    Shafranovich, Y. (2005). RFC 4180: Common Format and MIME Type for CSV Files.
    """
    return (
        exports.write_csv(nodes_path, _frame_rows(node_table(net, extra)), lineterminator="\n"),
        exports.write_csv(edges_path, _frame_rows(net.edges()), lineterminator="\n"),
    )


def to_graphology(
    net: CollaborationNetwork, *, extra: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The network as a graphology serialised graph (``graph.import(data)`` in JavaScript).

    Parameters
    ----------
    net:
        The collaboration network.
    extra:
        Extra node columns keyed by ``org_id`` (see :func:`node_table`).

    Returns
    -------
    dict
        ``{"attributes": {...}, "options": {...}, "nodes": [{"key", "attributes"}],
        "edges": [{"key", "source", "target", "undirected", "attributes": {"weight"}}]}``;
        missing values are ``None`` (JSON ``null``), never ``NaN``.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> data = to_graphology(build_network(p))
    >>> data["nodes"][0]["key"], data["edges"][0]["source"], data["edges"][0]["attributes"]
    ('a', 'a', {'weight': 1.0})

    References
    ----------
    Plique, G. et al. graphology: serialization format.
    https://graphology.github.io/serialization.html
    """
    nodes = node_table(net, extra)
    records = nodes.to_dict("records")
    node_list = []
    for record in records:
        attributes = {
            str(k): (None if _is_missing(_python(v)) else _python(v))
            for k, v in record.items()
            if k != "org_id"
        }
        label = attributes.get("name") or f"PIC {record['org_id']}"
        attributes["label"] = label
        node_list.append({"key": str(record["org_id"]), "attributes": attributes})
    ids = [str(v) for v in nodes["org_id"].tolist()]
    edge_list = [
        {
            "key": f"e{index}",
            "source": ids[s],
            "target": ids[t],
            "undirected": True,
            "attributes": {"weight": float(w)},
        }
        for index, (s, t, w) in enumerate(
            zip(net.source.tolist(), net.target.tolist(), net.weight.tolist(), strict=True)
        )
    ]
    return {
        "attributes": {"params": json.loads(json.dumps(net.params, default=str))},
        "options": {"type": "undirected", "multi": False, "allowSelfLoops": False},
        "nodes": node_list,
        "edges": edge_list,
    }


def write_graphology_json(
    net: CollaborationNetwork, path: str | Path, *, extra: pd.DataFrame | None = None
) -> Path:
    """Write :func:`to_graphology` as a JSON file (UTF-8, strict JSON without ``NaN``).

    Parameters
    ----------
    net:
        The collaboration network.
    path:
        Output file.
    extra:
        Extra node columns keyed by ``org_id`` (see :func:`node_table`).

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import json, pandas as pd, tempfile, pathlib
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> out = write_graphology_json(build_network(p), pathlib.Path(tempfile.mkdtemp()) / "n.json")
    >>> len(json.loads(out.read_text())["edges"])
    1

    References
    ----------
    Bray, T. (2017). RFC 8259: The JavaScript Object Notation (JSON) Data Interchange Format.
    """
    text = json.dumps(to_graphology(net, extra=extra), ensure_ascii=False, allow_nan=False)
    return exports.write_text(path, text)
