"""Composite indicators from files: build an index with a COINr pipeline, test its robustness.

The user gives an iData/iMeta pair (CSV or XLSX, COINr's shapes) and a pipeline YAML
(``examples/coinr-asem/pipeline.yaml``); the functions return typed read models, used by
the CLI and the API alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict

from bioconnect.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from bioconnect.indicators import Framework, IndexResult, Pipeline, SensitivityResult

__all__ = [
    "DEFAULT_PIPELINE",
    "TABLE_SUFFIXES",
    "UPLOAD_LIMIT",
    "IndexBuild",
    "IndexRow",
    "RankInterval",
    "SensitivityIndex",
    "SensitivityReport",
    "TreatedIndicator",
    "UploadedIndex",
    "build_index",
    "build_uploaded_index",
    "index_build_model",
    "index_sensitivity",
    "index_table",
    "load_framework",
    "load_pipeline",
    "read_table",
    "sensitivity_report",
]

#: The pipeline used when none is given: COINr's defaults, min-max 0-100 then arithmetic mean.
DEFAULT_PIPELINE: dict[str, object] = {
    "steps": [
        {"normalise": {"f_n": "n_minmax", "l_u": [0, 100]}},
        {"aggregate": {"f_ag": "a_amean"}},
    ]
}


class TreatedIndicator(BaseModel):
    """What the outlier treatment did to one indicator."""

    model_config = ConfigDict(frozen=True)

    indicator: str
    skew: float
    kurtosis: float
    treatment: str
    n_winsorised: int
    passes: bool


class IndexBuild(BaseModel):
    """A built index: scores and ranks of every aggregate, normalised indicator values."""

    model_config = ConfigDict(frozen=True)

    scores: dict[str, dict[str, float | None]]
    ranks: dict[str, dict[str, int | None]]
    normalised: dict[str, dict[str, float | None]]
    aggregates: list[str]
    levels: dict[str, int]
    removed_units: list[str]
    treatment: list[TreatedIndicator]


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """A CSV or XLSX file (one sheet) as text cells; empty cells are ``None``."""
    from bioconnect.sources.tables import ROW, read_csv, read_xlsx

    if not path.exists():
        raise InputError(f"{path} does not exist.", "Check the path.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raw = read_xlsx(path, sheet=sheet, required=[])
    else:
        raw = read_csv(path, delimiter=None, encoding="utf-8", required=[])
    frame = raw.frame.drop(columns=[ROW], errors="ignore").reset_index(drop=True)
    return frame.where(frame.notna() & frame.ne(""), None)


def load_framework(data_path: Path, meta_path: Path) -> Framework:
    """Read and check an iData/iMeta pair (CSV or XLSX).

    Raises :class:`InputError` naming the file, row and column of the first problem.
    """
    from bioconnect.indicators import validate_framework

    return validate_framework(
        read_table(data_path),
        read_table(meta_path),
        data_source=data_path.name,
        meta_source=meta_path.name,
    )


def load_pipeline(path: Path | None) -> Pipeline:
    """Read a pipeline YAML (COINr's step and argument names); ``None`` gives the default."""
    from bioconnect.indicators import parse_pipeline

    if path is None:
        return parse_pipeline(DEFAULT_PIPELINE, "default pipeline")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"Pipeline file {path} does not exist.", "Check the path.") from exc
    except yaml.YAMLError as exc:
        raise InputError(
            f"Pipeline file {path} is not valid YAML: {exc}.", "Fix the YAML syntax."
        ) from exc
    return parse_pipeline(spec, path.name)


