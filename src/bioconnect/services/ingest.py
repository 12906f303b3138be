"""Ingest: read a preset's sources, resolve organisations, and replace the store's open data.

Everything is read and resolved before the store is touched; the write is one
transaction. A failed ingest therefore leaves the store exactly as it was, and running
the same ingest twice leaves the same rows (reviewers' decisions and users' sources are
kept across runs; the audit log and the list of runs grow).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import Engine, select

from bioconnect.errors import InputError
from bioconnect.model.mapping import ORGANISATION_FIELDS, Mapping, load_mapping
from bioconnect.model.preset import Preset, Source, load_preset
from bioconnect.registry.canonical import build_registry
from bioconnect.registry.domains import project_domains
from bioconnect.registry.names import record_key
from bioconnect.registry.resolve import Thresholds, resolve, score_pairs
from bioconnect.services.progress import NoProgress, Progress
from bioconnect.settings import Settings, get_settings, resolve_data_dir
from bioconnect.sources.cordis import read_cordis
from bioconnect.sources.fetch import read_manifest
from bioconnect.sources.mapped import REPAIRS, SOURCE_ROW, MappedFile, read_mapped
from bioconnect.store import schema
from bioconnect.store.changes import audit
from bioconnect.store.database import refresh_statistics, replace_tables, transaction

ORG_COLUMNS = list(ORGANISATION_FIELDS)


@dataclass
class LoadedFile:
    """One file read for an ingest, with where it came from."""

    source: str
    priority: int
    result: MappedFile
    sha256: str
    size_bytes: int
    download_url: str | None = None
    downloaded_at: str | None = None
    enrich_only: bool = False
    display_path: str = ""


@dataclass
class IngestReport:
    """What an ingest loaded; returned to the caller and stored as the run's summary."""

    preset: str
    data_dir: str | None
    files: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    review_pending: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "data_dir": self.data_dir,
            "files": self.files,
            "counts": self.counts,
            "review_pending": self.review_pending,
            "seconds": round(self.seconds, 2),
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_source(source: Source, preset: Preset, base: Path) -> list[MappedFile]:
    path = base / source.path
    if not path.exists():
        if source.optional:
            return []
        raise InputError(
            f"Source {source.name!r}: {path} does not exist.",
            "Check the data folder (--data-dir or BIOCONNECT_DATA_DIR), or run `bioconnect fetch cordis`.",
        )
    if source.kind == "cordis":
        return read_cordis(path, source.programme)
    return [read_mapped(path, load_mapping(preset.mapping_path(source)))]


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _file_identity(path: Path) -> Path:
    """The file on disk behind a result (a zip member's path names the zip)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def read_sources(
    preset: Preset,
    base: Path,
    sources: list[Source],
    user_sources: list[tuple[str, Path, Mapping]],
    progress: Progress,
) -> list[LoadedFile]:
    """Read every source (no store access). Raises InputError on the first bad file."""
    manifest = read_manifest(base) if (base / "manifest.json").is_file() else {}
    loaded: list[LoadedFile] = []
    for priority, source in enumerate(sources):
        progress.step(f"reading {source.name}")
        for result in _read_source(source, preset, base):
            disk = _file_identity(result.path)
            fetched = manifest.get(disk.name)
            loaded.append(
                LoadedFile(
                    source=source.name,
                    priority=priority,
                    result=result,
                    sha256=_sha256(disk),
                    size_bytes=disk.stat().st_size,
                    download_url=fetched.url if fetched else None,
                    downloaded_at=fetched.fetched_at if fetched else None,
                    enrich_only=source.enrich_only,
                    display_path=_relative(result.path, base),
                )
            )
    for offset, (name, path, mapping) in enumerate(user_sources, start=len(sources)):
        progress.step(f"reading {name}")
        result = read_mapped(path, mapping)
        loaded.append(
            LoadedFile(
                source=name,
                priority=offset,
                result=result,
                sha256=_sha256(path),
                size_bytes=path.stat().st_size,
                display_path=str(path),
            )
        )
    return loaded


def _keys(frame: pd.DataFrame) -> pd.Series:
    pic = frame["pic"] if "pic" in frame.columns else pd.Series(pd.NA, index=frame.index)
    with_pic = pic.notna()
    keys = pd.Series("pic:" + pic.astype("string"), index=frame.index, dtype=object)
    if (~with_pic).any():
        rest = frame.loc[~with_pic]
        keys.loc[~with_pic] = [
            record_key(None, n, c, t)
            for n, c, t in zip(
                rest.get("name", pd.Series(None, index=rest.index)),
                rest.get("country", pd.Series(None, index=rest.index)),
                rest.get("city", pd.Series(None, index=rest.index)),
                strict=True,
            )
        ]
    return keys


def _with_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        frame = frame.assign(**{c: pd.NA for c in missing})
    return frame


@dataclass
class Tables:
    """Every bulk table of the store, as DataFrames, ready to write."""

    frames: dict[str, pd.DataFrame]
    review_pending: int


def _entities(
    records: dict[str, pd.DataFrame], enrich_only: bool
) -> list[tuple[str, pd.DataFrame]]:
    """The records a file contributes. A file of an ``enrich_only`` source contributes
    organisation facts only: its participation rows (an official ``organization`` table)
    become organisation records, joined to other sources' organisations by their key (the
    PIC), and its projects and participations are not counted."""
    if not enrich_only:
        return list(records.items())
    out = [(e, f) for e, f in records.items() if e == "organisation"]
    if "participation" in records:
        frame = records["participation"]
        keep = [c for c in [*ORG_COLUMNS, SOURCE_ROW, REPAIRS] if c in frame.columns]
        out.append(("organisation", frame[keep]))
    return out


class _Sources:
    """The files read, as the store's ``source_file`` and ``repair`` rows and, per entity,
    the frames of every file, each row tagged with its file, priority and role."""

    def __init__(self, loaded: list[LoadedFile]) -> None:
        self.source_files: list[dict[str, Any]] = []
        self.repairs: list[dict[str, Any]] = []
        self.by_entity: dict[str, list[pd.DataFrame]] = {}
        for file_id, item in enumerate(loaded, start=1):
            self._add(file_id, item)

    def _add(self, file_id: int, item: LoadedFile) -> None:
        result = item.result
        self.source_files.append(
            {
                "id": file_id,
                "source": item.source,
                "path": item.display_path,
                "sha256": item.sha256,
                "size_bytes": item.size_bytes,
                "download_url": item.download_url,
                "downloaded_at": item.downloaded_at,
                "rows_read": result.rows_read,
                "repairs": len(result.repairs),
                "notes": "; ".join(result.notes) or None,
            }
        )
        self.repairs.extend(
            {
                "source_file_id": file_id,
                "source_row": r.row,
                "column": r.column,
                "kind": r.kind,
                "detail": r.detail,
            }
            for r in result.repairs
        )
        for entity, frame in _entities(result.records, item.enrich_only):
            self.by_entity.setdefault(entity, []).append(
                frame.assign(
                    source_file_id=file_id, priority=item.priority, enrich_only=item.enrich_only
                )
            )

    def combined(self, entity: str, columns: list[str]) -> pd.DataFrame:
        """Every file's rows of ``entity``, with at least ``columns``."""
        frames = self.by_entity.get(entity, [])
        if not frames:
            meta = [SOURCE_ROW, "source_file_id", "priority", "enrich_only", REPAIRS]
            return pd.DataFrame(columns=list(dict.fromkeys([*columns, *meta])), dtype=object)
        return _with_columns(pd.concat(frames, ignore_index=True), columns)


