"""Newcomer cohorts from the store: entry, exit, survival, by country, group, domain, SME."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, Integer, func, select

from bioconnect.errors import InputError
from bioconnect.outcomes import (
    cox_ph,
    entries_per_year,
    kaplan_meier,
    logrank_test,
    newcomer_cohort,
    survival_at,
)
from bioconnect.store import schema
from bioconnect.store.schema import table

#: The preset sources whose organisations took part in an earlier framework programme.
PRIOR_SOURCES = ("fp7-organisation-names",)
#: The programmes whose first participation makes a newcomer.
NEWCOMER_PROGRAMMES = ("H2020", "HORIZON")
#: The horizons (years) at which survival is reported.
HORIZONS = (3.0, 5.0)

Breakdown = Literal["country", "stakeholder_group", "domain", "sme"]
BREAKDOWNS: tuple[str, ...] = ("country", "stakeholder_group", "domain", "sme")


class Curve(BaseModel):
    """One Kaplan–Meier curve with its 95% log-log band, median and fixed horizons."""

    model_config = ConfigDict(frozen=True)

    n: int
    events: int
    timeline: list[float]
    at_risk: list[int]
    survival: list[float]
    ci_lower: list[float]
    ci_upper: list[float]
    median: float | None
    at_horizons: dict[str, float | None]


class LogRank(BaseModel):
    """A log-rank test across groups."""

    model_config = ConfigDict(frozen=True)

    chi2: float
    df: int
    p: float


class EntryCount(BaseModel):
    """How many entered in a year, in one group."""

    model_config = ConfigDict(frozen=True)

    group: str
    year: int
    entries: int


class CohortReport(BaseModel):
    """Newcomer cohorts: entries per year and survival, per group of the breakdown."""

    model_config = ConfigDict(frozen=True)

    countries: list[str]
    by: str
    gap_years: int
    end_year: int
    members: int
    entries: list[EntryCount]
    curves: dict[str, Curve]
    logrank: LogRank | None


def _participations(engine: Engine, countries: Sequence[str]) -> pd.DataFrame:
    part, proj, org = (
        table(schema.Participation),
        table(schema.Project),
        table(schema.Organisation),
    )
    year = func.coalesce(
        proj.c.start_year, func.cast(func.substr(proj.c.start_date, 1, 4), Integer)
    )
    query = (
        select(part.c.org_id.label("entity"), year.label("start_year"))
        .join(proj, proj.c.id == part.c.project_id)
        .join(org, org.c.id == part.c.org_id)
        .where(part.c.programme.in_(NEWCOMER_PROGRAMMES), org.c.country.in_(list(countries)))
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["entity", "start_year"]).dropna()


def _prior_participants(engine: Engine, sources: Sequence[str]) -> set[str]:
    rec, link, files = (
        table(schema.SourceRecord),
        table(schema.RecordLink),
        table(schema.SourceFile),
    )
    query = (
        select(link.c.org_id)
        .distinct()
        .join(rec, rec.c.record_key == link.c.record_key)
        .join(files, files.c.id == rec.c.source_file_id)
        .where(files.c.source.in_(list(sources)))
    )
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(query)}


def _attributes(engine: Engine, ids: Sequence[str]) -> pd.DataFrame:
    org = table(schema.Organisation)
    query = select(org.c.id, org.c.country, org.c.stakeholder_group, org.c.domains, org.c.sme)
    with engine.connect() as conn:
        rows = conn.execute(query.where(org.c.id.in_(list(ids)))).all() if ids else []
    frame = pd.DataFrame(rows, columns=["entity", "country", "stakeholder_group", "domain", "sme"])
    frame["stakeholder_group"] = frame["stakeholder_group"].fillna("unknown")
    frame["domain"] = frame["domain"].fillna("none").str.split(";")
    frame["sme"] = frame["sme"].map({True: "sme", False: "not_sme"}).fillna("unknown")
    return frame


def _data_end_year(engine: Engine) -> int:
    part, proj = table(schema.Participation), table(schema.Project)
    year = func.coalesce(
        proj.c.start_year, func.cast(func.substr(proj.c.start_date, 1, 4), Integer)
    )
    query = select(func.max(year)).join(part, part.c.project_id == proj.c.id)
    with engine.connect() as conn:
        end = conn.execute(query.where(part.c.programme.in_(NEWCOMER_PROGRAMMES))).scalar()
    if end is None:
        raise InputError(
            "the store holds no H2020 or Horizon Europe projects", "run bioconnect ingest first"
        )
    return int(end)


def newcomer_table(
    engine: Engine,
    countries: Sequence[str],
    *,
    gap_years: int = 3,
    end_year: int | None = None,
    prior_sources: Sequence[str] = PRIOR_SOURCES,
) -> pd.DataFrame:
    """The cohort table of newcomers of the given countries, with their attributes.

    ``domain`` holds a list per organisation (an organisation can work in several).
    """
    end = _data_end_year(engine) if end_year is None else end_year
    cohort = newcomer_cohort(
        _participations(engine, countries),
        gap_years=gap_years,
        end_year=end,
        not_newcomers=_prior_participants(engine, prior_sources),
    )
    # an empty cohort (no newcomers) has no entity type of its own
    cohort = cohort.astype({"entity": str})
    attrs = _attributes(engine, cohort["entity"].tolist())
    return cohort.merge(attrs.astype({"entity": str}), on="entity", how="left")


def curve_model(durations: np.ndarray, events: np.ndarray) -> Curve:
    """The read model of one Kaplan–Meier curve."""
    km = kaplan_meier(durations, events)
    at = survival_at(km, HORIZONS)
    return Curve(
        n=int(durations.size),
        events=int(np.sum(events)),
        timeline=km.timeline.tolist(),
        at_risk=km.at_risk.tolist(),
        survival=km.survival.tolist(),
        ci_lower=km.ci_lower.tolist(),
        ci_upper=km.ci_upper.tolist(),
        median=None if np.isinf(km.median) else km.median,
        at_horizons={
            f"{h:g}": (None if np.isnan(v) else float(v)) for h, v in zip(HORIZONS, at, strict=True)
        },
    )


def newcomer_cohorts(
    engine: Engine,
    countries: Sequence[str],
    *,
    by: str = "country",
    gap_years: int = 3,
    end_year: int | None = None,
) -> CohortReport:
    """Newcomers of the given countries: entries per year and survival, per group of ``by``.

    ``by`` is one of :data:`BREAKDOWNS`. By domain, an organisation counts once in each of
    its domains, so the groups overlap and the log-rank test is not computed.
    """
    if by not in BREAKDOWNS:
        raise InputError(f"unknown breakdown {by!r}", f"use one of {', '.join(BREAKDOWNS)}")
    if not countries:
        raise InputError("no countries given", "name at least one country code, e.g. EE")
    end = _data_end_year(engine) if end_year is None else end_year
    codes = [c.upper() for c in countries]
    frame = newcomer_table(engine, codes, gap_years=gap_years, end_year=end)
    groups = frame.explode("domain") if by == "domain" else frame
    groups = groups.assign(group=groups[by].astype(str))
    counts = entries_per_year(groups, by=["group"])
    curves = {
        name: curve_model(part["duration"].to_numpy(), part["event"].to_numpy())
        for name, part in groups.groupby("group")
    }
    test = None
    if by != "domain" and len(curves) > 1 and frame["event"].any():
        lr = logrank_test(groups["duration"], groups["event"], groups["group"])
        test = LogRank(chi2=lr.chi2, df=lr.df, p=lr.p)
    return CohortReport(
        countries=codes,
        by=by,
        gap_years=gap_years,
        end_year=end,
        members=len(frame),
        entries=[EntryCount(**row) for row in counts.to_dict("records")],
        curves=curves,
        logrank=test,
    )


class CoxTerm(BaseModel):
    """One covariate of a Cox model: its hazard ratio with the 95% interval and p-value."""

    model_config = ConfigDict(frozen=True)

    covariate: str
    coef: float
    hazard_ratio: float
    ci_lower: float
    ci_upper: float
    p: float


class CoxModel(BaseModel):
    """A Cox proportional-hazards model of newcomers' exit on their attributes."""

    model_config = ConfigDict(frozen=True)

    countries: list[str]
    covariates: list[str]
    n: int
    events: int
    concordance: float
    ph_test_min_p: float | None
    terms: list[CoxTerm]


