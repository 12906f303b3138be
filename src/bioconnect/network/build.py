"""Build the organisation collaboration network from project participations.

Nodes are organisations; an edge joins two organisations that took part in at least one
common project. The network is the one-mode projection ``B @ B.T`` of the organisation x
project incidence matrix ``B`` (Newman 2001), computed with scipy sparse matrices.

References
----------
Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest paths, weighted
networks, and centrality. *Physical Review E* 64, 016132.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from bioconnect.errors import InputError, NothingMatches
from bioconnect.network.graph import CollaborationNetwork

if TYPE_CHECKING:
    pass

__all__ = [
    "DOMAINS",
    "SCOPES",
    "STAKEHOLDER_GROUPS",
    "WEIGHTS",
    "CollaborationNetwork",
    "build_network",
]

#: Thematic domains a project can carry in ``project_domains``.
DOMAINS = ("health", "industrial", "agrifood", "marine", "environmental")
#: Stakeholder groups an organisation can belong to.
STAKEHOLDER_GROUPS = ("academia", "industry", "investors", "public", "intermediaries", "other")
#: Edge weightings understood by :func:`build_network`.
WEIGHTS = ("projects", "fractional", "funding")
#: Country scopes understood by :func:`build_network`.
SCOPES = ("region", "region_plus_partners")

_PARTICIPATION_COLUMNS = (
    "org_id",
    "project_id",
    "programme",
    "start_year",
    "ec_contribution",
    "country",
)
_ORGANISATION_COLUMNS = ("org_id", "pic", "name", "country", "stakeholder_group")
_NODE_COLUMNS = (
    "org_id",
    "pic",
    "name",
    "country",
    "stakeholder_group",
    "domain",
    "n_projects",
    "ec_contribution",
)
# CORDIS writes UK and EL where ISO 3166 has GB and GR.
_CORDIS_HINTS = {"GB": "UK", "GR": "EL"}


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"The {name} table lacks column(s) {', '.join(missing)}.",
            f"Pass a frame with columns {', '.join(columns)}.",
        )


def _as_tuple(values: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return (values,)
    return tuple(values)


def _check_choice(
    values: tuple[str, ...] | None,
    allowed: Iterable[str],
    what: str,
    error: type[InputError] = InputError,
) -> None:
    if values is None:
        return
    allowed = tuple(allowed)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise error(
            f"Unknown {what} {', '.join(map(repr, unknown))}.",
            f"Use one of {', '.join(allowed)}.",
        )


def _as_str(values: pd.Series) -> pd.Series:
    return values if pd.api.types.is_string_dtype(values) else values.astype(str)


def _upper_triangle(product: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries above the diagonal of a symmetric matrix with a positive value, by (row, column).

    The lower triangle's columns are the upper triangle's rows; converting the lower
    triangle to CSC (a linear-time counting sort) lists each column's rows in order, which
    is the canonical (source, target) order, whatever the order of the input rows.
    """
    csr = sp.csr_matrix(product)
    n = csr.shape[0]
    rows = np.repeat(np.arange(n, dtype=csr.indices.dtype), np.diff(csr.indptr))
    lower = (csr.indices < rows) & (csr.data > 0)
    low = sp.csc_matrix(
        sp.coo_matrix((csr.data[lower], (rows[lower], csr.indices[lower])), shape=csr.shape)
    )
    source = np.repeat(np.arange(n, dtype=np.int64), np.diff(low.indptr))
    return source, low.indices.astype(np.int64), low.data.astype(float)


def _object_column(values: pd.Series) -> pd.Series:
    """A column of Python strings with ``None`` for missing values."""
    out = values.astype(object)
    return out.where(out.notna(), None)


