"""The European Innovation Scoreboard in the store: import editions, groups, profiles.

An edition is imported whole, in one transaction, with its file's path, SHA-256, size and
sheets; re-importing it replaces its rows and changes nothing else. Several editions live
side by side, each under its name. The official web download (four sheets) is read as it
is; another layout is read through a mapping (a YAML naming the sheet and the columns of
a long table: unit, indicator code, year, value, and optional labels).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, delete, func, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.store import schema
from bioconnect.store.changes import audit
from bioconnect.store.database import bulk_insert, transaction

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BenchmarkGroups",
    "BestPractice",
    "CooperationArea",
    "EditionSummary",
    "GroupCall",
    "GroupChange",
    "ProfileRow",
    "benchmark_best_practice",
    "benchmark_cooperation",
    "benchmark_groups",
    "benchmark_profile",
    "edition_values",
    "import_edition",
    "list_editions",
    "structural_denominators",
]

#: The sheets of the official EIS web download and the columns each must have.
OFFICIAL_SHEETS: dict[str, tuple[str, ...]] = {
    "EIS": ("iso2", "country", "year", "indicator_code", "indicator", "value", "performance group"),
    "structural": ("iso2", "country", "indicator_code", "indicator", "period", "value"),
    "global_competitors": ("iso2", "country", "year", "indicator_code", "indicator", "value"),
    "structural_global": ("iso2", "country", "indicator_code", "indicator", "period", "value"),
}
EU = "EU27_2020"
SII = "SII"


class EditionSummary(BaseModel):
    """An imported edition and where it came from."""

    model_config = ConfigDict(frozen=True)

    name: str
    layout: str
    path: str
    sha256: str
    sheets: list[str]
    rows: int
    countries: int
    years: list[int]


def _official_frames(path: Path) -> dict[str, pd.DataFrame]:
    import pandas as pd
    from openpyxl import load_workbook

    try:
        sheets = load_workbook(path, read_only=True).sheetnames
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(
            f"{path.name}: not a readable xlsx workbook ({exc}).", "Give the EIS web download."
        ) from exc
    missing = [s for s in OFFICIAL_SHEETS if s not in sheets]
    if missing:
        raise InputError(
            f"{path.name}: sheet {missing[0]!r} is missing (the sheets are {', '.join(sheets)}).",
            "Give the whole EIS web download, or a --mapping for another layout.",
        )
    frames = pd.read_excel(path, sheet_name=list(OFFICIAL_SHEETS))
    out = {}
    for sheet, required in OFFICIAL_SHEETS.items():
        frame = frames[sheet]
        for column in required:
            if column not in frame.columns:
                raise InputError(
                    f"{path.name}, sheet {sheet}, column {column}: is missing.",
                    "Give the official layout.",
                )
        out[sheet] = pd.DataFrame(
            {
                "sheet": sheet,
                "source_row": frame.index + 2,
                "unit": frame["iso2"].astype(str),
                "unit_name": frame["country"].astype(str),
                "unit_type": frame["group"].astype(str) if "group" in frame.columns else None,
                "period": (frame["year"] if "year" in frame.columns else frame["period"]).astype(
                    str
                ),
                "year": frame["year"] if "year" in frame.columns else None,
                "indicator_code": frame["indicator_code"].astype(str),
                "indicator": frame["indicator"].astype(str),
                "value": _numbers(frame["value"], path.name, sheet, "value"),
                "group_label": frame["performance group"]
                if "performance group" in frame.columns
                else None,
            }
        )
    return out


def _numbers(column: pd.Series, file: str, sheet: str, name: str) -> pd.Series:
    import pandas as pd

    out = pd.to_numeric(column, errors="coerce")
    bad = out.isna() & column.notna() & column.astype(str).str.strip().ne("")
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{file}, sheet {sheet}, row {i + 2}, column {name}: {column.iloc[i]!r} is not a number.",
            "Give a number or leave the cell empty.",
        )
    return out.astype(float)


def _mapped_frames(path: Path, mapping_path: Path) -> dict[str, pd.DataFrame]:
    import pandas as pd

    from bioconnect.services.indicators import read_table

    try:
        spec = yaml.safe_load(mapping_path.read_text(encoding="utf-8")) or {}
    except (FileNotFoundError, yaml.YAMLError) as exc:
        raise InputError(
            f"Mapping file {mapping_path}: cannot be read ({exc}).", "Give a YAML mapping."
        ) from exc
    columns = spec.get("columns", {})
    for key in ("unit", "indicator_code", "year", "value"):
        if key not in columns:
            raise InputError(
                f"{mapping_path.name}: columns.{key} is missing.", "Name the file's column for it."
            )
    frame = read_table(path, sheet=spec.get("sheet"))
    for key, column in columns.items():
        if column not in frame.columns:
            raise InputError(
                f"{path.name}, column {column}: is missing (mapped as {key}).",
                "Correct the mapping.",
            )
    year = _numbers(frame[columns["year"]], path.name, spec.get("sheet") or "-", columns["year"])

    def optional(key: str) -> Any:
        return frame[columns[key]] if key in columns else None

    sheet = spec.get("name", "EIS")
    return {
        sheet: pd.DataFrame(
            {
                "sheet": sheet,
                "source_row": frame.index + 2,
                "unit": frame[columns["unit"]].astype(str),
                "unit_name": optional("unit_name"),
                "unit_type": optional("unit_type"),
                "period": year.astype("Int64").astype(str),
                "year": year,
                "indicator_code": frame[columns["indicator_code"]].astype(str),
                "indicator": optional("indicator"),
                "value": _numbers(
                    frame[columns["value"]], path.name, spec.get("sheet") or "-", columns["value"]
                ),
                "group_label": optional("group_label"),
            }
        )
    }


def import_edition(
    engine: Engine,
    path: Path,
    *,
    edition: str | None = None,
    mapping: Path | None = None,
    actor: str = "cli",
) -> EditionSummary:
    """Import a scoreboard edition (the official EIS download, or another layout with a mapping).

    Everything is checked before the store is touched; the edition's rows are replaced in
    one transaction, so re-importing is harmless and a bad file stores nothing.
    """
    import pandas as pd

    from bioconnect.sources.download import sha256_of

    if not path.exists():
        raise InputError(f"{path} does not exist.", "Check the path.")
    frames = _official_frames(path) if mapping is None else _mapped_frames(path, mapping)
    values = pd.concat(frames.values(), ignore_index=True)
    values["year"] = pd.to_numeric(values["year"]).astype("Int64")
    main = values[values["sheet"] == next(iter(frames))]
    years = sorted({int(y) for y in main["year"].dropna()})
    if not years or SII not in set(main["indicator_code"]):
        raise InputError(
            f"{path.name}: no {SII} rows with years.", "The edition needs the SII per year."
        )
    name = edition or f"EIS {years[-1]}"
    with transaction(engine) as conn:
        old = conn.execute(
            select(schema.BenchmarkEdition.id).where(schema.BenchmarkEdition.name == name)
        ).scalar()
        if old is not None:
            conn.execute(
                delete(schema.BenchmarkValue).where(schema.BenchmarkValue.edition_id == old)
            )
            conn.execute(delete(schema.BenchmarkEdition).where(schema.BenchmarkEdition.id == old))
        row = conn.execute(
            schema.table(schema.BenchmarkEdition)
            .insert()
            .values(
                name=name,
                layout="official" if mapping is None else f"mapped:{mapping.name}",
                path=str(path),
                sha256=sha256_of(path),
                size_bytes=path.stat().st_size,
                sheets=json.dumps(list(frames)),
                rows_read=len(values),
                imported_at=schema.utcnow(),
            )
        )
        key = row.inserted_primary_key
        assert key is not None
        edition_id = int(key[0])
        bulk_insert(conn, "benchmark_value", values.assign(edition_id=edition_id))
        audit(conn, actor, "import", "benchmark_edition", name, f"{path.name}: {len(values)} rows")
    return _summary(engine, name)


def _summary(engine: Engine, name: str) -> EditionSummary:
    with engine.connect() as conn:
        ed = conn.execute(
            select(schema.table(schema.BenchmarkEdition)).where(
                schema.BenchmarkEdition.name == name
            )
        ).one()
        v = schema.BenchmarkValue
        countries = conn.execute(
            select(func.count(func.distinct(v.unit))).where(
                v.edition_id == ed.id, v.indicator_code == SII, v.sheet == json.loads(ed.sheets)[0]
            )
        ).scalar()
        years = (
            conn.execute(
                select(v.year)
                .where(v.edition_id == ed.id, v.year.is_not(None))
                .distinct()
                .order_by(v.year)
            )
            .scalars()
            .all()
        )
    return EditionSummary(
        name=ed.name,
        layout=ed.layout,
        path=ed.path,
        sha256=ed.sha256,
        sheets=json.loads(ed.sheets),
        rows=ed.rows_read,
        countries=int(countries or 0),
        years=[int(y) for y in years if y is not None],
    )


def list_editions(engine: Engine) -> list[EditionSummary]:
    """Every stored edition, oldest import first."""
    with engine.connect() as conn:
        names = (
            conn.execute(select(schema.BenchmarkEdition.name).order_by(schema.BenchmarkEdition.id))
            .scalars()
            .all()
        )
    return [_summary(engine, n) for n in names]


def _edition_id(engine: Engine, edition: str | None) -> tuple[int, str]:
    e = schema.BenchmarkEdition
    with engine.connect() as conn:
        query = select(e.id, e.name).order_by(e.id.desc())
        if edition is not None:
            query = query.where(e.name == edition)
        found = conn.execute(query).first()
    if found is None:
        what = f"edition {edition!r}" if edition else "edition"
        raise NotFoundError(f"No stored {what}.", "Run `bioconnect benchmark import FILE` first.")
    return int(found[0]), str(found[1])


def edition_values(engine: Engine, edition: str | None = None, sheet: str = "EIS") -> pd.DataFrame:
    """The scores of one sheet of an edition: ``country``, ``year``, ``indicator_code``, ``value``, labels."""
    import pandas as pd

    edition_id, _ = _edition_id(engine, edition)
    v = schema.BenchmarkValue
    query = select(
        v.unit,
        v.unit_name,
        v.year,
        v.period,
        v.indicator_code,
        v.indicator,
        v.value,
        v.group_label,
        v.source_row,
    ).where(v.edition_id == edition_id, v.sheet == sheet)
    with engine.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(query).all(),
            columns=[
                "country",
                "country_name",
                "year",
                "period",
                "indicator_code",
                "indicator",
                "value",
                "group_label",
                "source_row",
            ],
        )
    frame["value"] = frame["value"].astype(float)
    return frame


class GroupCall(BaseModel):
    """A country's group in a year, its SII share of the EU's, and how sure the label is."""

    model_config = ConfigDict(frozen=True)

    group: str
    sii_share: float
    probabilities: dict[str, float]


class GroupChange(BaseModel):
    """A year in which a country moved to another group."""

    model_config = ConfigDict(frozen=True)

    country: str
    year: int
    from_group: str
    to_group: str


class BenchmarkGroups(BaseModel):
    """Performance groups of every country and year of an edition."""

    model_config = ConfigDict(frozen=True)

    edition: str
    method: str
    groups: dict[str, dict[int, GroupCall]]
    file_labels: dict[str, dict[int, str]]
    changes: list[GroupChange]


def _indicator_codes(values: pd.DataFrame) -> list[str]:
    codes = values["indicator_code"].drop_duplicates()
    return sorted(c for c in codes if c.count(".") == 2)


def _dimension_codes(values: pd.DataFrame) -> list[str]:
    codes = values["indicator_code"].drop_duplicates()
    return sorted(c for c in codes if c.count(".") == 1)


def benchmark_groups(
    engine: Engine,
    edition: str | None = None,
    *,
    runs: int = 1000,
    seed: int = 1,
    concentration: float = 1.0,
) -> BenchmarkGroups:
    """Groups from the SII share of the EU's, with Dirichlet/leave-one-out probabilities.

    See :func:`bioconnect.indicators.group_probabilities` for the resampling.
    """
    from bioconnect.indicators import group_changes, group_probabilities, performance_groups

    _, name = _edition_id(engine, edition)
    values = edition_values(engine, name)
    groups = performance_groups(values, eu=EU, sii=SII)
    probs = group_probabilities(
        values,
        _indicator_codes(values),
        runs=runs,
        seed=seed,
        concentration=concentration,
        eu=EU,
        sii=SII,
    ).set_index(["country", "year"])
    out: dict[str, dict[int, GroupCall]] = {}
    for r in groups.itertuples(index=False):
        key = (r.country, r.year)
        p = probs.loc[key].to_dict() if key in probs.index else {}
        out.setdefault(str(r.country), {})[int(r.year)] = GroupCall(
            group=str(r.group),
            sii_share=float(r.sii_share),
            probabilities={k: float(v) for k, v in p.items()},
        )
    labels = values[
        (values["indicator_code"] == SII)
        & values["group_label"].notna()
        & (values["country"] != EU)
    ]
    file_labels: dict[str, dict[int, str]] = {}
    for r in labels.itertuples(index=False):
        file_labels.setdefault(str(r.country), {})[int(r.year)] = str(r.group_label)
    return BenchmarkGroups(
        edition=name,
        method=(
            f"SII share of the EU's SII (Leader > 125, Strong 100-125, Moderate 70-100, Emerging < 70); "
            f"probabilities from {runs} replicates with Dirichlet({concentration}) indicator weights and one "
            f"indicator left out each, seed {seed}"
        ),
        groups=out,
        file_labels=file_labels,
        changes=[GroupChange(**c) for c in group_changes(groups).to_dict("records")],
    )


class ProfileRow(BaseModel):
    """A dimension or indicator of a country's profile."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    score: float | None
    vs_eu: float | None
    vs_group: float | None