def _projects(sources: _Sources) -> pd.DataFrame:
    """One row per project: the first file by priority wins."""
    project_columns = [c.key for c in schema.table(schema.Project).columns if c.key != "id"]
    projects = sources.combined("project", ["project_id", *project_columns])
    projects = projects.rename(columns={"project_id": "id"}).sort_values(
        ["priority", "source_file_id"], kind="stable"
    )
    projects = projects.drop_duplicates("id", keep="first")
    return projects.assign(start_year=_start_years(projects))


def _start_years(projects: pd.DataFrame) -> pd.Series:
    """A project's start year: the source's own where it gives one, else the year of its
    start date (Horizon Europe's project file has only ``startDate``)."""
    own = pd.to_numeric(projects["start_year"], errors="coerce")
    dates = pd.to_datetime(projects["start_date"].astype("string"), errors="coerce", format="mixed")
    return own.fillna(dates.dt.year).astype("Int64")


def _participations(sources: _Sources, projects: pd.DataFrame) -> pd.DataFrame:
    """One row per participation; a repeat in a later file is dropped and recorded."""
    participations = sources.combined(
        "participation",
        ["project_id", "programme", "role", "order_no", "ec_contribution", *ORG_COLUMNS],
    )
    participations = participations.sort_values(
        ["priority", "source_file_id", SOURCE_ROW], kind="stable"
    )
    participations["record_key"] = _keys(participations)
    dup = participations.duplicated(["project_id", "record_key", "role"], keep="first")
    if dup.any():
        firsts = participations[~dup].set_index(["project_id", "record_key", "role"])[
            ["source_file_id", SOURCE_ROW]
        ]
        for _idx, row in participations[dup].iterrows():
            first = firsts.loc[(row["project_id"], row["record_key"], row["role"])]
            sources.repairs.append(
                {
                    "source_file_id": int(row["source_file_id"]),
                    "source_row": int(row[SOURCE_ROW]),
                    "column": "*",
                    "kind": "cross-file-duplicate",
                    "detail": f"participation already read from file {int(first['source_file_id'])} "
                    f"row {int(first[SOURCE_ROW])}; dropped",
                }
            )
        participations = participations[~dup]
    # a participation without a programme takes its project's
    programme_of = projects.set_index("id")["programme"]
    participations["programme"] = participations["programme"].fillna(
        participations["project_id"].map(programme_of)
    )
    return participations