def build_network(
    participations: pd.DataFrame,
    organisations: pd.DataFrame | None = None,
    project_domains: pd.DataFrame | None = None,
    *,
    countries: str | Iterable[str] | None = None,
    scope: str = "region",
    programmes: str | Iterable[str] | None = None,
    domains: str | Iterable[str] | None = None,
    stakeholder_groups: str | Iterable[str] | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
    weight: str = "projects",
) -> CollaborationNetwork:
    """Project participations onto an organisation collaboration network.

    Parameters
    ----------
    participations:
        Columns ``org_id, project_id, programme, start_year, ec_contribution, country``; one
        row per organisation and project (exact duplicates of a pair are counted once).
    organisations:
        Columns ``org_id, pic, name, country, stakeholder_group``. Optional: without it the
        nodes carry no name, PIC or stakeholder group, and the country of the participation.
    project_domains:
        Columns ``project_id, domain``; zero or more rows per project. Needed for the
        ``domains`` filter and for the node ``domain`` / :attr:`domain_profile`.
    countries:
        CORDIS country codes of the region (``"EE"`` or ``["EE", "LV", "LT", "FI"]``).
        ``None`` keeps every country and ignores ``scope``.
    scope:
        ``"region"``: only organisations of ``countries``, joined by the projects they share.
        ``"region_plus_partners"``: every participant of the projects that have at least one
        organisation of ``countries``, with all ties formed in those projects (partners are
        also tied to each other when they met in such a project).
    programmes:
        Keep projects of these programmes only (e.g. ``"H2020"``, ``"HORIZON"``).
    domains:
        Keep projects that carry at least one of these domains.
    stakeholder_groups:
        Keep organisations of these groups only (applies to partners too).
    start_year, end_year:
        Keep projects whose start year lies in ``[start_year, end_year]`` (inclusive).
        Projects without a start year are dropped when either bound is given.
    weight:
        ``"projects"``: number of shared projects. ``"fractional"``: sum over shared projects
        of ``1 / (n - 1)``, where ``n`` is the number of participants of the project after the
        programme, domain and year filters (the project's full consortium, not only the
        organisations kept by ``countries``), so each participant spreads one unit of tie
        strength per project (Newman 2001). ``"funding"``: sum over shared projects of the
        mean of the two organisations' EC contributions in that project, an unknown
        contribution counting as 0; the tie exists even when this weight is 0.

    Returns
    -------
    CollaborationNetwork
        Nodes sorted by ``org_id``; ``params`` holds the arguments above.

    Raises
    ------
    InputError
        For a missing column, an unknown scope, domain, stakeholder group or weight; as
        ``NothingMatches`` for filters that select nothing (a country or programme no
        participation has, an empty year window, no participation left).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({
    ...     "org_id": ["a", "b", "c", "a", "c"],
    ...     "project_id": ["P1", "P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016,
    ...     "ec_contribution": [10.0, 20.0, None, 5.0, 5.0],
    ...     "country": ["EE", "LV", "FI", "EE", "FI"]})
    >>> net = build_network(p)
    >>> net.edges().to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'source': 'a', 'target': 'b', 'weight': 1.0},
     {'source': 'a', 'target': 'c', 'weight': 2.0},
     {'source': 'b', 'target': 'c', 'weight': 1.0}]
    >>> build_network(p, countries=["EE", "LV"]).n_edges
    1
    >>> build_network(p, weight="fractional").edges()["weight"].tolist()
    [0.5, 1.5, 0.5]

    References
    ----------
    Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest paths, weighted
    networks, and centrality. *Physical Review E* 64, 016132.
    """
    _require_columns(participations, _PARTICIPATION_COLUMNS, "participations")
    country_list = _as_tuple(countries)
    programme_list = _as_tuple(programmes)
    domain_list = _as_tuple(domains)
    group_list = _as_tuple(stakeholder_groups)
    _check_choice((scope,), SCOPES, "scope")
    _check_choice((weight,), WEIGHTS, "weight")
    _check_choice(domain_list, DOMAINS, "domain")
    _check_choice(group_list, STAKEHOLDER_GROUPS, "stakeholder group")
    if start_year is not None and end_year is not None and start_year > end_year:
        raise NothingMatches(
            f"The time window {start_year}–{end_year} is empty: the start year is after the end.",
            "Give start_year <= end_year.",
        )
    params: dict[str, Any] = {
        "countries": list(country_list) if country_list is not None else None,
        "scope": scope if country_list is not None else None,
        "programmes": list(programme_list) if programme_list is not None else None,
        "domains": list(domain_list) if domain_list is not None else None,
        "stakeholder_groups": list(group_list) if group_list is not None else None,
        "start_year": start_year,
        "end_year": end_year,
        "weight": weight,
    }

    org_codes, org_ids = pd.factorize(_as_str(participations["org_id"]), sort=True)
    proj_codes, proj_ids = pd.factorize(_as_str(participations["project_id"]))
    # rows without an organisation or project id cannot be placed in the network
    keep = (org_codes >= 0) & (proj_codes >= 0)
    if country_list is not None:
        _check_countries(participations["country"], country_list)
    if programme_list is not None:
        programme = participations["programme"]
        known = sorted(programme.dropna().unique())
        _check_choice(programme_list, known, "programme", NothingMatches)
        keep &= programme.isin(programme_list).to_numpy(dtype=bool)
    if start_year is not None or end_year is not None:
        keep &= _year_window(participations["start_year"], keep, start_year, end_year)

    # sparse projects x domains, 1 where a project carries a domain
    project_domain, domain_names = _project_domain_matrix(project_domains, proj_ids)
    if domain_list is not None:
        if project_domain is None:
            raise InputError(
                "A domain filter was given without project domains.",
                "Pass project_domains (project_id, domain) or drop the domain filter.",
            )
        columns = [domain_names.index(d) for d in domain_list if d in domain_names]
        in_domain = np.asarray(project_domain[:, columns].sum(axis=1)).ravel() > 0
        keep &= in_domain[proj_codes]

    orgs = _org_attributes(participations, organisations, org_codes, org_ids)
    project_size = None
    if weight == "fractional":
        # consortium size after the project filters; converting to CSR merges duplicates
        full = sp.csr_matrix(
            (np.ones(int(keep.sum())), (org_codes[keep], proj_codes[keep])),
            shape=(len(org_ids), len(proj_ids)),
        )
        project_size = np.bincount(full.indices, minlength=len(proj_ids))
    keep = _scope_rows(
        keep, orgs, org_codes, proj_codes, len(proj_ids), country_list, scope, group_list
    )
    if not keep.any():
        raise NothingMatches(
            f"No participation matches the filters {params}.",
            "Widen the filters (countries, programmes, domains, groups or years).",
        )

    links = _links(org_codes[keep], proj_codes[keep], participations, keep, len(proj_ids))
    source, target, values = _tie_weights(links, weight, project_size)
    nodes, profile = _node_table(orgs, links, project_domain, domain_names)
    return CollaborationNetwork(
        nodes=nodes[list(_NODE_COLUMNS)],
        source=source,
        target=target,
        weight=values,
        params=params,
        domain_profile=profile,
    )