def _clean(value: float) -> float | None:
    return None if value != value else float(value)


def benchmark_profile(
    engine: Engine,
    country: str,
    year: int | None = None,
    *,
    edition: str | None = None,
    level: str = "dimension",
) -> list[ProfileRow]:
    """Strengths and weaknesses of a country: each dimension (or indicator) against the EU and its group."""
    from bioconnect.indicators import performance_groups, strengths_weaknesses

    values = edition_values(engine, edition)
    year = year or int(values["year"].max())
    groups = performance_groups(values, eu=EU, sii=SII)
    this = groups[(groups["year"] == year)]
    if country not in set(this["country"]):
        raise NotFoundError(
            f"No SII for {country!r} in {year}.", "Check the ISO2 code and the year."
        )
    own = this.set_index("country").at[country, "group"]
    peers = [c for c in this.loc[this["group"] == own, "country"] if c != country]
    codes = _dimension_codes(values) if level == "dimension" else _indicator_codes(values)
    table = strengths_weaknesses(values, country, year, codes, peers=peers, eu=EU)
    names = values.drop_duplicates("indicator_code").set_index("indicator_code")["indicator"]
    return [
        ProfileRow(
            code=str(c),
            name=str(names.get(c, c)),
            score=_clean(r["score"]),
            vs_eu=_clean(r["vs_eu"]),
            vs_group=_clean(r["vs_peers"]),
        )
        for c, r in table.iterrows()
    ]