def _nested(frame: pd.DataFrame) -> dict[str, dict[str, object]]:
    import pandas as pd

    return {
        str(unit): {
            str(c): (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
            for c, v in row.items()
        }
        for unit, row in frame.iterrows()
    }


def index_build_model(result: IndexResult) -> IndexBuild:
    """The read model of a pipeline run."""
    details = result.treatment
    treated = (
        []
        if details is None
        else [
            TreatedIndicator(
                indicator=str(code),
                skew=float(r["skew"]),
                kurtosis=float(r["kurt"]),
                treatment=str(r["treatment"]),
                n_winsorised=int(r["n_winsorised"]),
                passes=bool(r["passes"]),
            )
            for code, r in details.iterrows()
        ]
    )
    return IndexBuild(
        scores=_nested(result.scores),  # type: ignore[arg-type]
        ranks=_nested(result.ranks.astype(object)),  # type: ignore[arg-type]
        normalised=_nested(result.normalised),  # type: ignore[arg-type]
        aggregates=[str(c) for c in result.scores.columns],
        levels={str(c): int(result.framework.meta.at[c, "Level"]) for c in result.scores.columns},
        removed_units=list(result.removed_units),
        treatment=treated,
    )


def index_table(built: IndexBuild) -> pd.DataFrame:
    """One row per unit, ranked by the top aggregate: ``rank``, ``unit`` and every aggregate's score."""
    import pandas as pd

    top = built.aggregates[-1] if built.aggregates else None
    rows = [
        {"rank": built.ranks[u].get(top) if top else None, "unit": u, **built.scores[u]}
        for u in built.scores
    ]
    frame = pd.DataFrame(rows, columns=["rank", "unit", *built.aggregates])
    return frame.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)


def build_index(data_path: Path, meta_path: Path, pipeline_path: Path | None = None) -> IndexBuild:
    """Build a composite index from iData/iMeta files with a pipeline file.

    Parameters
    ----------
    data_path, meta_path:
        iData and iMeta (CSV or XLSX).
    pipeline_path:
        The pipeline YAML; :data:`DEFAULT_PIPELINE` when ``None``.

    Returns
    -------
    IndexBuild
    """
    from bioconnect.indicators import run_pipeline

    framework = load_framework(data_path, meta_path)
    pipeline = load_pipeline(pipeline_path)
    return index_build_model(run_pipeline(framework, pipeline))


class RankInterval(BaseModel):
    """The nominal rank of a unit and the spread of its rank over the sampled choices."""

    model_config = ConfigDict(frozen=True)

    unit: str
    nominal: int
    median: float
    q05: float
    q95: float


class SensitivityIndex(BaseModel):
    """First-order and total Sobol indices of one uncertain choice, with 95% intervals."""

    model_config = ConfigDict(frozen=True)

    factor: str
    first_order: float
    first_order_conf: float
    total: float
    total_conf: float


class SensitivityReport(BaseModel):
    """An uncertainty and sensitivity analysis of an index's ranks."""

    model_config = ConfigDict(frozen=True)

    aggregate: str
    runs: int
    seed: int
    factors: dict[str, list[str]]
    output: str
    rank_intervals: list[RankInterval]
    indices: list[SensitivityIndex]


def index_sensitivity(
    data_path: Path,
    meta_path: Path,
    pipeline_path: Path | None = None,
    *,
    runs: int = 1000,
    seed: int = 1,
    weight_noise: float = 0.25,
) -> SensitivityReport:
    """Sample methodological choices around a pipeline and report rank intervals and Sobol indices.

    The choices are the weights (multiplicative uniform noise of ``weight_noise``), the
    normalisation, the aggregation and whether to treat outliers; see
    :func:`bioconnect.indicators.sensitivity_analysis`.
    """
    from bioconnect.indicators import sensitivity_analysis

    framework = load_framework(data_path, meta_path)
    pipeline = load_pipeline(pipeline_path)
    result = sensitivity_analysis(
        framework, pipeline, runs=runs, seed=seed, weight_noise=weight_noise
    )
    return sensitivity_report(result, seed)


def sensitivity_report(result: SensitivityResult, seed: int) -> SensitivityReport:
    """The read model of a sensitivity analysis (rank intervals, Sobol indices)."""
    nominal = result.nominal_ranks
    return SensitivityReport(
        aggregate=result.aggregate,
        runs=result.n_runs,
        seed=seed,
        factors={k: list(v) for k, v in result.factor_levels.items()},
        output=result.output,
        rank_intervals=[
            RankInterval(
                unit=str(u),
                nominal=int(nominal[u]),
                median=float(r["median"]),
                q05=float(r["q05"]),
                q95=float(r["q95"]),
            )
            for u, r in result.rank_intervals.sort_values("nominal").iterrows()
        ],
        indices=[
            SensitivityIndex(
                factor=str(f),
                first_order=float(r["S1"]),
                first_order_conf=float(r["S1_conf"]),
                total=float(r["ST"]),
                total_conf=float(r["ST_conf"]),
            )
            for f, r in result.indices.iterrows()
        ],
    )


