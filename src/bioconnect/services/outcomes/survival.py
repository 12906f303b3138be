"""Survival of any table: Kaplan–Meier per group and the log-rank test, from a CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from bioconnect.errors import InputError
from bioconnect.model.values import ValueProblem, parse_boolean, parse_number
from bioconnect.outcomes import kaplan_meier, logrank_test


class GroupCurve(BaseModel):
    """One group's Kaplan–Meier curve with its 95% log-log band."""

    model_config = ConfigDict(frozen=True)

    n: int
    events: int
    timeline: list[float]
    survival: list[float]
    ci_lower: list[float]
    ci_upper: list[float]
    median: float | None


class LogRankTest(BaseModel):
    model_config = ConfigDict(frozen=True)

    chi2: float
    df: int
    p: float


class SurvivalReport(BaseModel):
    """Curves by group (one group, ``all``, without a group column) and the log-rank test."""

    model_config = ConfigDict(frozen=True)

    groups: dict[str, GroupCurve]
    logrank: LogRankTest | None


def _column(frame: pd.DataFrame, name: str, path: Path) -> pd.Series:
    if name not in frame.columns:
        raise InputError(
            f"{path.name}: there is no column {name!r}",
            f"the columns are: {', '.join(frame.columns)[:300]}",
        )
    return frame[name]


def _read(values: pd.Series, parse: object, path: Path, column: str) -> np.ndarray:
    out = []
    for i, cell in enumerate(values.tolist()):
        try:
            got = parse(cell).value  # type: ignore[operator]
        except ValueProblem as problem:
            raise InputError(
                f"{path.name}, row {i + 2}, column {column!r}: {problem}", "fix the cell"
            ) from None
        if got is None:
            raise InputError(
                f"{path.name}, row {i + 2}, column {column!r}: the cell is empty", "fill it in"
            )
        out.append(got)
    return np.asarray(out)


def _curve(durations: np.ndarray, events: np.ndarray) -> GroupCurve:
    km = kaplan_meier(durations, events)
    return GroupCurve(
        n=int(durations.size),
        events=int(events.sum()),
        timeline=km.timeline.tolist(),
        survival=km.survival.tolist(),
        ci_lower=km.ci_lower.tolist(),
        ci_upper=km.ci_upper.tolist(),
        median=None if np.isinf(km.median) else km.median,
    )


def survival_of_file(
    path: Path, *, duration: str, event: str, group: str | None = None
) -> SurvivalReport:
    """Kaplan–Meier curves of a CSV's ``duration`` and ``event`` columns, per ``group``.

    Events are booleans (1/0, true/false, yes/no); a bad cell raises one error naming
    file, row (the header is row 1) and column.
    """
    if not path.is_file():
        raise InputError(f"{path} does not exist", "check the path")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    durations = _read(_column(frame, duration, path), parse_number, path, duration).astype(float)
    events = _read(_column(frame, event, path), parse_boolean, path, event).astype(bool)
    negative = np.flatnonzero(durations < 0)
    if negative.size:
        raise InputError(
            f"{path.name}, row {negative[0] + 2}, column {duration!r}: the duration is negative",
            "durations are the time from entry to exit or censoring",
        )
    labels = (
        _column(frame, group, path).to_numpy(dtype=str) if group else np.full(durations.size, "all")
    )
    groups = {
        name: _curve(durations[labels == name], events[labels == name])
        for name in sorted(set(labels))
    }
    test = None
    if len(groups) > 1 and events.any():
        lr = logrank_test(durations, events, labels)
        test = LogRankTest(chi2=lr.chi2, df=lr.df, p=lr.p)
    return SurvivalReport(groups=groups, logrank=test)