def _records(sources: _Sources, participations: pd.DataFrame) -> pd.DataFrame:
    """The organisation records: one per file and record key, numbered from 1."""
    organisations = sources.combined("organisation", ORG_COLUMNS)
    organisations["record_key"] = _keys(organisations)
    # name files only describe organisations that other sources bring in
    known = set(participations["record_key"]) | set(
        organisations.loc[~organisations["enrich_only"].fillna(False).astype(bool), "record_key"]
    )
    organisations = organisations[organisations["record_key"].isin(known)]
    records = pd.concat([participations, organisations], ignore_index=True)
    records = records.sort_values(["priority", "source_file_id", SOURCE_ROW], kind="stable")
    records = records.drop_duplicates(["source_file_id", "record_key"], keep="first").reset_index(
        drop=True
    )
    records["id"] = range(1, len(records) + 1)
    return records.drop(columns=["enrich_only"])


def _resolve_records(
    records: pd.DataFrame, decisions: pd.DataFrame, thresholds: Thresholds
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Record links (record key → organisation id) and the scored candidate pairs."""
    distinct = records.drop_duplicates("record_key")[
        ["record_key", "pic", "name", "country", "city"]
    ]
    named = records.dropna(subset=["name"]).drop_duplicates("record_key")[
        ["record_key", "pic", "name", "country", "city"]
    ]
    named = pd.concat([named, distinct[~distinct["record_key"].isin(named["record_key"])]])
    pairs = score_pairs(named, minimum=min(thresholds.review, 0.5))
    return resolve(distinct[["record_key", "pic"]], pairs, decisions, thresholds)


def _project_parts(sources: _Sources, projects: pd.DataFrame) -> pd.DataFrame:
    """Programme parts of each project, its legal basis included."""
    return pd.concat(
        [
            sources.combined("project_part", ["project_id", "part"])[["project_id", "part"]],
            projects.dropna(subset=["legal_basis"]).rename(
                columns={"id": "project_id", "legal_basis": "part"}
            )[["project_id", "part"]],
        ],
        ignore_index=True,
    )


def assemble(
    loaded: list[LoadedFile],
    preset: Preset,
    decisions: pd.DataFrame,
    thresholds: Thresholds,
    progress: Progress,
) -> Tables:
    """Build every table from the files read, resolving organisations on the way."""
    sources = _Sources(loaded)
    progress.step("combining projects and participations")
    projects = _projects(sources)
    participations = _participations(sources, projects)

    progress.step("collecting organisation records")
    records = _records(sources, participations)

    progress.step("resolving organisations")
    links, candidates = _resolve_records(records, decisions, thresholds)
    participations["org_id"] = participations["record_key"].map(
        links.set_index("record_key")["org_id"]
    )

    progress.step("building the registry")
    fields = sources.combined("project_field", ["project_id", "path"])
    domains = project_domains(
        _project_parts(sources, projects), fields[["project_id", "path"]], preset.domains
    )
    registry = build_registry(records, links, preset.group_for_activity(), participations, domains)
    combined = sources.combined
    frames = {
        "source_file": pd.DataFrame(sources.source_files),
        "repair": pd.DataFrame(
            sources.repairs, columns=["source_file_id", "source_row", "column", "kind", "detail"]
        ),
        "project": projects,
        "project_part": combined("project_part", ["project_id", "part", "title"]),
        "project_field": combined("project_field", ["project_id", "code", "path", "title"]),
        "project_topic": combined("project_topic", ["project_id", "topic", "title"]),
        "project_link": combined("project_link", ["project_id", "url", "type"]),
        "project_domain": domains,
        "source_record": records,
        "participation": participations,
        "organisation": registry.organisations,
        "organisation_name": registry.names,
        "organisation_identifier": registry.identifiers,
        "field_provenance": registry.provenance,
        "record_link": links,
        "match_candidate": candidates,
    }
    return Tables(frames=frames, review_pending=int((candidates["status"] == "pending").sum()))


def _distinct_projects(item: LoadedFile, entity: str) -> int:
    """How many projects a file lists (``project``) or gives participations for
    (``participation``), before duplicates across files are dropped: the size of an
    extract such as Horizon Europe's 1,118-project subset."""
    frame = item.result.records.get(entity)
    if item.enrich_only or frame is None:
        return 0
    return int(frame["project_id"].nunique())


def last_run(conn: Any) -> tuple[Preset, Path | None]:
    """The preset (exactly as configured) and data folder of the newest ingest."""
    run = schema.table(schema.IngestRun)
    last = conn.execute(
        select(run.c.preset, run.c.preset_config, run.c.data_dir).order_by(run.c.id.desc()).limit(1)
    ).first()
    if last is None:
        return load_preset(get_settings().preset), None
    preset = (
        Preset.from_json(last.preset_config) if last.preset_config else load_preset(last.preset)
    )
    return preset, Path(last.data_dir) if last.data_dir else None


def _stored_decisions(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                schema.MatchDecision.left_key,
                schema.MatchDecision.right_key,
                schema.MatchDecision.same,
            )
        ).all()
    return pd.DataFrame(rows, columns=["left_key", "right_key", "same"])


