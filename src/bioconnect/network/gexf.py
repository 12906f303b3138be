"""GEXF for Gephi: the network with typed node attributes and, for a dynamic file, the
years each tie and organisation is active as spells and yearly edge weights."""

from __future__ import annotations

import datetime as _dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pandas as pd

from bioconnect.errors import InputError
from bioconnect.model import exports
from bioconnect.network.dynamic import ActiveYears, spells
from bioconnect.network.export import GEXF_VERSIONS, _is_missing, _kind, _python, node_table
from bioconnect.network.graph import CollaborationNetwork

__all__ = ["write_gexf"]


def _text(kind: str, value: Any) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    return str(value)


def _declare(graph: ET.Element, nodes: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """The static node attributes, declared in order (ids 0, 1, ...); returns their kinds."""
    attributes = ET.SubElement(graph, "attributes", {"class": "node", "mode": "static"})
    kinds = {}
    for index, column in enumerate(columns):
        kind = _kind(nodes[column])
        kinds[column] = kind
        ET.SubElement(
            attributes,
            "attribute",
            {"id": str(index), "title": column, "type": "long" if kind == "integer" else kind},
        )
    return kinds


def _spells(parent: ET.Element, years: list[int]) -> None:
    element = ET.SubElement(parent, "spells")
    for start, end in spells(years):
        ET.SubElement(element, "spell", {"start": str(start), "end": str(end)})


def _nodes(
    graph: ET.Element, nodes: pd.DataFrame, columns: list[str], kinds: dict[str, str], years: Any
) -> list[str]:
    node_parent = ET.SubElement(graph, "nodes", {"count": str(len(nodes))})
    ids = [str(v) for v in nodes["org_id"].tolist()]
    names = nodes["name"].tolist()
    records = nodes[columns].to_dict("records")
    for position, (org, name, record) in enumerate(zip(ids, names, records, strict=True)):
        label = name if isinstance(name, str) and name else f"PIC {org}"
        element = ET.SubElement(node_parent, "node", {"id": org, "label": label})
        values = ET.SubElement(element, "attvalues")
        for index, column in enumerate(columns):
            value = _python(record[column])
            if not _is_missing(value):
                ET.SubElement(
                    values, "attvalue", {"for": str(index), "value": _text(kinds[column], value)}
                )
        if years is not None and position in years.groups:
            _spells(element, years.get_group(position)["year"].tolist())
    return ids


def _edges(
    graph: ET.Element, net: CollaborationNetwork, ids: list[str], active: ActiveYears | None
) -> None:
    edge_parent = ET.SubElement(graph, "edges", {"count": str(net.n_edges)})
    by_edge = active.edges.groupby("edge") if active is not None else None
    for index, (s, t, w) in enumerate(
        zip(net.source.tolist(), net.target.tolist(), net.weight.tolist(), strict=True)
    ):
        element = ET.SubElement(
            edge_parent,
            "edge",
            {"id": str(index), "source": ids[s], "target": ids[t], "weight": repr(float(w))},
        )
        if by_edge is None or index not in by_edge.groups:
            continue
        rows = by_edge.get_group(index)
        values = ET.SubElement(element, "attvalues")
        for year, weight in zip(rows["year"].tolist(), rows["weight"].tolist(), strict=True):
            ET.SubElement(
                values,
                "attvalue",
                {
                    "for": "yearly_weight",
                    "value": repr(float(weight)),
                    "start": str(year),
                    "end": str(year),
                },
            )
        _spells(element, rows["year"].tolist())


def write_gexf(
    net: CollaborationNetwork,
    path: str | Path,
    *,
    extra: pd.DataFrame | None = None,
    version: str = "1.3",
    active: ActiveYears | None = None,
) -> Path:
    """Write the network as GEXF for Gephi.

    Nodes carry their ``org_id`` as id, the organisation name (or ``PIC <id>``) as label and
    every node column (``extra`` included: centralities, community) as a typed attribute;
    edges carry the weight. Missing values are left out (GEXF allows an absent value).
    With ``active`` the graph is dynamic (integer years): each tie has spells for the years
    it is active and a dynamic attribute ``yearly_weight`` for each of those years, and
    each organisation has spells for the years it takes part in a project.

    Parameters
    ----------
    net:
        The collaboration network.
    path:
        Output file.
    extra:
        Extra node columns keyed by ``org_id`` (see :func:`node_table`).
    version:
        ``"1.3"`` (Gephi 0.9+, default) or ``"1.2draft"`` (older readers).
    active:
        Active years (:func:`bioconnect.network.dynamic.active_years`); GEXF 1.3 only.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import networkx as nx, pandas as pd, tempfile, pathlib
    >>> from bioconnect.network import build_network
    >>> from bioconnect.network.dynamic import active_years
    >>> p = pd.DataFrame({"org_id": ["a", "b"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> net = build_network(p)
    >>> out = write_gexf(net, pathlib.Path(tempfile.mkdtemp()) / "n.gexf")
    >>> g = nx.read_gexf(out, version="1.3"); sorted(g.nodes), g.number_of_edges()
    (['a', 'b'], 1)
    >>> out = write_gexf(net, out, active=active_years(net, p))
    >>> "<spell start=\\"2016\\" end=\\"2016\\" />" in out.read_text()
    True

    References
    ----------
    GEXF Working Group (2009–2022). GEXF File Format, versions 1.2 and 1.3 (dynamics:
    spells and dynamic attribute values). https://gexf.net/
    """
    if version not in GEXF_VERSIONS:
        raise InputError(
            f"Unknown GEXF version {version!r}.", f"Use one of {', '.join(GEXF_VERSIONS)}."
        )
    if active is not None and version != "1.3":
        raise InputError("A dynamic GEXF needs version 1.3.", "Use version 1.3.")
    number, namespace = GEXF_VERSIONS[version]
    nodes = node_table(net, extra)
    root = ET.Element("gexf", {"xmlns": namespace, "version": number})
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": _dt.date.today().isoformat()})
    ET.SubElement(meta, "creator").text = "bioconnect"
    ET.SubElement(meta, "description").text = "Organisation collaboration network " + json.dumps(
        net.params, sort_keys=True, default=str
    )
    mode = {"mode": "static"}
    if active is not None:
        mode = {"mode": "dynamic", "timeformat": "integer", "timerepresentation": "interval"}
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", **mode})
    columns = [c for c in nodes.columns if c != "org_id"]
    kinds = _declare(graph, nodes, columns)
    if active is not None:
        dynamic = ET.SubElement(graph, "attributes", {"class": "edge", "mode": "dynamic"})
        ET.SubElement(
            dynamic,
            "attribute",
            {"id": "yearly_weight", "title": "yearly_weight", "type": "double"},
        )
    years = active.nodes.groupby("node") if active is not None else None
    ids = _nodes(graph, nodes, columns, kinds, years)
    _edges(graph, net, ids, active)
    # XML-safe text, indented, written atomically (bioconnect.model.exports)
    return exports.write_xml(path, root)
