"""When ties are active: the start years of the projects each pair of organisations shares.

A tie of a collaboration network is active in a year when the two organisations share a
project that starts that year (under the network's own filters: countries, scope,
programmes, domains, groups, weighting); its weight that year is the tie's weight counted
over those projects only. An organisation is present in the years it takes part in a
project. These are what Gephi's timeline shows as spells (see
:func:`bioconnect.network.gexf.write_gexf`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.network.build import build_network
from bioconnect.network.graph import CollaborationNetwork

__all__ = ["ActiveYears", "active_years", "spells"]

_FILTERS = ("countries", "scope", "programmes", "domains", "stakeholder_groups", "weight")


@dataclass(frozen=True)
class ActiveYears:
    """Years of activity of a network's ties and organisations.

    Attributes
    ----------
    edges:
        ``edge`` (position in the network's edge arrays), ``year``, ``weight``.
    nodes:
        ``node`` (position in the node table), ``year``.
    """

    edges: pd.DataFrame
    nodes: pd.DataFrame


def active_years(
    net: CollaborationNetwork,
    participations: pd.DataFrame,
    organisations: pd.DataFrame | None = None,
    project_domains: pd.DataFrame | None = None,
) -> ActiveYears:
    """The years each tie and each organisation of ``net`` is active.

    Parameters
    ----------
    net:
        A network made by :func:`~bioconnect.network.build.build_network` from the same
        frames; its ``params`` give the filters and the year window.
    participations, organisations, project_domains:
        The frames ``net`` was built from.

    Returns
    -------
    ActiveYears
        One row per tie (or organisation) and year, sorted; a year's tie weight uses the
        network's weighting.

    Examples
    --------
    >>> p = pd.DataFrame({"org_id": ["a", "b", "a", "b", "c"],
    ...     "project_id": ["P1", "P1", "P2", "P2", "P3"], "programme": "H2020",
    ...     "start_year": [2015, 2015, 2018, 2018, 2019], "ec_contribution": 1.0,
    ...     "country": "EE"})
    >>> years = active_years(build_network(p), p)
    >>> years.edges.to_dict("list")
    {'edge': [0, 0], 'year': [2015, 2018], 'weight': [1.0, 1.0]}
    >>> years.nodes.groupby("node")["year"].apply(list).tolist()
    [[2015, 2018], [2015, 2018], [2019]]

    References
    ----------
    Bender-deMoll, S. & McFarland, D. A. (2006). The art and science of dynamic network
    visualization. *Journal of Social Structure* 7(2).
    """
    window = pd.to_numeric(participations["start_year"], errors="coerce").dropna().astype(int)
    first, last = net.params.get("start_year"), net.params.get("end_year")
    years = sorted(y for y in window.unique() if (first is None or y >= first))
    years = [y for y in years if last is None or y <= last]
    filters = {k: net.params[k] for k in _FILTERS if net.params.get(k) is not None}
    position = {org: i for i, org in enumerate(net.nodes["org_id"].astype(str))}
    pairs = {
        (min(s, t), max(s, t)): i
        for i, (s, t) in enumerate(zip(net.source.tolist(), net.target.tolist(), strict=True))
    }
    edge_rows: list[pd.DataFrame] = []
    node_rows: list[pd.DataFrame] = []
    for year in years:
        try:
            yearly = build_network(
                participations,
                organisations,
                project_domains,
                start_year=int(year),
                end_year=int(year),
                **filters,
            )
        except InputError:  # nothing under the filters starts that year
            continue
        nodes = yearly.nodes["org_id"].astype(str).map(position)
        node_rows.append(pd.DataFrame({"node": nodes.dropna().astype(int), "year": int(year)}))
        codes = nodes.to_numpy(dtype=float)
        s, t = codes[yearly.source], codes[yearly.target]
        known = ~(np.isnan(s) | np.isnan(t))
        low = np.minimum(s, t)[known].astype(int).tolist()
        high = np.maximum(s, t)[known].astype(int).tolist()
        edges = np.array([pairs.get(k, -1) for k in zip(low, high, strict=True)], dtype=np.int64)
        frame = pd.DataFrame({"edge": edges, "year": int(year), "weight": yearly.weight[known]})
        edge_rows.append(frame[frame["edge"] >= 0])
    edges = pd.concat(edge_rows, ignore_index=True) if edge_rows else _empty("edge", "weight")
    nodes_out = pd.concat(node_rows, ignore_index=True) if node_rows else _empty("node")
    return ActiveYears(
        edges=edges.sort_values(["edge", "year"], ignore_index=True),
        nodes=nodes_out.drop_duplicates().sort_values(["node", "year"], ignore_index=True),
    )


def _empty(key: str, *more: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in (key, "year", *more)})


def spells(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive years merged into closed intervals ``(start, end)``.

    Examples
    --------
    >>> spells([2015, 2016, 2018, 2020, 2021])
    [(2015, 2016), (2018, 2018), (2020, 2021)]

    References
    ----------
    GEXF 1.3 primer, "Spells" (closed intervals).
    """
    out: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if out and year == out[-1][1] + 1:
            out[-1] = (out[-1][0], year)
        else:
            out.append((year, year))
    return out