def _stored_user_sources(engine: Engine) -> list[tuple[str, Path, Mapping]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                schema.UserSource.name, schema.UserSource.path, schema.UserSource.mapping_yaml
            ).order_by(schema.UserSource.id)
        ).all()
    return [
        (name, Path(path), Mapping.model_validate(yaml.safe_load(text)))
        for name, path, text in rows
    ]


def write_tables(conn: Any, tables: Tables) -> dict[str, int]:
    """Replace the store's open data with ``tables`` inside the caller's transaction."""
    return replace_tables(conn, tables.frames, schema.BULK_TABLES)


def plan_sources(
    preset: Preset, data_dir: Path | None, settings: Settings
) -> tuple[Path, list[Source]]:
    """Which folder and sources an ingest reads: the local copy, else the official downloads."""
    base = resolve_data_dir(data_dir, settings)
    if base is not None:
        return base, list(preset.sources)
    return settings.cache_dir, list(preset.official_sources)


def ingest(
    engine: Engine,
    preset: str | Preset = "baltic",
    data_dir: Path | None = None,
    *,
    actor: str = "cli",
    progress: Progress | None = None,
    extra_sources: list[tuple[str, Path, Mapping]] | None = None,
    settings: Settings | None = None,
    register: dict[str, str] | None = None,
) -> IngestReport:
    """Load a preset's sources (and users' registered sources) into the store.

    Example:
        >>> from bioconnect.store.database import open_store
        >>> report = ingest(open_store("sqlite:///:memory:"), "baltic")  # doctest: +SKIP
    """
    started = time.perf_counter()
    settings = settings or get_settings()
    progress = progress or NoProgress()
    chosen = preset if isinstance(preset, Preset) else load_preset(preset)
    base, sources = plan_sources(chosen, data_dir, settings)
    extra = list(extra_sources or [])
    replaced = {name for name, _, _ in extra}
    user_sources = [s for s in _stored_user_sources(engine) if s[0] not in replaced] + extra
    progress.start(len(sources) + len(user_sources) + 6, f"Ingesting {chosen.name}")
    loaded = read_sources(chosen, base, sources, user_sources, progress)
    tables = assemble(loaded, chosen, _stored_decisions(engine), Thresholds(), progress)
    report = IngestReport(
        preset=chosen.name, data_dir=str(base), review_pending=tables.review_pending
    )
    report.files = [
        {
            "source": f.source,
            "path": f.display_path,
            "rows": f.result.rows_read,
            "repairs": len(f.result.repairs),
            "projects": _distinct_projects(f, "project"),
            "participation_projects": _distinct_projects(f, "participation"),
        }
        for f in loaded
    ]
    progress.step("writing the store")
    with transaction(engine) as conn:
        if register is not None:
            table = schema.table(schema.UserSource)
            known = conn.execute(
                select(table.c.id).where(table.c.name == register["name"])
            ).scalar()
            if known is None:
                conn.execute(table.insert().values(**register, added_at=schema.utcnow()))
            else:
                conn.execute(table.update().where(table.c.id == known).values(**register))
        report.counts = write_tables(conn, tables)
        report.seconds = time.perf_counter() - started
        summary = json.dumps(report.as_dict())
        conn.execute(
            schema.table(schema.IngestRun)
            .insert()
            .values(
                preset=chosen.name,
                preset_config=chosen.to_json(),
                data_dir=str(base),
                summary=summary,
            )
        )
        audit(conn, actor, "ingest", "preset", chosen.name, json.dumps(report.counts))
    refresh_statistics(engine, schema.BULK_TABLES)
    return report


def import_user_source(
    engine: Engine,
    path: Path,
    mapping_path: Path,
    *,
    name: str | None = None,
    actor: str = "cli",
    data_dir: Path | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Add a user's own file (a stakeholder list) and re-ingest with it.

    The file is read and resolved with everything else before anything is written; it is
    then kept as a user source and loaded by every later ingest. Importing under the
    same name again replaces it.
    """
    mapping = load_mapping(mapping_path)
    path = Path(path).resolve()
    if not path.is_file():
        raise InputError(f"File {path} does not exist.", "Check the path.")
    label = name or path.stem
    with engine.connect() as conn:
        preset, last_dir = last_run(conn)
    if data_dir is None and last_dir is not None and last_dir.is_dir():
        data_dir = last_dir
    return ingest(
        engine,
        preset,
        data_dir,
        actor=actor,
        progress=progress,
        extra_sources=[(label, path, mapping)],
        register={
            "name": label,
            "path": str(path),
            "mapping_yaml": mapping_path.read_text(encoding="utf-8"),
            "added_by": actor,
        },
    )