class BestPractice(BaseModel):
    """The best-practice matrix: each country's dimension scores as % of the reference's."""

    model_config = ConfigDict(frozen=True)

    reference: str
    year: int
    dimensions: dict[str, str]
    matrix: dict[str, dict[str, float | None]]


def benchmark_best_practice(
    engine: Engine,
    countries: list[str],
    reference: str,
    year: int | None = None,
    *,
    edition: str | None = None,
) -> BestPractice:
    """Each region country against the reference leader, dimension by dimension."""
    from bioconnect.indicators import best_practice_matrix

    values = edition_values(engine, edition)
    year = year or int(values["year"].max())
    codes = _dimension_codes(values)
    matrix = best_practice_matrix(values, countries, reference, year, codes)
    names = values.drop_duplicates("indicator_code").set_index("indicator_code")["indicator"]
    return BestPractice(
        reference=reference,
        year=year,
        dimensions={c: str(names[c]) for c in codes},
        matrix={str(c): {k: _clean(v) for k, v in row.items()} for c, row in matrix.iterrows()},
    )


class CooperationArea(BaseModel):
    """A dimension where one region country is strong and another weak."""

    model_config = ConfigDict(frozen=True)

    dimension: str
    name: str
    strong_country: str
    weak_country: str
    strong_vs_eu: float
    weak_vs_eu: float


