"""Uncertainty and sensitivity analysis: how much the ranks depend on methodological choices.

Each uncertain choice (the weights, the normalisation, the aggregation, the outlier
treatment) is a factor with a list of alternatives. Sobol's quasi-random design (SALib)
samples the factors on [0, 1); a value ``u`` picks alternative ``floor(u * k)`` of a factor
with ``k`` alternatives. Every sampled combination rebuilds the index; the output whose
variance is decomposed is the mean absolute rank shift of the units against the nominal
ranks, as in COINr's ``get_sensitivity()``. First-order and total indices come from
SALib's Saltelli/Jansen estimators with bootstrap confidence intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.indicators.aggregate import aggregate_columns
from bioconnect.indicators.framework import Framework
from bioconnect.indicators.normalise import min_ranks
from bioconnect.indicators.pipeline import Pipeline, Step, run_pipeline

__all__ = ["SensitivityResult", "noisy_weights", "rank_intervals", "sensitivity_analysis"]

#: Alternatives tried when the caller gives none. Min-max onto [1, 100] gives the same
#: ranks as [0, 100] under an arithmetic mean and keeps a geometric mean defined.
DEFAULT_NORMALISATIONS: tuple[dict[str, Any], ...] = (
    {"f_n": "n_minmax", "l_u": [1, 100]},
    {"f_n": "n_zscore", "m_sd": [100, 10]},
)
DEFAULT_AGGREGATIONS: tuple[str, ...] = ("a_amean", "a_gmean")


@dataclass(frozen=True)
class SensitivityResult:
    """Sampled ranks, their intervals and the Sobol indices.

    Attributes
    ----------
    aggregate:
        The aggregate analysed (the top of the tree).
    n_runs:
        Number of index builds.
    output:
        What the Sobol indices decompose.
    factor_levels:
        Each factor's alternatives, as labels.
    nominal_ranks:
        Ranks under the pipeline as given.
    ranks:
        One row per run, one column per unit.
    rank_intervals:
        ``nominal``, ``median``, ``q05``, ``q95`` per unit.
    indices:
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` per factor.
    """

    aggregate: str
    n_runs: int
    output: str
    factor_levels: dict[str, tuple[str, ...]]
    nominal_ranks: pd.Series
    ranks: pd.DataFrame
    rank_intervals: pd.DataFrame
    indices: pd.DataFrame


def noisy_weights(
    weights: pd.Series, n_sets: int, noise: float, rng: np.random.Generator
) -> list[pd.Series]:
    """The nominal weights and ``n_sets - 1`` copies with each weight times ``U(1-noise, 1+noise)``.

    Parameters
    ----------
    weights:
        Weight per code.
    n_sets:
        How many sets, the nominal one first.
    noise:
        Relative half-width of the uniform noise, in [0, 1).
    rng:
        The random generator (seeded by the caller).

    Returns
    -------
    list of pandas.Series

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> sets = noisy_weights(pd.Series({"a": 1.0, "b": 2.0}), 3, 0.25, np.random.default_rng(1))
    >>> len(sets), sets[0].tolist(), bool(((sets[2] >= [0.75, 1.5]) & (sets[2] <= [1.25, 2.5])).all())
    (3, [1.0, 2.0], True)

    References
    ----------
    Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis
    techniques as tools for the quality assessment of composite indicators. *J. R. Stat.
    Soc. A* 168(2), 307–323. COINr ``get_noisy_weights()``.
    """
    if not 0 <= noise < 1:
        raise InputError(f"sensitivity: weight noise {noise} is outside [0, 1).", "Use e.g. 0.25.")
    out = [weights.astype(float)]
    for _ in range(n_sets - 1):
        out.append(weights * rng.uniform(1 - noise, 1 + noise, size=len(weights)))
    return out


def rank_intervals(ranks: pd.DataFrame, nominal: pd.Series) -> pd.DataFrame:
    """Median and 5th/95th percentile of each unit's rank over the runs.

    Parameters
    ----------
    ranks:
        One row per run, one column per unit.
    nominal:
        The nominal rank per unit.

    Returns
    -------
    pandas.DataFrame
        ``nominal``, ``median``, ``q05``, ``q95`` per unit.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"A": [1, 1, 2, 1], "B": [2, 2, 1, 2]})
    >>> rank_intervals(r, pd.Series({"A": 1, "B": 2}))["median"].tolist()
    [1.0, 2.0]

    References
    ----------
    Saisana, Saltelli & Tarantola (2005), as :func:`noisy_weights`.
    """
    return pd.DataFrame(
        {
            "nominal": nominal.reindex(ranks.columns),
            "median": ranks.median(),
            "q05": ranks.quantile(0.05),
            "q95": ranks.quantile(0.95),
        }
    )


def _base_size(runs: int, n_factors: int) -> int:
    per = n_factors + 2
    if runs < 2 * per:
        raise InputError(f"sensitivity: {runs} runs are too few.", f"Give at least {2 * per} runs.")
    return int(2 ** np.floor(np.log2(runs / per)))


def _prepared(framework: Framework, pipeline: Pipeline) -> tuple[Framework, pd.DataFrame]:
    before = Pipeline(
        tuple(s for s in pipeline.steps if s.name in ("denominate", "impute", "screen"))
    )
    result = run_pipeline(framework, before)
    return result.framework, result.normalised


def sensitivity_analysis(
    framework: Framework,
    pipeline: Pipeline,
    *,
    runs: int = 1000,
    seed: int = 1,
    weight_noise: float = 0.25,
    n_weight_sets: int = 16,
    normalisations: tuple[dict[str, Any], ...] = DEFAULT_NORMALISATIONS,
    aggregations: tuple[str, ...] = DEFAULT_AGGREGATIONS,
) -> SensitivityResult:
    """Sample weights, normalisation, aggregation and treatment; rank intervals and Sobol indices.

    Parameters
    ----------
    framework:
        The validated iData/iMeta.
    pipeline:
        The nominal pipeline; its denominate, impute and screen steps are kept fixed.
    runs:
        Budget of index builds; the Sobol base sample is the largest power of two ``N``
        with ``N (D + 2) <= runs`` for ``D`` factors.
    seed:
        Seeds the weight noise and the Sobol sequence's scrambling.
    weight_noise, n_weight_sets:
        The weights factor: the nominal weights and ``n_weight_sets - 1`` noisy sets.
    normalisations:
        The normalisation factor's alternatives (``normalise`` step arguments).
    aggregations:
        The aggregation factor's alternatives (``f_ag`` names).

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.indicators import validate_framework, parse_pipeline
    >>> d = pd.DataFrame({"uCode": list("ABCD"), "x": [1, 2, 3, 4], "y": [4, 1, 2, 3]})
    >>> m = pd.DataFrame({"iCode": ["x", "y", "Index"], "Level": [1, 1, 2],
    ...     "Parent": ["Index", "Index", None], "Weight": 1, "Direction": 1,
    ...     "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> p = parse_pipeline({"steps": [{"normalise": {}}, {"aggregate": {}}]})
    >>> r = sensitivity_analysis(validate_framework(d, m), p, runs=96, seed=3)
    >>> r.n_runs, list(r.indices.index)
    (96, ['weights', 'normalisation', 'aggregation', 'treatment'])

    References
    ----------
    Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output.
    *Computer Physics Communications* 181(2), 259–270. Herman, J. & Usher, W. (2017). SALib.
    *JOSS* 2(9), 97. OECD/JRC (2008), *Handbook*, step 7. COINr ``get_sensitivity()``.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    fw, base = _prepared(framework, pipeline)
    rng = np.random.default_rng(seed)
    weight_sets = noisy_weights(fw.meta["Weight"], n_weight_sets, weight_noise, rng)
    treat_step = pipeline.step("treat")
    treatments: tuple[dict[str, Any] | None, ...] = (
        treat_step.args if treat_step else {"winmax": 5},
        None,
    )
    top = fw.codes_at(fw.n_levels)[-1]
    f_ag = pipeline.step("aggregate")
    nominal_pipe = pipeline if f_ag is not None else pipeline.replace("aggregate", {})
    nominal = run_pipeline(framework, nominal_pipe).ranks[top].astype(float)

    # each (treatment, normalisation) data set is built once, as plain columns; each weight
    # set becomes a lookup once; a replication then only aggregates and ranks arrays
    normalised: dict[tuple[int, int], dict[str, np.ndarray]] = {}
    weight_maps = [
        dict(zip(map(str, w.index), w.to_numpy(float), strict=True)) for w in weight_sets
    ]

    def ranks_of(wi: int, ni: int, ai: int, ti: int) -> np.ndarray:
        if (ti, ni) not in normalised:
            chosen = treatments[ti]
            steps = [] if chosen is None else [Step("treat", chosen)]
            steps.append(Step("normalise", dict(normalisations[ni])))
            frame = run_pipeline(fw.with_data(base), Pipeline(tuple(steps))).normalised
            normalised[(ti, ni)] = {str(c): frame[c].to_numpy(float) for c in frame.columns}
        score = aggregate_columns(normalised[(ti, ni)], fw, aggregations[ai], weight_maps[wi])[top]
        out = np.full(score.shape, np.nan)
        ok = ~np.isnan(score)
        out[ok] = min_ranks(-score[ok])
        return out

    sizes = {
        "weights": len(weight_sets),
        "normalisation": len(normalisations),
        "aggregation": len(aggregations),
        "treatment": len(treatments),
    }
    problem = {"num_vars": 4, "names": list(sizes), "bounds": [[0.0, 1.0]] * 4}
    sample = sobol_sample.sample(problem, _base_size(runs, 4), calc_second_order=False, seed=seed)
    levels = np.minimum(
        (sample * np.array(list(sizes.values()))).astype(int), np.array(list(sizes.values())) - 1
    )
    cache: dict[tuple[int, ...], np.ndarray] = {}
    rank_rows = []
    for row in map(tuple, levels):
        if row not in cache:
            cache[row] = ranks_of(*row)
        rank_rows.append(cache[row])
    ranks = pd.DataFrame(rank_rows, columns=fw.data.index)
    y = np.abs(ranks.to_numpy() - nominal.reindex(ranks.columns).to_numpy()).mean(axis=1)
    si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    indices = pd.DataFrame(
        {k: si[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}, index=list(sizes)
    )
    labels = {
        "weights": tuple(["nominal"] + [f"noisy {i}" for i in range(1, len(weight_sets))]),
        "normalisation": tuple(str(n) for n in normalisations),
        "aggregation": aggregations,
        "treatment": tuple("none" if t is None else str(t) for t in treatments),
    }
    return SensitivityResult(
        aggregate=top,
        n_runs=len(ranks),
        output="mean absolute rank shift against the nominal ranks",
        factor_levels=labels,
        nominal_ranks=nominal,
        ranks=ranks,
        rank_intervals=rank_intervals(ranks, nominal),
        indices=indices,
    )
