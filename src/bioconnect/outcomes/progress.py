"""Progress of a KPI from its baseline towards its target, and the status rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from bioconnect.errors import InputError

__all__ = ["AT_RISK_SHARE", "Progress", "kpi_progress"]

#: A KPI is at risk, not off track, while its progress is at least this share of the
#: progress expected by the date of its latest observation.
AT_RISK_SHARE = 0.75

Status = Literal["met", "on_track", "at_risk", "off_track", "no_data"]


@dataclass(frozen=True)
class Progress:
    """Where a KPI stands: the share of the way from baseline to target it has come
    (``progress``), the share of the time that has passed (``expected``), and a status."""

    progress: float | None
    expected: float | None
    status: Status


def kpi_progress(
    baseline: tuple[float, date],
    target: tuple[float, date],
    latest: tuple[float, date] | None,
) -> Progress:
    """Progress against a linear path from baseline to target, and its status.

    progress = (latest − baseline) / (target − baseline) and expected = (latest date −
    baseline date) / (target date − baseline date), clipped to [0, 1]. The direction of the
    KPI is in the sign of target − baseline. The status is ``met`` when progress ≥ 1,
    ``on_track`` when progress ≥ expected, ``at_risk`` when progress ≥
    :data:`AT_RISK_SHARE` × expected, else ``off_track``; ``no_data`` without an observation
    on or after the baseline date. An observation dated before the baseline says nothing
    about the way travelled since the baseline, so it never counts as progress (its
    expected share would be clipped to 0 and any value would look on track, or met).

    Parameters
    ----------
    baseline, target:
        (value, date) pairs; the target date must come after the baseline date and the
        values must differ.
    latest:
        The latest observation (value, date), or ``None``. One dated before the baseline
        is treated as ``None``.

    Returns
    -------
    Progress
        Progress, expected progress and status.

    Examples
    --------
    >>> base, goal = (14.0, date(2024, 12, 31)), (25.0, date(2029, 12, 31))
    >>> p = kpi_progress(base, goal, (18.0, date(2026, 12, 31)))
    >>> round(p.progress, 3), round(p.expected, 3), p.status
    (0.364, 0.4, 'at_risk')
    >>> kpi_progress(base, goal, (26.0, date(2027, 6, 30))).status
    'met'
    >>> kpi_progress(base, goal, (26.0, date(2023, 6, 30))).status
    'no_data'

    References
    ----------
    OECD (2002). *Glossary of Key Terms in Evaluation and Results Based Management*
    (baseline, target, benchmark); European Commission (2021). *Better Regulation Toolbox*,
    tool #43 (monitoring progress against targets along a trajectory).
    """
    (b, b_date), (t, t_date) = baseline, target
    if t_date <= b_date:
        raise InputError(
            f"the target date {t_date} is not after the baseline date {b_date}",
            "give the KPI a target date later than its baseline",
        )
    if t == b:
        raise InputError("the target equals the baseline", "a KPI needs a target it moves towards")
    if latest is None or latest[1] < b_date:
        return Progress(progress=None, expected=None, status="no_data")
    value, when = latest
    progress = (value - b) / (t - b)
    expected = min(1.0, max(0.0, (when - b_date).days / (t_date - b_date).days))
    if progress >= 1:
        status: Status = "met"
    elif progress >= expected:
        status = "on_track"
    elif progress >= AT_RISK_SHARE * expected:
        status = "at_risk"
    else:
        status = "off_track"
    return Progress(progress=progress, expected=expected, status=status)