def benchmark_cooperation(
    engine: Engine, countries: list[str], year: int | None = None, *, edition: str | None = None
) -> list[CooperationArea]:
    """Areas for cooperation: strong (>= EU) meets weak (< 70% of the EU) on a dimension."""
    from bioconnect.indicators import cooperation_areas

    values = edition_values(engine, edition)
    year = year or int(values["year"].max())
    names = values.drop_duplicates("indicator_code").set_index("indicator_code")["indicator"]
    table = cooperation_areas(values, countries, year, _dimension_codes(values), eu=EU)
    return [CooperationArea(name=str(names[r["dimension"]]), **r) for r in table.to_dict("records")]


def structural_denominators(engine: Engine, edition: str | None = None) -> pd.DataFrame:
    """The edition's structural indicators as iData columns, for use as denominators.

    One row per unit (index ``uCode``), one column per structural indicator named by its
    code (``5.1.1`` GDP per capita, ``5.6.1`` population size, ``5.2.1`` enterprise births,
    ...); a code published for several periods keeps the latest period.
    """
    values = edition_values(engine, edition, sheet="structural")
    if values.empty:
        raise NotFoundError(
            "The edition has no structural sheet.", "Import the official EIS download."
        )
    latest = values.sort_values("period").drop_duplicates(
        ["country", "indicator_code"], keep="last"
    )
    table = latest.pivot(index="country", columns="indicator_code", values="value")
    table.index.name = "uCode"
    table.columns.name = None
    return table
