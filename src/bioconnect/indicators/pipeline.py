"""The pipeline file: COINr's building steps, by COINr's names, with COINr's arguments.

A pipeline is a list of steps, applied in order; a step left out is skipped::

    steps:
      - denominate: {}
      - impute: {f_i: i_mean_grp, use_group: EurAsia_group}
      - screen: {dat_thresh: 0.9, unit_screen: byNA}
      - treat: {winmax: 5, skew_thresh: 2, kurt_thresh: 3.5, f2: log_CT}
      - normalise: {f_n: n_minmax, l_u: [0, 100]}
      - aggregate: {f_ag: a_amean}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.indicators.aggregate import AGGREGATE_METHODS, aggregate
from bioconnect.indicators.denominate import denominate
from bioconnect.indicators.framework import Framework
from bioconnect.indicators.impute import IMPUTE_METHODS, impute
from bioconnect.indicators.normalise import NORMALISE_METHODS, min_ranks, normalise
from bioconnect.indicators.screen import screen_units
from bioconnect.indicators.treat import TreatmentResult, treat

__all__ = [
    "STEP_ARGUMENTS",
    "IndexResult",
    "Pipeline",
    "Step",
    "parse_pipeline",
    "rank_scores",
    "run_pipeline",
]

#: The steps a pipeline may hold, in COINr's order, and the arguments each accepts.
STEP_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "denominate": ("denomby",),
    "impute": ("f_i", "use_group"),
    "screen": ("dat_thresh", "unit_screen", "nonzero_thresh", "Force"),
    "treat": ("winmax", "skew_thresh", "kurt_thresh", "f2", "skip"),
    "normalise": ("f_n", "f_n_para", "l_u", "m_sd", "iref", "cap_max", "gposts", "trunc2posts"),
    "aggregate": ("f_ag", "w", "dat_thresh"),
}

_METHOD_ARG = {"impute": ("f_i", IMPUTE_METHODS), "normalise": ("f_n", NORMALISE_METHODS)}
_FIRST_PARA = {"n_minmax": "l_u", "n_zscore": "m_sd", "n_dist2ref": "iref", "n_goalposts": "gposts"}


@dataclass(frozen=True)
class Step:
    """One step of a pipeline: its COINr name and its arguments."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pipeline:
    """An ordered list of steps."""

    steps: tuple[Step, ...]

    def step(self, name: str) -> Step | None:
        """The step called ``name``, or ``None`` when the pipeline skips it."""
        return next((s for s in self.steps if s.name == name), None)

    def replace(self, name: str, args: dict[str, Any] | None) -> Pipeline:
        """A copy with step ``name`` given other arguments (``None`` drops the step).

        The arguments are checked as in a pipeline file; steps keep COINr's order.
        """
        order = list(STEP_ARGUMENTS)
        kept = [s for s in self.steps if s.name != name]
        if args is not None:
            kept.extend(parse_pipeline({"steps": [{name: dict(args)}]}, "replaced step").steps)
        return Pipeline(tuple(sorted(kept, key=lambda s: order.index(s.name))))


def _normalise_args(args: dict[str, Any], where: str) -> dict[str, Any]:
    para = args.get("f_n_para")
    f_n = args.get("f_n", "n_minmax")
    if para is None:
        return args
    rest = {k: v for k, v in args.items() if k != "f_n_para"}
    if isinstance(para, list) and len(para) == 1 and isinstance(para[0], list):
        para = para[0]  # R's list(c(10, 2)) written as [[10, 2]]: one positional argument
    if isinstance(para, dict):
        return {**rest, **para}
    if isinstance(para, list) and f_n in _FIRST_PARA:
        return {
            **rest,
            _FIRST_PARA[f_n]: para[0] if f_n == "n_dist2ref" and len(para) == 1 else para,
        }
    raise InputError(
        f"{where}: f_n_para {para!r} does not fit {f_n}.",
        "Give f_n_para as a mapping of COINr's argument names.",
    )


def _check_methods(name: str, args: dict[str, Any], where: str) -> None:
    if name in _METHOD_ARG:
        key, allowed = _METHOD_ARG[name]
        if key in args and args[key] not in allowed:
            raise InputError(
                f"{where}: {key} {args[key]!r} is not a method.",
                f"Use one of {', '.join(allowed)}.",
            )
    if name == "aggregate":
        f_ag = args.get("f_ag", "a_amean")
        for method in [f_ag] if isinstance(f_ag, str) else list(f_ag):
            if method not in AGGREGATE_METHODS:
                raise InputError(
                    f"{where}: f_ag {method!r} is not a method.",
                    f"Use one of {', '.join(AGGREGATE_METHODS)}.",
                )


