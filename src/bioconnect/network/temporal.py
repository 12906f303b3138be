"""How the collaboration network changes over time: yearly or rolling-window snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.network.build import build_network
from bioconnect.network.communities import leiden_communities
from bioconnect.network.region import country_matrix, structure_summary

__all__ = ["Timeline", "snapshots"]


@dataclass(frozen=True, eq=False)
class Timeline:
    """Measures tracked over a sequence of time windows.

    Attributes
    ----------
    summary:
        One row per window: ``start_year, end_year`` and the fields of
        :func:`~bioconnect.network.region.structure_summary`, plus ``modularity`` and
        ``n_communities`` (Leiden) when communities were requested.
    country_links:
        Long table, one row per window and unordered country pair with at least one tie:
        ``start_year, end_year, country_a, country_b`` (``country_a <= country_b``; equal for
        domestic ties), ``edges`` and ``weight``.
    params:
        The arguments used.
    """

    summary: pd.DataFrame
    country_links: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def links_between(self, countries: list[str] | tuple[str, ...]) -> pd.DataFrame:
        """Ties per window between the given countries, one column per pair (``"EE-LV"``).

        Pairs among ``countries`` (including domestic ones) with no tie in a window get 0.
        """
        chosen = self.country_links[
            self.country_links["country_a"].isin(countries)
            & self.country_links["country_b"].isin(countries)
        ]
        pair = chosen["country_a"] + "-" + chosen["country_b"]
        wide = chosen.assign(pair=pair).pivot_table(
            index="end_year", columns="pair", values="edges", aggfunc="sum", fill_value=0
        )
        years = self.summary["end_year"].to_numpy()
        ordered = sorted(countries)
        names = [f"{a}-{b}" for i, a in enumerate(ordered) for b in ordered[i:]]
        return wide.reindex(index=years, columns=names, fill_value=0).astype(np.int64)


def snapshots(
    participations: pd.DataFrame,
    organisations: pd.DataFrame | None = None,
    project_domains: pd.DataFrame | None = None,
    *,
    first_year: int | None = None,
    last_year: int | None = None,
    window: int = 1,
    step: int = 1,
    cumulative: bool = False,
    communities: bool = True,
    seed: int = 0,
    **filters: Any,
) -> Timeline:
    """Build one network per time window and track the region measures across windows.

    Window ``t`` ends in year ``y_t = first_year + window - 1 + t * step`` and covers the
    projects that started in ``[y_t - window + 1, y_t]`` (``window=1``: yearly snapshots;
    ``window=3``: three-year rolling windows), or in ``[first_year, y_t]`` when
    ``cumulative`` is true. A window without projects yields a row of zeros.

    Parameters
    ----------
    participations, organisations, project_domains:
        As for :func:`~bioconnect.network.build.build_network`.
    first_year, last_year:
        Range of start years to cover; defaults to the range present in ``participations``.
    window:
        Width of each window in years.
    step:
        Years between consecutive window ends.
    cumulative:
        Grow the window from ``first_year`` instead of sliding it.
    communities:
        Also run Leiden in each window and report modularity (costs time on large networks).
    seed:
        Seed for Leiden.
    **filters:
        Any other keyword of :func:`~bioconnect.network.build.build_network` (``countries``,
        ``scope``, ``programmes``, ``domains``, ``stakeholder_groups``, ``weight``).

    Returns
    -------
    Timeline
        Per-window summary and country-pair links.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"org_id": ["a", "b", "a", "c", "b", "c"],
    ...     "project_id": ["P1", "P1", "P2", "P2", "P3", "P3"], "programme": "H2020",
    ...     "start_year": [2015, 2015, 2016, 2016, 2016, 2016], "ec_contribution": 1.0,
    ...     "country": ["EE", "LV", "EE", "FI", "LV", "FI"]})
    >>> t = snapshots(p, communities=False)
    >>> t.summary[["end_year", "n_nodes", "n_edges"]].values.tolist()
    [[2015, 2, 1], [2016, 3, 2]]
    >>> t.links_between(["EE", "LV"]).to_dict("list")
    {'EE-EE': [0, 0], 'EE-LV': [1, 0], 'LV-LV': [0, 0]}

    References
    ----------
    Wagner, C. S. & Leydesdorff, L. (2005). Network structure, self-organization, and the
    growth of international collaboration in science. *Research Policy* 34(10), 1608–1618.
    """
    if "start_year" in filters or "end_year" in filters:
        raise InputError(
            "snapshots() sets the years of each window itself.",
            "Use first_year and last_year instead of start_year and end_year.",
        )
    if window < 1 or step < 1:
        raise InputError(
            f"window={window} and step={step} must both be at least 1.", "Use e.g. window=1."
        )
    years = pd.to_numeric(participations["start_year"], errors="coerce").dropna()
    if years.empty:
        raise InputError("No participation has a start year.", "Fill start_year in the input.")
    first = int(years.min()) if first_year is None else int(first_year)
    last = int(years.max()) if last_year is None else int(last_year)
    if first + window - 1 > last:
        raise InputError(
            f"The years {first}–{last} hold no complete window of {window} years.",
            "Widen the years or shorten the window.",
        )
    present = set(years.astype(int).tolist())
    rows: list[dict[str, Any]] = []
    links: list[pd.DataFrame] = []
    for end in range(first + window - 1, last + 1, step):
        start = first if cumulative else end - window + 1
        row: dict[str, Any] = {"start_year": start, "end_year": end}
        if not present.intersection(range(start, end + 1)):
            rows.append({**row, **_empty_summary(communities)})
            continue
        try:
            net = build_network(
                participations,
                organisations,
                project_domains,
                start_year=start,
                end_year=end,
                **filters,
            )
        except InputError as error:
            if "No participation matches" not in error.problem:
                raise
            rows.append({**row, **_empty_summary(communities)})
            continue
        row.update(structure_summary(net))
        if communities:
            found = leiden_communities(net, seed=seed)
            row["modularity"] = found.modularity
            row["n_communities"] = found.n_communities
        rows.append(row)
        edges = country_matrix(net, value="edges")
        weights = country_matrix(net, value="weight")
        upper = np.triu(np.ones(edges.shape, dtype=bool))
        a, b = np.nonzero(upper & (edges.to_numpy() > 0))
        labels = edges.index.to_numpy()
        links.append(
            pd.DataFrame(
                {
                    "start_year": start,
                    "end_year": end,
                    "country_a": labels[a],
                    "country_b": labels[b],
                    "edges": edges.to_numpy()[a, b],
                    "weight": weights.to_numpy()[a, b],
                }
            )
        )
    columns = ["start_year", "end_year", "country_a", "country_b", "edges", "weight"]
    country_links = pd.concat(links, ignore_index=True) if links else pd.DataFrame(columns=columns)
    params = {
        "first_year": first,
        "last_year": last,
        "window": window,
        "step": step,
        "cumulative": cumulative,
        "communities": communities,
        "seed": seed,
        **filters,
    }
    return Timeline(pd.DataFrame(rows), country_links, params)


def _empty_summary(communities: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "n_nodes": 0,
        "n_edges": 0,
        "density": np.nan,
        "mean_degree": np.nan,
        "n_components": 0,
        "n_isolates": 0,
        "largest_component_share": np.nan,
        "fragmentation": np.nan,
        "cross_border_edge_share": np.nan,
    }
    if communities:
        row.update({"modularity": np.nan, "n_communities": 0})
    return row