#: The largest iData, iMeta or pipeline file the index builder page accepts.
UPLOAD_LIMIT = 5 * 1024 * 1024
TABLE_SUFFIXES = (".csv", ".xlsx")


class IndexRow(BaseModel):
    """A unit of a built index: score and rank of the top aggregate, and its rank interval."""

    model_config = ConfigDict(frozen=True)

    unit: str
    score: float | None
    rank: int | None
    rank_q05: float | None
    rank_median: float | None
    rank_q95: float | None


class UploadedIndex(BaseModel):
    """An index built from uploaded files, with its sensitivity analysis and chart."""

    model_config = ConfigDict(frozen=True)

    data_file: str
    meta_file: str
    pipeline_file: str | None
    aggregate: str
    rows: list[IndexRow]
    build: IndexBuild
    sensitivity: SensitivityReport
    chart: dict[str, object]


def _upload_name(name: str, suffixes: tuple[str, ...], what: str) -> str:
    clean = Path(name.replace("\\", "/")).name
    if Path(clean).suffix.lower() not in suffixes or not clean:
        raise InputError(
            f"{what} {name!r} is not a {' or '.join(suffixes)} file.",
            f"Upload the {what} as {' or '.join(suffixes)}.",
        )
    return clean


def build_uploaded_index(
    data: tuple[str, bytes],
    meta: tuple[str, bytes],
    pipeline: tuple[str, bytes] | None = None,
    *,
    runs: int = 256,
    seed: int = 1,
) -> UploadedIndex:
    """Build an index from uploaded iData/iMeta (and pipeline) files: results and sensitivity.

    Each file is ``(name, bytes)``; names are kept for the error messages, which say file,
    row and column as for files on disk. Nothing is stored.
    """
    import tempfile

    from bioconnect.charts.benchmark import rank_interval_chart

    files = [("iData", data, TABLE_SUFFIXES), ("iMeta", meta, TABLE_SUFFIXES)]
    if pipeline is not None:
        files.append(("pipeline", pipeline, (".yaml", ".yml")))
    with tempfile.TemporaryDirectory(prefix="bioconnect-index-") as folder:
        paths = []
        for i, (what, (name, content), suffixes) in enumerate(files):
            if len(content) > UPLOAD_LIMIT:
                raise InputError(f"{what} {name!r} is larger than 5 MB.", "Upload a smaller file.")
            path = Path(folder) / str(i) / _upload_name(name, suffixes, what)
            path.parent.mkdir()
            path.write_bytes(content)
            paths.append(path)
        step_file = paths[2] if pipeline is not None else None
        built = build_index(paths[0], paths[1], step_file)
        report = index_sensitivity(paths[0], paths[1], step_file, runs=runs, seed=seed)
    top = built.aggregates[-1]
    intervals = {r.unit: r for r in report.rank_intervals}
    rows = sorted(
        (
            IndexRow(
                unit=u,
                score=built.scores[u].get(top),
                rank=built.ranks[u].get(top),
                rank_q05=intervals[u].q05 if u in intervals else None,
                rank_median=intervals[u].median if u in intervals else None,
                rank_q95=intervals[u].q95 if u in intervals else None,
            )
            for u in built.scores
        ),
        key=lambda r: (r.rank is None, r.rank or 0, r.unit),
    )
    chart = rank_interval_chart(
        [{**r.model_dump(), "name": "", "highlighted": False} for r in rows], f"{top}: ranks"
    )
    return UploadedIndex(
        data_file=paths[0].name,
        meta_file=paths[1].name,
        pipeline_file=paths[2].name if pipeline is not None else None,
        aggregate=top,
        rows=rows,
        build=built,
        sensitivity=report,
        chart=chart,
    )