def parse_pipeline(spec: object, source: str = "pipeline") -> Pipeline:
    """Check a pipeline read from YAML and return it.

    Parameters
    ----------
    spec:
        The parsed YAML: ``{"steps": [{name: {argument: value}}, ...]}``.
    source:
        The file name, for error messages.

    Returns
    -------
    Pipeline

    Raises
    ------
    InputError
        A step or method that does not exist, an argument a step does not take, or a
        step given twice; the message names the step.

    Examples
    --------
    >>> p = parse_pipeline({"steps": [{"normalise": {"f_n": "n_zscore", "f_n_para": [10, 2]}}]})
    >>> p.step("normalise").args
    {'f_n': 'n_zscore', 'm_sd': [10, 2]}

    References
    ----------
    COINr's building functions ``Denominate``, ``Impute``, ``Screen``, ``Treat``,
    ``Normalise``, ``Aggregate`` and their arguments.
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("steps"), list):
        raise InputError(
            f"{source}: has no list of steps.",
            "Write `steps:` followed by one `- name: {...}` per step.",
        )
    steps: list[Step] = []
    for i, item in enumerate(spec["steps"], start=1):
        if not isinstance(item, dict) or len(item) != 1:
            raise InputError(
                f"{source}: step {i} is not one `name: {{arguments}}` pair.",
                "Write e.g. `- treat: {winmax: 5}`.",
            )
        ((name, args),) = item.items()
        where = f"{source}: step {i} ({name})"
        if name not in STEP_ARGUMENTS:
            raise InputError(
                f"{source}: step {i} {name!r} is not a step.",
                f"Use one of {', '.join(STEP_ARGUMENTS)}.",
            )
        args = dict(args or {})
        unknown = sorted(set(args) - set(STEP_ARGUMENTS[name]))
        if unknown:
            raise InputError(
                f"{where}: has no argument {unknown[0]!r}.",
                f"Its arguments: {', '.join(STEP_ARGUMENTS[name])}.",
            )
        _check_methods(name, args, where)
        if name == "normalise":
            args = _normalise_args(args, where)
        if any(s.name == name for s in steps):
            raise InputError(f"{where}: is given twice.", "Give each step once.")
        steps.append(Step(name, args))
    return Pipeline(tuple(steps))


def rank_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Ranks of each column: 1 for the highest score, ties take the lowest rank.

    Parameters
    ----------
    scores:
        One column per aggregate.

    Returns
    -------
    pandas.DataFrame
        Integer ranks (missing scores give missing ranks).

    Examples
    --------
    >>> import pandas as pd
    >>> rank_scores(pd.DataFrame({"Index": [3.0, 5.0, 5.0, 1.0]}))["Index"].tolist()
    [3, 1, 1, 4]

    References
    ----------
    "Sports" ranking (``min`` ties), as COINr's ``rank(-x, ties.method = "min")``.
    """
    values = scores.to_numpy(float)
    ranks = np.full(values.shape, np.nan)
    for j in range(values.shape[1]):
        ok = ~np.isnan(values[:, j])
        ranks[ok, j] = min_ranks(-values[ok, j])
    missing = np.isnan(ranks)
    whole = np.where(missing, 0, ranks).astype(np.int64)
    return pd.DataFrame(
        {
            code: pd.arrays.IntegerArray(whole[:, j], missing[:, j])
            for j, code in enumerate(scores.columns)
        },
        index=scores.index,
    )


@dataclass(frozen=True)
class IndexResult:
    """What a pipeline run gives.

    Attributes
    ----------
    framework:
        The framework after screening (its units are the units scored).
    datasets:
        Indicator values after each step that ran (``Raw``, ``Denominated``, ``Imputed``,
        ``Screened``, ``Treated``, ``Normalised``), as COINr names them.
    scores:
        Aggregate scores, one column per aggregate, level by level.
    ranks:
        Ranks of each aggregate (see :func:`rank_scores`).
    removed_units:
        Units the screen removed.
    treatment:
        What the treatment did to each indicator, when the pipeline treats.
    """

    framework: Framework
    datasets: dict[str, pd.DataFrame]
    scores: pd.DataFrame
    ranks: pd.DataFrame
    removed_units: list[str]
    treatment: pd.DataFrame | None

    @property
    def normalised(self) -> pd.DataFrame:
        """The last indicator data set before aggregation."""
        return list(self.datasets.values())[-1]