def _check_countries(country: pd.Series, country_list: tuple[str, ...]) -> None:
    """Refuse country codes that no participation has, with the CORDIS spelling as a hint."""
    known = {c for c in pd.unique(country.to_numpy(dtype=object)) if isinstance(c, str)}
    unknown = [c for c in country_list if c not in known]
    if unknown:
        hints = [f"{c} is {_CORDIS_HINTS[c]} in CORDIS" for c in unknown if c in _CORDIS_HINTS]
        raise NothingMatches(
            f"Unknown country code(s) {', '.join(unknown)}: no participation has them.",
            ("; ".join(hints) + ". " if hints else "")
            + "Use CORDIS two-letter codes, e.g. "
            + ", ".join(sorted(known)[:12])
            + ".",
        )


def _year_window(
    start_years: pd.Series, keep: np.ndarray, start_year: int | None, end_year: int | None
) -> np.ndarray:
    """Rows whose project starts in ``[start_year, end_year]``; refuses an empty window."""
    years = pd.to_numeric(start_years, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    window = ~np.isnan(years)
    if start_year is not None:
        window &= years >= start_year
    if end_year is not None:
        window &= years <= end_year
    if not (keep & window).any():
        span = years[~np.isnan(years)]
        covered = f"{int(span.min())}–{int(span.max())}" if len(span) else "none"
        raise NothingMatches(
            f"No project starts in the time window {_window_text(start_year, end_year)}.",
            f"Choose years the data covers ({covered}).",
        )
    return window


def _project_domain_matrix(
    project_domains: pd.DataFrame | None, proj_ids: pd.Index
) -> tuple[sp.csr_matrix | None, list[str]]:
    """Projects x domains (1 where a project carries a domain) and the domains' names."""
    if project_domains is None or project_domains.empty:
        return None, []
    _require_columns(project_domains, ("project_id", "domain"), "project_domains")
    tag_project = pd.Index(proj_ids).get_indexer(project_domains["project_id"].astype(str))
    tag_codes, tag_names = pd.factorize(project_domains["domain"], sort=True)
    hit = (tag_project >= 0) & (tag_codes >= 0)
    domain_names = [str(d) for d in tag_names]
    matrix = sp.csr_matrix(
        (np.ones(int(hit.sum())), (tag_project[hit], tag_codes[hit])),
        shape=(len(proj_ids), len(domain_names)),
    )
    matrix.data[:] = 1.0  # a domain listed twice for a project counts once
    return matrix, domain_names


def _scope_rows(
    keep: np.ndarray,
    orgs: dict[str, np.ndarray],
    org_codes: np.ndarray,
    proj_codes: np.ndarray,
    n_projects: int,
    country_list: tuple[str, ...] | None,
    scope: str,
    group_list: tuple[str, ...] | None,
) -> np.ndarray:
    """The rows the country scope and the stakeholder-group filter keep."""
    keep_org = np.ones(len(orgs["org_id"]), dtype=bool)
    if group_list is not None:
        keep_org &= np.isin(orgs["stakeholder_group"], list(group_list))
    if country_list is None:
        return keep & keep_org[org_codes] if group_list is not None else keep
    in_region = np.isin(orgs["country"], list(country_list)) & keep_org
    region_rows = keep & in_region[org_codes]
    if scope == "region":
        return region_rows
    with_region = np.zeros(n_projects, dtype=bool)
    with_region[proj_codes[region_rows]] = True
    return keep & with_region[proj_codes] & keep_org[org_codes]


@dataclass(frozen=True)
class _Links:
    """The kept (organisation, project) pairs, with organisations renumbered 0..n-1."""

    used: np.ndarray  # the original organisation code of each node
    row_org: np.ndarray
    row_proj: np.ndarray
    money: np.ndarray
    incidence: sp.csr_matrix  # organisations x projects, 1 per pair


def _links(
    org_rows: np.ndarray,
    proj_rows: np.ndarray,
    participations: pd.DataFrame,
    keep: np.ndarray,
    n_projects: int,
) -> _Links:
    """The organisation x project incidence of the kept rows; exact duplicates count once."""
    present = np.bincount(org_rows, minlength=int(org_rows.max()) + 1) > 0
    used = np.flatnonzero(present)
    remap = np.cumsum(present) - 1
    row_org = remap[org_rows]
    row_proj = proj_rows
    money = participations["ec_contribution"].to_numpy(dtype=float, na_value=np.nan)[keep]
    n_orgs = len(used)
    incidence = sp.csr_matrix(
        (np.ones(len(row_org)), (row_org, row_proj)), shape=(n_orgs, n_projects)
    )
    if incidence.nnz < len(row_org):
        # Exact duplicates of an (organisation, project) pair count once.
        pair = row_org * n_projects + row_proj
        first = np.zeros(len(pair), dtype=bool)
        first[np.unique(pair, return_index=True)[1]] = True
        row_org, row_proj, money = row_org[first], row_proj[first], money[first]
        incidence.data[:] = 1.0
    return _Links(used, row_org, row_proj, money, incidence)


def _tie_weights(
    links: _Links, weight: str, project_size: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ties (source, target, weight) in canonical order, weighted as ``weight`` says."""
    incidence = links.incidence
    if weight == "funding":
        funded = sp.csr_matrix(
            (np.nan_to_num(links.money), (links.row_org, links.row_proj)), shape=incidence.shape
        )
        shared = funded @ incidence.T
        mean = ((shared + shared.T) * 0.5).tocsr()
        # The tie pattern comes from shared projects; the weight may be 0 when both
        # contributions are unknown, so the pattern cannot come from ``mean`` itself.
        source, target, _ = _upper_triangle(incidence @ incidence.T)
        if len(source) == 0:  # no tie: indexing with empty arrays gives a sparse matrix
            return source, target, np.zeros(0)
        return source, target, np.asarray(mean[source, target], dtype=float).ravel()
    if project_size is None:
        product = incidence @ incidence.T
    else:
        sizes = project_size.astype(float)
        scale = np.divide(1.0, sizes - 1.0, out=np.zeros_like(sizes), where=sizes > 1)
        product = (incidence @ sp.diags(scale)) @ incidence.T
    return _upper_triangle(product)


def _node_table(
    orgs: dict[str, np.ndarray],
    links: _Links,
    project_domain: sp.csr_matrix | None,
    domain_names: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The node attributes with projects, EC contribution and main domain; domain profile."""
    n_orgs = len(links.used)
    nodes = pd.DataFrame(
        {name: pd.Series(column[links.used], dtype=object) for name, column in orgs.items()}
    )
    nodes["n_projects"] = np.bincount(links.row_org, minlength=n_orgs).astype(np.int64)
    money, row_org = links.money, links.row_org
    known_money = ~np.isnan(money)
    total = np.bincount(row_org[known_money], weights=money[known_money], minlength=n_orgs)
    any_known = np.bincount(row_org[known_money], minlength=n_orgs) > 0
    nodes["ec_contribution"] = np.where(any_known, total, np.nan)
    profile = pd.DataFrame(index=pd.Index(nodes["org_id"], name="org_id"))
    main_domain = pd.Series([None] * n_orgs, dtype=object)
    if project_domain is not None and domain_names:
        counts = np.asarray((links.incidence @ project_domain).todense())
        profile = pd.DataFrame(
            counts.astype(np.int64), index=profile.index, columns=pd.Index(domain_names)
        )
        has = counts.sum(axis=1) > 0
        main = np.asarray(domain_names, dtype=object)[counts.argmax(axis=1)]
        main_domain = pd.Series(np.where(has, main, None), dtype=object)
    nodes["domain"] = main_domain
    return nodes, profile


def _org_attributes(
    participations: pd.DataFrame,
    organisations: pd.DataFrame | None,
    org_codes: np.ndarray,
    org_ids: pd.Index,
) -> dict[str, np.ndarray]:
    """Attributes of every organisation in ``org_ids`` (same order), as object arrays.

    The organisation table's country wins; the first participation's country fills gaps.
    Missing values are ``None``.
    """
    # the first participation's country: reversed assignment lets the first row win
    country = np.full(len(org_ids), None, dtype=object)
    country[org_codes[::-1]] = participations["country"].to_numpy(dtype=object)[::-1]
    country[pd.isna(country)] = None
    ids = np.asarray(org_ids, dtype=object)
    none = np.full(len(ids), None, dtype=object)
    if organisations is None or organisations.empty:
        return {
            "org_id": ids,
            "pic": none,
            "name": none.copy(),
            "country": country,
            "stakeholder_group": none.copy(),
        }
    _require_columns(organisations, _ORGANISATION_COLUMNS, "organisations")
    # position of each organisation-table row among the network's ids; reversed so that
    # the first row of a duplicated org_id wins
    position = org_ids.get_indexer(_as_str(organisations["org_id"]).to_numpy()[::-1])
    found = position >= 0
    target = position[found]

    def column(name: str) -> np.ndarray:
        values = organisations[name].to_numpy(dtype=object)[::-1][found]
        out = np.full(len(ids), None, dtype=object)
        out[target] = values
        out[pd.isna(out)] = None
        return out

    own_country = column("country")
    missing = pd.isna(own_country)
    own_country[missing] = country[missing]
    return {
        "org_id": ids,
        "pic": column("pic"),
        "name": column("name"),
        "country": own_country,
        "stakeholder_group": column("stakeholder_group"),
    }


def _window_text(start_year: int | None, end_year: int | None) -> str:
    """A time window in words: "2014–2020", "from 2022", "up to 2020" or "of all years".

    >>> _window_text(2022, None), _window_text(None, 2020), _window_text(2014, 2020)
    ('from 2022', 'up to 2020', '2014–2020')
    """
    if start_year is not None and end_year is not None:
        return f"{start_year}–{end_year}"
    if start_year is not None:
        return f"from {start_year}"
    if end_year is not None:
        return f"up to {end_year}"
    return "of all years"