def newcomer_cox(
    engine: Engine,
    countries: Sequence[str],
    *,
    covariates: Sequence[str] = ("country", "stakeholder_group", "sme"),
    gap_years: int = 3,
    end_year: int | None = None,
) -> CoxModel:
    """How country, stakeholder group and SME status shift newcomers' hazard of exit.

    Text attributes enter as indicators against their most common value; a hazard ratio
    above 1 means an earlier exit. A small ``ph_test_min_p`` warns that a hazard ratio
    changes over time (the model's assumption fails for that covariate).
    """
    unknown = [c for c in covariates if c not in ("country", "stakeholder_group", "sme")]
    if unknown:
        raise InputError(
            f"unknown covariate {unknown[0]!r}", "use country, stakeholder_group or sme"
        )
    codes = [c.upper() for c in countries]
    end = _data_end_year(engine) if end_year is None else end_year
    frame = newcomer_table(engine, codes, gap_years=gap_years, end_year=end)
    used = [c for c in covariates if frame[c].nunique() > 1]
    fit = cox_ph(frame, "duration", "event", used, penalizer=0.0)
    return CoxModel(
        countries=codes,
        covariates=used,
        n=fit.n,
        events=fit.events,
        concordance=fit.concordance,
        ph_test_min_p=fit.ph_test_min_p,
        terms=[
            CoxTerm(covariate=str(name), **{k: float(v) for k, v in row.items() if k != "se"})
            for name, row in fit.table.iterrows()
        ],
    )