def _treat(data: pd.DataFrame, args: dict[str, Any]) -> TreatmentResult:
    f2 = args.get("f2", "log_CT")
    return treat(
        data,
        winmax=args.get("winmax", 5),
        skew_thresh=float(args.get("skew_thresh", 2.0)),
        kurt_thresh=float(args.get("kurt_thresh", 3.5)),
        f2=None if f2 in (None, "none") else f2,
        skip=tuple(args.get("skip", ())),
    )


def _impute(fw: Framework, data: pd.DataFrame, args: dict[str, Any]) -> pd.DataFrame:
    group = args.get("use_group")
    if group is not None and group not in fw.groups.columns:
        raise InputError(
            f"impute: use_group {group!r} is not a Group column.",
            f"Groups: {', '.join(fw.groups.columns) or 'none'}.",
        )
    return impute(data, args.get("f_i", "i_mean"), groups=fw.groups[group] if group else None)


def run_pipeline(
    framework: Framework, pipeline: Pipeline, *, weights: pd.Series | None = None
) -> IndexResult:
    """Run the steps of ``pipeline`` on ``framework`` and aggregate.

    Parameters
    ----------
    framework:
        The validated iData/iMeta.
    pipeline:
        The steps (see :func:`parse_pipeline`).
    weights:
        Weights per code, instead of iMeta's.

    Returns
    -------
    IndexResult

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.indicators.framework import validate_framework
    >>> d = pd.DataFrame({"uCode": ["A", "B", "C"], "x": [1, 2, 3], "y": [30, 20, 10]})
    >>> m = pd.DataFrame({"iCode": ["x", "y", "Index"], "Level": [1, 1, 2],
    ...     "Parent": ["Index", "Index", None], "Weight": 1, "Direction": [1, -1, 1],
    ...     "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> p = parse_pipeline({"steps": [{"normalise": {"f_n": "n_minmax"}}, {"aggregate": {}}]})
    >>> run_pipeline(validate_framework(d, m), p).scores["Index"].tolist()
    [0.0, 50.0, 100.0]

    References
    ----------
    COINr ``build_example_coin()`` (the same sequence on the ASEM data).
    """
    fw = framework
    data = fw.data
    sets = {"Raw": data}
    removed: list[str] = []
    details = None
    for step in pipeline.steps:
        args = step.args
        if step.name == "denominate":
            by = args.get("denomby") or fw.meta["Denominator"].dropna().to_dict()
            data = denominate(data, fw.denominators, by)
            sets["Denominated"] = data
        elif step.name == "impute":
            data = _impute(fw, data, args)
            sets["Imputed"] = data
        elif step.name == "screen":
            data, removed = screen_units(
                data,
                unit_screen=args.get("unit_screen", "byNA"),
                dat_thresh=float(args.get("dat_thresh", 2 / 3)),
                nonzero_thresh=float(args.get("nonzero_thresh", 0.05)),
                force=args.get("Force"),
            )
            fw = fw.with_data(data)
            if removed:
                sets = {k: v.loc[data.index] for k, v in sets.items()}
            sets["Screened"] = data
        elif step.name == "treat":
            result = _treat(data, args)
            data, details = result.data, result.details
            sets["Treated"] = data
        elif step.name == "normalise":
            params = {k: v for k, v in args.items() if k != "f_n"}
            data = normalise(
                data,
                fw.meta["Direction"],
                args.get("f_n", "n_minmax"),
                params,
                targets=fw.meta["Target"],
            )
            sets["Normalised"] = data
    agg = pipeline.step("aggregate")
    if agg is None:
        scores = pd.DataFrame(index=data.index)
    else:
        w = (
            weights
            if weights is not None
            else (
                pd.Series(agg.args["w"]).reindex(fw.meta.index).fillna(fw.meta["Weight"])
                if "w" in agg.args
                else None
            )
        )
        thresh = agg.args.get("dat_thresh")
        full = aggregate(
            data,
            fw,
            agg.args.get("f_ag", "a_amean"),
            weights=w,
            dat_thresh=None if thresh is None else float(thresh),
        )
        scores = full.iloc[:, data.shape[1] :]
    return IndexResult(fw, sets, scores, rank_scores(scores), removed, details)
