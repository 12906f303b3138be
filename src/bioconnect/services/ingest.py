"""Ingest: read a preset's sources, resolve organisations, and replace the store's open data.

Everything is read and resolved before the store is touched; the write is one
transaction. A failed ingest therefore leaves the store exactly as it was, and running
the same ingest twice leaves the same rows (reviewers' decisions and users' sources are
kept across runs; the audit log and the list of runs grow).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import Engine, select

from bioconnect.errors import InputError
from bioconnect.model.mapping import ORGANISATION_FIELDS, Mapping
from bioconnect.model.preset import Preset, Source, load_preset
from bioconnect.registry.canonical import build_registry
from bioconnect.registry.claims import foreign_pic_claims
from bioconnect.registry.domains import project_domains
from bioconnect.registry.names import record_key
from bioconnect.registry.resolve import LIST_PREFIX, Thresholds, resolve, score_pairs
from bioconnect.services.places import locate
from bioconnect.services.progress import NoProgress, Progress
from bioconnect.services.source_files import LoadedFile, read_sources
from bioconnect.settings import Settings, get_settings, resolve_data_dir
from bioconnect.sources.mapped import REPAIRS, SOURCE_ROW
from bioconnect.store import schema
from bioconnect.store.changes import audit
from bioconnect.store.database import (
    TableRows,
    refresh_statistics,
    replace_tables,
    serialise_on,
    table_rows,
    transaction,
)

ORG_COLUMNS = list(ORGANISATION_FIELDS)

#: The key (:func:`~bioconnect.store.database.serialise_on`) every writer of the registry
#: or its inputs takes first: an ingest, a review decision, a startup list's pairs.
REGISTRY_WRITES = "registry"


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


def _foreign_pic_claims(
    sources: _Sources,
    preset: Preset,
    records: pd.DataFrame,
    participations: pd.DataFrame,
    thresholds: Thresholds,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Rows of users' lists that claim another country's PIC: keyed without it, and
    queued for review with the PIC's organisation (:mod:`bioconnect.registry.claims`)."""
    official = {s.name for s in (*preset.sources, *preset.official_sources)}
    trusted_files = {f["id"] for f in sources.source_files if f["source"] in official}
    trusted = records["source_file_id"].isin(trusted_files)
    keys, claims = foreign_pic_claims(records, trusted, probability=thresholds.review)
    changed = keys != records["record_key"]
    if not changed.any():
        return records, participations, claims
    rekey = dict(
        zip(
            zip(
                records.loc[changed, "source_file_id"],
                records.loc[changed, "record_key"],
                strict=True,
            ),
            keys[changed],
            strict=True,
        )
    )
    participations = participations.assign(
        record_key=[
            rekey.get((f, k), k)
            for f, k in zip(
                participations["source_file_id"], participations["record_key"], strict=True
            )
        ]
    )
    records = records.assign(record_key=keys, pic=records["pic"].mask(changed))
    return records, participations, claims


def _resolve_records(
    records: pd.DataFrame,
    decisions: pd.DataFrame,
    thresholds: Thresholds,
    claims: pd.DataFrame,
    list_pairs: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Record links (record key → organisation id) and the scored candidate pairs; the
    stored pairs linking outside lists' rows (``list_pairs``) are kept and re-decided."""
    distinct = records.drop_duplicates("record_key")[
        ["record_key", "pic", "name", "country", "city"]
    ]
    named = records.dropna(subset=["name"]).drop_duplicates("record_key")[
        ["record_key", "pic", "name", "country", "city"]
    ]
    named = pd.concat([named, distinct[~distinct["record_key"].isin(named["record_key"])]])
    pairs = score_pairs(named, minimum=min(thresholds.review, 0.5))
    if not claims.empty:
        pairs = pd.concat([pairs, claims], ignore_index=True)
    if list_pairs is not None and not list_pairs.empty:
        pairs = pd.concat([pairs, list_pairs[list(pairs.columns)]], ignore_index=True)
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
    list_pairs: pd.DataFrame | None = None,
) -> Tables:
    """Build every table from the files read, resolving organisations on the way."""
    sources = _Sources(loaded)
    progress.step("combining projects and participations")
    projects = _projects(sources)
    participations = _participations(sources, projects)

    progress.step("collecting organisation records")
    records = _records(sources, participations)
    records, participations, claims = _foreign_pic_claims(
        sources, preset, records, participations, thresholds
    )

    progress.step("resolving organisations")
    links, candidates = _resolve_records(records, decisions, thresholds, claims, list_pairs)
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


