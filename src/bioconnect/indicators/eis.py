"""The European Innovation Scoreboard: performance groups, how sure they are, and profiles.

The EIS publishes, per country and year, the Summary Innovation Index (SII), 12 dimension
scores and 32 indicator scores, all relative to the EU in 2018 (= 100). The functions take
a long table with columns ``country`` (ISO2), ``year``, ``indicator_code`` and ``value``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioconnect.errors import InputError

__all__ = [
    "GROUPS",
    "best_practice_matrix",
    "cooperation_areas",
    "group_changes",
    "group_probabilities",
    "performance_group",
    "performance_groups",
    "strengths_weaknesses",
]

#: The four performance groups, weakest first.
GROUPS = ("Emerging", "Moderate", "Strong", "Leader")


def performance_group(share: float) -> str:
    """The EIS group of an SII share of the EU's SII (in percent).

    Leader above 125, Strong from 100 to 125, Moderate from 70 to 100, Emerging below 70.

    Parameters
    ----------
    share:
        SII as a percentage of the EU's SII in the same year.

    Returns
    -------
    str

    Examples
    --------
    >>> [performance_group(s) for s in (130.0, 125.0, 100.0, 99.9, 70.0, 69.9)]
    ['Leader', 'Strong', 'Strong', 'Moderate', 'Moderate', 'Emerging']

    References
    ----------
    European Commission (2025). *European Innovation Scoreboard 2025: Methodology Report*,
    section on performance groups.
    """
    if np.isnan(share):
        raise InputError("eis: an SII share is missing.", "Check the SII rows of the edition.")
    if share > 125:
        return "Leader"
    if share >= 100:
        return "Strong"
    if share >= 70:
        return "Moderate"
    return "Emerging"


def _pivot(values: pd.DataFrame, codes: list[str] | None = None) -> pd.DataFrame:
    frame = values if codes is None else values[values["indicator_code"].isin(codes)]
    return frame.pivot_table(
        index=["country", "year"], columns="indicator_code", values="value", aggfunc="first"
    )


def performance_groups(
    values: pd.DataFrame, *, eu: str = "EU27_2020", sii: str = "SII"
) -> pd.DataFrame:
    """SII share of the EU's and the group, for every country and year.

    Parameters
    ----------
    values:
        Long table: ``country``, ``year``, ``indicator_code``, ``value``.
    eu:
        The code of the EU row.
    sii:
        The indicator code of the SII.

    Returns
    -------
    pandas.DataFrame
        ``country``, ``year``, ``sii``, ``sii_share`` (percent) and ``group``, without the EU.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"country": ["EU27_2020", "EE", "LV"], "year": 2025,
    ...     "indicator_code": "SII", "value": [110.0, 115.0, 62.0]})
    >>> performance_groups(v)[["country", "group"]].values.tolist()
    [['EE', 'Strong'], ['LV', 'Emerging']]

    References
    ----------
    As :func:`performance_group`.
    """
    s = values[values["indicator_code"] == sii][["country", "year", "value"]]
    eu_sii = s[s["country"] == eu].set_index("year")["value"]
    if eu_sii.empty:
        raise InputError(
            f"eis: there is no SII for {eu!r}.", "The edition needs the EU's SII each year."
        )
    out = s[s["country"] != eu].rename(columns={"value": "sii"}).copy()
    out["sii_share"] = out["sii"] / out["year"].map(eu_sii) * 100
    out = out[out["sii_share"].notna()]
    out["group"] = [performance_group(v) for v in out["sii_share"]]
    return out.sort_values(["country", "year"]).reset_index(drop=True)


def group_changes(groups: pd.DataFrame) -> pd.DataFrame:
    """The years in which a country's group differs from the year before.

    Parameters
    ----------
    groups:
        The output of :func:`performance_groups`.

    Returns
    -------
    pandas.DataFrame
        ``country``, ``year``, ``from_group``, ``to_group``.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.DataFrame({"country": "EE", "year": [2020, 2021, 2022],
    ...     "group": ["Moderate", "Strong", "Strong"]})
    >>> group_changes(g).values.tolist()
    [['EE', 2021, 'Moderate', 'Strong']]

    References
    ----------
    European Commission (2025), *EIS 2025*, country profiles (change of group).
    """
    g = groups.sort_values(["country", "year"])
    before = g.groupby("country")["group"].shift()
    moved = before.notna() & (before != g["group"])
    out = g[moved][["country", "year"]].copy()
    out["from_group"] = before[moved]
    out["to_group"] = g.loc[moved, "group"]
    return out.reset_index(drop=True)


def group_probabilities(
    values: pd.DataFrame,
    indicators: list[str],
    *,
    runs: int = 1000,
    seed: int = 1,
    concentration: float = 1.0,
    leave_one_out: bool = True,
    eu: str = "EU27_2020",
    sii: str = "SII",
) -> pd.DataFrame:
    """How sure each group label is: the share of reweighted replicates landing in each group.

    Each replicate draws indicator weights from a symmetric Dirichlet distribution
    (``concentration`` per indicator; 1 is uniform on the simplex) and, with
    ``leave_one_out``, drops one indicator chosen at random. A country's replicate SII is its
    published SII times the ratio of its weighted to its equally weighted mean indicator
    score, the same for the EU, so equal weights reproduce the published share exactly.
    The replicate share gives a group; the probability of a group is the share of replicates
    in it. The same draws serve every country and year.

    Parameters
    ----------
    values:
        Long table: ``country``, ``year``, ``indicator_code``, ``value``.
    indicators:
        The indicator codes of the SII (the 32 of the EIS 2025).
    runs, seed:
        Number of replicates and the random seed.
    concentration:
        Dirichlet parameter per indicator.
    leave_one_out:
        Also drop one indicator per replicate.
    eu, sii:
        Codes of the EU row and of the SII.

    Returns
    -------
    pandas.DataFrame
        ``country``, ``year`` and one probability column per group of :data:`GROUPS`.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(c, 2025, i, v) for c, vals in {"EU27_2020": [100, 100], "EE": [80, 140],
    ...     "LV": [50, 55]}.items() for i, v in zip(["a", "b"], vals)]
    >>> v = pd.DataFrame(rows, columns=["country", "year", "indicator_code", "value"])
    >>> sii = pd.DataFrame({"country": ["EU27_2020", "EE", "LV"], "year": 2025,
    ...     "indicator_code": "SII", "value": [100.0, 110.0, 52.5]})
    >>> p = group_probabilities(pd.concat([v, sii]), ["a", "b"], runs=500, seed=1,
    ...     leave_one_out=False).set_index("country")[list(GROUPS)].round(2)
    >>> p.loc["EE"].tolist(), p.loc["LV"].tolist()
    ([0.0, 0.35, 0.4, 0.25], [1.0, 0.0, 0.0, 0.0])

    References
    ----------
    Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis
    techniques as tools for the quality assessment of composite indicators. *J. R. Stat.
    Soc. A* 168(2), 307–323. European Commission (2025), *EIS 2025 Methodology Report*.
    """
    scores = _pivot(values, indicators).reindex(columns=indicators)
    official = _pivot(values, [sii])[sii]
    rng = np.random.default_rng(seed)
    k = len(indicators)
    weights = rng.dirichlet(np.full(k, concentration), size=runs)
    if leave_one_out:
        weights[np.arange(runs), rng.integers(0, k, size=runs)] = 0.0
    x = scores.to_numpy(float)
    present = ~np.isnan(x)
    filled = np.nan_to_num(x)
    weighted = (filled @ weights.T) / (present.astype(float) @ weights.T)
    equal = np.nanmean(x, axis=1)
    replicate = official.reindex(scores.index).to_numpy()[:, None] * weighted / equal[:, None]
    frame = pd.DataFrame(replicate, index=scores.index)
    eu_rows = frame.xs(eu, level="country")
    countries = frame.drop(index=eu, level="country")
    years = countries.index.get_level_values("year")
    share = countries.to_numpy() / eu_rows.reindex(years).to_numpy() * 100
    cuts = np.select([share > 125, share >= 100, share >= 70], [3, 2, 1], 0)
    out = countries.index.to_frame(index=False)
    for i, name in enumerate(GROUPS):
        out[name] = (cuts == i).mean(axis=1)
    return out[~np.isnan(share).any(axis=1)].reset_index(drop=True)


def strengths_weaknesses(
    values: pd.DataFrame,
    country: str,
    year: int,
    codes: list[str],
    *,
    peers: list[str],
    eu: str = "EU27_2020",
) -> pd.DataFrame:
    """A country's scores relative to the EU and to its peers (for example its group).

    Parameters
    ----------
    values:
        Long table: ``country``, ``year``, ``indicator_code``, ``value``.
    country, year:
        Whose profile, and when.
    codes:
        The dimensions or indicators to profile.
    peers:
        Countries to compare with (the mean of their scores).
    eu:
        The code of the EU row.

    Returns
    -------
    pandas.DataFrame
        Per code: ``score``, ``vs_eu`` (score / EU score x 100), ``vs_peers`` (score / peer
        mean x 100), sorted strongest first relative to the EU.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"country": ["EU27_2020", "EE", "LV"] * 2, "year": 2025,
    ...     "indicator_code": ["1.1"] * 3 + ["1.2"] * 3, "value": [100, 120, 60, 100, 50, 100]})
    >>> strengths_weaknesses(v, "EE", 2025, ["1.1", "1.2"], peers=["LV"])["vs_eu"].tolist()
    [120.0, 50.0]

    References
    ----------
    European Commission (2025), *EIS 2025*, country profiles (relative strengths and weaknesses).
    """
    table = _pivot(values[values["year"] == year], codes).droplevel("year")
    if country not in table.index:
        raise InputError(
            f"eis: no scores for {country!r} in {year}.", "Check the country code and year."
        )
    score = table.loc[country].reindex(codes)
    peer = table.reindex([p for p in peers if p in table.index]).mean()
    out = pd.DataFrame(
        {
            "score": score,
            "vs_eu": score / table.loc[eu].reindex(codes) * 100,
            "vs_peers": score / peer.reindex(codes) * 100,
        }
    )
    return out.sort_values("vs_eu", ascending=False)


def best_practice_matrix(
    values: pd.DataFrame, countries: list[str], reference: str, year: int, codes: list[str]
) -> pd.DataFrame:
    """Each country's score on each dimension as a percentage of the reference country's.

    Parameters
    ----------
    values:
        Long table: ``country``, ``year``, ``indicator_code``, ``value``.
    countries:
        The region's countries (rows).
    reference:
        The reference leader (for example FI).
    year:
        The year.
    codes:
        The dimensions (columns).

    Returns
    -------
    pandas.DataFrame
        Rows ``countries``, columns ``codes``; 100 means level with the reference.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"country": ["FI", "EE"], "year": 2025, "indicator_code": "1.1",
    ...     "value": [150.0, 75.0]})
    >>> best_practice_matrix(v, ["EE"], "FI", 2025, ["1.1"]).loc["EE", "1.1"]
    np.float64(50.0)

    References
    ----------
    BIOCONNECT D1.1 status report (best-practice comparison with a leader); European
    Commission (2025), *EIS 2025*.
    """
    table = _pivot(values[values["year"] == year], codes).droplevel("year")
    missing = [c for c in [*countries, reference] if c not in table.index]
    if missing:
        raise InputError(
            f"eis: no scores for {missing[0]!r} in {year}.", "Check the country codes."
        )
    return table.loc[countries, codes] / table.loc[reference, codes] * 100


def cooperation_areas(
    values: pd.DataFrame,
    countries: list[str],
    year: int,
    codes: list[str],
    *,
    strong: float = 100.0,
    weak: float = 70.0,
    eu: str = "EU27_2020",
) -> pd.DataFrame:
    """Dimensions where one region country is strong and another weak, relative to the EU.

    Strong means a score of at least ``strong`` percent of the EU's, weak below ``weak``
    percent (the thresholds of the Strong and Emerging groups).

    Parameters
    ----------
    values:
        Long table: ``country``, ``year``, ``indicator_code``, ``value``.
    countries:
        The region's countries.
    year:
        The year.
    codes:
        The dimensions.
    strong, weak:
        Thresholds in percent of the EU's score.
    eu:
        The code of the EU row.

    Returns
    -------
    pandas.DataFrame
        ``dimension``, ``strong_country``, ``weak_country``, ``strong_vs_eu``,
        ``weak_vs_eu``, widest gap first.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"country": ["EU27_2020", "EE", "LV"], "year": 2025,
    ...     "indicator_code": "3.1", "value": [100.0, 130.0, 40.0]})
    >>> cooperation_areas(v, ["EE", "LV"], 2025, ["3.1"]).values.tolist()
    [['3.1', 'EE', 'LV', 130.0, 40.0]]

    References
    ----------
    BIOCONNECT D1.1 status report (areas for cooperation); European Commission (2025), *EIS 2025*.
    """
    table = _pivot(values[values["year"] == year], codes).droplevel("year")
    rel = table.loc[[c for c in countries if c in table.index], codes] / table.loc[eu, codes] * 100
    rows = [
        (code, a, b, float(rel.at[a, code]), float(rel.at[b, code]))
        for code in codes
        for a in rel.index
        for b in rel.index
        if rel.at[a, code] >= strong and rel.at[b, code] < weak
    ]
    out = pd.DataFrame(
        rows, columns=["dimension", "strong_country", "weak_country", "strong_vs_eu", "weak_vs_eu"]
    )
    gap = out["strong_vs_eu"] - out["weak_vs_eu"]
    return out.loc[gap.sort_values(ascending=False).index].reset_index(drop=True)