def _stored_list_pairs(engine: Engine) -> pd.DataFrame:
    """The candidate pairs linking outside lists' rows (startup lists) to records."""
    table = schema.table(schema.MatchCandidate)
    with engine.connect() as conn:
        return pd.read_sql(
            select(
                table.c.left_key,
                table.c.right_key,
                table.c.probability,
                table.c.left_name,
                table.c.right_name,
                table.c.evidence,
            )
            .where(table.c.left_key.like(f"{LIST_PREFIX}%"))
            .order_by(table.c.id),
            conn,
        )


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


def write_tables(conn: Any, rows: dict[str, TableRows]) -> dict[str, int]:
    """Replace the store's open data with ``rows`` (:func:`table_rows` of
    :attr:`Tables.frames`) inside the caller's transaction."""
    return replace_tables(conn, rows, schema.BULK_TABLES)


def plan_sources(
    preset: Preset, data_dir: Path | None, settings: Settings
) -> tuple[Path, list[Source]]:
    """Which folder and sources an ingest reads: the local copy, else the official downloads."""
    base = resolve_data_dir(data_dir, settings)
    if base is not None:
        return base, list(preset.sources)
    return settings.cache_dir, list(preset.official_sources)


#: An ingest is refused when a source that gave rows last time gives fewer than this share.
SHRINK_LIMIT = 0.5


def _refuse_shrinking_sources(
    engine: Engine, files: list[dict[str, Any]], removed: str | None
) -> None:
    """Refuse an ingest in which a file lost most of its rows since the last ingest (a
    header-only or cut file would otherwise silently wipe that source's data)."""
    run = schema.table(schema.IngestRun)
    with engine.connect() as conn:
        last = conn.execute(select(run.c.summary).order_by(run.c.id.desc()).limit(1)).scalar()
    if not last:
        return
    before = {
        (f["source"], f["path"]): int(f.get("rows") or 0) for f in json.loads(last).get("files", [])
    }
    for f in files:
        had = before.get((f["source"], f["path"]), 0)
        rows = int(f["rows"] or 0)
        if f["source"] != removed and had > 0 and rows < had * SHRINK_LIMIT:
            raise InputError(
                f"Source {f['source']!r}: {f['path']} has {rows:,} rows, against {had:,} in the "
                "last ingest; the file may be empty or cut short, and ingesting it would drop "
                "that source's data. Nothing was written.",
                "Check the file (or fetch it again); if it really shrank, ingest with "
                "--allow-shrink.",
            )


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
    unregister: str | None = None,
    allow_shrink: bool = False,
) -> IngestReport:
    """Load a preset's sources (and users' registered sources) into the store.

    ``register`` keeps a user's file as a source (:mod:`bioconnect.services.user_sources`);
    ``unregister`` names one to leave out and forget, in the same transaction. An ingest
    in which a source lost more than half its rows since the last one is refused unless
    ``allow_shrink`` (:func:`_refuse_shrinking_sources`).

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
    replaced = {name for name, _, _ in extra} | {unregister}
    user_sources = [s for s in _stored_user_sources(engine) if s[0] not in replaced] + extra
    progress.start(len(sources) + len(user_sources) + 7, f"Ingesting {chosen.name}")
    loaded = read_sources(chosen, base, sources, user_sources, progress)
    tables = assemble(
        loaded,
        chosen,
        _stored_decisions(engine),
        Thresholds(),
        progress,
        _stored_list_pairs(engine),
    )
    progress.step("placing organisations")
    frames = tables.frames
    frames["organisation"], frames["field_provenance"] = locate(
        frames["organisation"], frames["field_provenance"], base, settings
    )
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
    if not allow_shrink:
        _refuse_shrinking_sources(engine, report.files, unregister)
    progress.step("writing the store")
    rows = {name: table_rows(name, frame) for name, frame in frames.items()}
    with transaction(engine) as conn:
        serialise_on(conn, REGISTRY_WRITES)
        table = schema.table(schema.UserSource)
        if unregister is not None:
            conn.execute(table.delete().where(table.c.name == unregister))
            audit(conn, actor, "sources.remove", "user_source", unregister, "{}")
        if register is not None:
            known = conn.execute(
                select(table.c.id).where(table.c.name == register["name"])
            ).scalar()
            if known is None:
                conn.execute(table.insert().values(**register, added_at=schema.utcnow()))
            else:
                conn.execute(table.update().where(table.c.id == known).values(**register))
            audit(conn, actor, "sources.add", "user_source", register["name"], register["path"])
        report.counts = write_tables(conn, rows)
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
