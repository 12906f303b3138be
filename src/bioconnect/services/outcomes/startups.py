"""Users' startup lists: read through a shipped mapping, kept as cohorts, linked to the atlas.

A list is read whole and checked (dates, closing reasons) before anything is written;
its rows are then linked to atlas organisations by VAT number or registration code, else
by the registry's matcher, whose doubtful pairs go to the review queue
(:mod:`bioconnect.services.review`). Importing the same file again writes nothing.
What a list can and cannot measure is in ``docs/outcomes.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.mapping import Mapping, load_mapping
from bioconnect.model.preset import load_preset
from bioconnect.outcomes import (
    EXIT_KINDS,
    FAILURE_KINDS,
    cumulative_incidence,
    entries_per_year,
    incidence_at,
    startup_cohort,
)
from bioconnect.registry.link import identifier_links, list_key, score_list_rows
from bioconnect.registry.resolve import LIST_PREFIX, Thresholds, link_status
from bioconnect.services.ingest import REGISTRY_WRITES
from bioconnect.services.outcomes.cohorts import HORIZONS, Curve, EntryCount, curve_model
from bioconnect.services.readmodel import ReadModel
from bioconnect.sources.mapped import read_mapped
from bioconnect.store import schema
from bioconnect.store.changes import audit
from bioconnect.store.database import bulk_insert, serialise_on, transaction
from bioconnect.store.outcomes_tables import Startup, StartupList

#: The shipped mapping of a startup list (in the preset's ``mappings/`` folder).
STARTUP_MAPPING = "startups.yaml"
#: The longest list name (it is part of every row's key).
NAME_LIMIT = 40

LISTS = schema.table(StartupList)
STARTUPS = schema.table(Startup)
CANDIDATES = schema.table(schema.MatchCandidate)
STARTUP_COLUMNS = [
    "key",
    "source_row",
    "name",
    "registration_code",
    "vat",
    "country",
    "city",
    "founded",
    "closed",
    "exit_kind",
    "sector",
    "founders_gender",
    "countries",
    "funding",
    "link_key",
    "link_method",
    "repairs",
]
PAIR_COLUMNS = [
    "left_key",
    "right_key",
    "probability",
    "status",
    "left_name",
    "right_name",
    "evidence",
]


class StartupImport(ReadModel):
    """What importing a startup list did: its rows, how they were linked, and whether
    anything was written (``False`` when the same list was already in the store)."""

    list_name: str
    file: str
    rows: int
    linked: dict[str, int]
    review_pending: int
    unlinked: int
    written: bool


def startup_mapping(mapping: Path | None = None, *, preset: str = "baltic") -> Path:
    """The mapping to read a list with: the given one, else the preset's shipped one.

    >>> startup_mapping().name
    'startups.yaml'
    """
    if mapping is not None:
        return mapping
    folder = load_preset(preset).folder
    if folder is None:
        raise InputError(f"preset {preset!r} has no folder of mappings", "give --mapping")
    return folder / "mappings" / STARTUP_MAPPING


def _columns(mapping: Mapping) -> dict[str, str]:
    """The file's column behind each startup field (for error messages)."""
    target = next(t for t in mapping.targets if t.entity == "startup")
    return {name: spec.column for name, spec in target.fields.items() if spec.column is not None}


def read_startups(path: Path, mapping: Mapping) -> pd.DataFrame:
    """The rows of a startup list, typed, with ``source_row`` and ``key`` (list-local)."""
    if not any(t.entity == "startup" for t in mapping.targets):
        raise InputError(
            f"the mapping {mapping.name!r} has no startup target",
            f"use the shipped {STARTUP_MAPPING} or a copy of it",
        )
    frame = read_mapped(path, mapping).records["startup"]
    for column in ("registration_code", "vat", "city", "sector", "founders_gender", "countries"):
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if "funding" not in frame.columns:
        frame["funding"] = float("nan")
    for field in ("name", "country"):
        blank = frame[field].isna()
        if blank.any():
            row = int(frame.loc[blank, "source_row"].iloc[0])
            raise InputError(
                f"{path.name}, row {row}, column {_columns(mapping).get(field, field)!r}: "
                f"the {field} is empty",
                "fill it in (the country as a two-letter code such as EE), or remove the row",
            )
    frame["country"] = frame["country"].str.upper()
    return frame


def _keys(frame: pd.DataFrame, label: str, path: Path, columns: dict[str, str]) -> pd.Series:
    keys = pd.Series(
        [
            list_key(label, None if pd.isna(code) else str(code), int(row))
            for code, row in zip(frame["registration_code"], frame["source_row"], strict=True)
        ],
        index=frame.index,
    )
    repeated = keys.duplicated(keep="first")
    if repeated.any():
        idx = repeated.idxmax()
        first = int(frame.loc[keys == keys[idx], "source_row"].iloc[0])
        raise InputError(
            f"{path.name}, row {int(frame.at[idx, 'source_row'])}, column "
            f"{columns.get('registration_code', 'registration_code')!r}: the registration code "
            f"{frame.at[idx, 'registration_code']} is already on row {first}",
            "give each company one row",
        )
    return keys


def _store_records(conn: Connection, countries: list[str]) -> pd.DataFrame:
    """The atlas's records of those countries, each with its organisation."""
    rec, link = schema.table(schema.SourceRecord), schema.table(schema.RecordLink)
    frame = pd.read_sql(
        select(rec.c.record_key, link.c.org_id, rec.c.name, rec.c.country, rec.c.city)
        .join(link, link.c.record_key == rec.c.record_key)
        .where(rec.c.country.in_(countries), rec.c.name.is_not(None))
        .order_by(rec.c.record_key, rec.c.id),
        conn,
    )
    return frame.drop_duplicates("record_key").reset_index(drop=True)


def _link(conn: Connection, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each row's identifier link (``link_key``, ``link_method``) and the matcher's pairs."""
    identifiers = pd.read_sql(select(schema.table(schema.OrganisationIdentifier)), conn)
    by_id = identifier_links(rows, identifiers)
    records = _store_records(conn, sorted(rows["country"].dropna().unique()))
    first_record = records.sort_values("record_key").drop_duplicates("org_id")
    record_of = first_record.set_index("org_id")["record_key"]
    by_id = by_id.assign(link_key=by_id["org_id"].map(record_of)).dropna(subset=["link_key"])
    out = rows.merge(
        by_id[["key", "link_key", "method"]].rename(columns={"method": "link_method"}),
        on="key",
        how="left",
    )
    rest = out[out["link_key"].isna()]
    pairs = pd.DataFrame(columns=PAIR_COLUMNS)
    if not rest.empty and not records.empty:
        scored = score_list_rows(rest[["key", "name", "country", "city"]], records)
        decisions = pd.read_sql(
            select(schema.MatchDecision.left_key, schema.MatchDecision.right_key)
            .add_columns(schema.MatchDecision.same)
            .where(schema.MatchDecision.left_key.like(f"{LIST_PREFIX}%")),
            conn,
        )
        decided = {(a, b): bool(s) for a, b, s in decisions.itertuples(index=False)}
        thresholds = Thresholds()
        scored["status"] = [
            link_status(float(p), decided.get((a, b)), thresholds)
            for a, b, p in scored[["left_key", "right_key", "probability"]].itertuples(index=False)
        ]
        pairs = scored.loc[scored["status"] != "below", PAIR_COLUMNS].reset_index(drop=True)
    return out, pairs


def _stored(conn: Connection, label: str) -> tuple[dict[str, object] | None, set, set]:
    head = conn.execute(select(LISTS).where(LISTS.c.name == label)).first()
    if head is None:
        return None, set(), set()
    rows = conn.execute(
        select(*[STARTUPS.c[c] for c in STARTUP_COLUMNS]).where(STARTUPS.c.list_id == head.id)
    ).all()
    pairs = conn.execute(
        select(*[CANDIDATES.c[c] for c in PAIR_COLUMNS]).where(
            CANDIDATES.c.left_key.like(f"{LIST_PREFIX}{label}:%")
        )
    ).all()
    return dict(head._mapping), {tuple(r) for r in rows}, {tuple(p) for p in pairs}


def _plain(frame: pd.DataFrame, columns: list[str]) -> set[tuple[object, ...]]:
    clean = frame[columns].astype(object)
    clean = clean.where(clean.notna(), None)
    return {
        tuple(int(v) if c == "source_row" else v for c, v in zip(columns, row, strict=True))
        for row in clean.itertuples(index=False)
    }


def _write(
    conn: Connection,
    head: dict[str, object],
    stored: dict[str, object] | None,
    rows: pd.DataFrame,
    pairs: pd.DataFrame,
) -> None:
    label = str(head["name"])
    if stored is None:
        inserted = conn.execute(LISTS.insert().values(**head)).inserted_primary_key
        assert inserted is not None
        list_id = inserted[0]
    else:
        list_id = stored["id"]
        conn.execute(LISTS.update().where(LISTS.c.id == list_id).values(**head))
        conn.execute(STARTUPS.delete().where(STARTUPS.c.list_id == list_id))
    conn.execute(CANDIDATES.delete().where(CANDIDATES.c.left_key.like(f"{LIST_PREFIX}{label}:%")))
    bulk_insert(conn, "startup", rows[STARTUP_COLUMNS].assign(list_id=list_id))
    bulk_insert(conn, "match_candidate", pairs[PAIR_COLUMNS])


def _summary(
    label: str, path: Path, rows: pd.DataFrame, pairs: pd.DataFrame, written: bool
) -> StartupImport:
    by_id = rows["link_method"].value_counts().to_dict()
    auto = set(pairs.loc[pairs["status"].isin(["auto", "accepted"]), "left_key"])
    pending = set(pairs.loc[pairs["status"] == "pending", "left_key"]) - auto
    linked = {str(k): int(v) for k, v in by_id.items()} | ({"splink": len(auto)} if auto else {})
    return StartupImport(
        list_name=label,
        file=path.name,
        rows=len(rows),
        linked=linked,
        review_pending=len(pending),
        unlinked=len(rows) - sum(linked.values()) - len(pending),
        written=written,
    )


def import_startups(
    engine: Engine,
    path: Path,
    *,
    mapping: Path | None = None,
    name: str | None = None,
    actor: str = "cli",
    end_of_data: dt.date | None = None,
    preset: str = "baltic",
) -> StartupImport:
    """Import a startup list (CSV or XLSX) as a cohort and link its rows to the atlas.

    Every row is checked first; one bad value (a closing before founding, a date after
    ``end_of_data`` (default: today), an unknown closing reason, a missing column) raises
    an :class:`InputError` naming the file, row and column, and nothing is written.
    Importing a list under the same name replaces it; importing it unchanged writes
    nothing. Each change is in the audit log.

    Example:
        >>> import_startups(engine, Path("startups.xlsx"), actor="alice")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"File {path} does not exist.", "Check the path.")
    label = name or path.stem
    if not label or len(label) > NAME_LIMIT or ":" in label:
        raise InputError(
            f"the list name {label!r} is empty, has a ':' or is over {NAME_LIMIT} characters",
            "give a shorter name with --name",
        )
    mapping_path = startup_mapping(mapping, preset=preset)
    loaded = load_mapping(mapping_path)
    columns = _columns(loaded)
    frame = read_startups(path, loaded)
    frame["key"] = _keys(frame, label, path, columns)
    end = end_of_data or dt.date.today()
    cohort = startup_cohort(frame, end_of_data=end.isoformat(), source=path.name, columns=columns)
    frame["exit_kind"] = cohort["exit_kind"].to_numpy()
    with engine.connect() as conn:
        rows, pairs = _link(conn, frame)
        stored, stored_rows, stored_pairs = _stored(conn, label)
    head = {
        "name": label,
        "path": str(path.resolve()),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "mapping_yaml": mapping_path.read_text(encoding="utf-8"),
        "rows_read": len(rows),
        "end_of_data": end.isoformat(),
    }
    same = (
        stored is not None
        and all(stored[k] == v for k, v in head.items())
        and stored_rows == _plain(rows, STARTUP_COLUMNS)
        and stored_pairs == _plain(pairs, PAIR_COLUMNS)
    )
    report = _summary(label, path, rows, pairs, written=not same)
    if same:
        return report
    with transaction(engine) as conn:
        serialise_on(conn, REGISTRY_WRITES)  # the list's pairs are a registry input
        _write(
            conn, head | {"imported_by": actor, "imported_at": schema.utcnow()}, stored, rows, pairs
        )
        audit(
            conn,
            actor,
            "import" if stored is None else "replace",
            "startup_list",
            label,
            json.dumps(report.model_dump(exclude={"written"})),
        )
    return report


class StartupLink(ReadModel):
    """One row of a list and where it stands: its cohort dates and its atlas organisation.

    ``status`` is ``linked`` (``method`` vat, registration_code, splink or review),
    ``in_review`` (a pair waits in the review queue) or ``unlinked``.
    """

    row: int
    name: str
    registration_code: str | None
    country: str
    founded: dt.date
    closed: dt.date | None
    exit_kind: str | None
    status: str
    method: str | None
    org_id: str | None
    org_name: str | None
    probability: float | None


class Incidence(ReadModel):
    """The Aalen–Johansen cumulative incidence of one exit kind, with fixed horizons."""

    kind: str
    exits: int
    timeline: list[float]
    incidence: list[float]
    at_horizons: dict[str, float]


class StartupReport(ReadModel):
    """A startup list as a cohort: entries per founding year, survival to closure (other
    exits censored) and the cumulative incidence of each kind of exit."""

    list_name: str
    end_of_data: dt.date
    members: int
    entries: list[EntryCount]
    survival: Curve
    incidence: list[Incidence]
    links: dict[str, int]


def _list_id(conn: Connection, label: str) -> tuple[int, str]:
    head = conn.execute(
        select(LISTS.c.id, LISTS.c.end_of_data).where(LISTS.c.name == label)
    ).first()
    if head is None:
        known = conn.execute(select(LISTS.c.name).order_by(LISTS.c.name)).scalars().all()
        raise NotFoundError(
            f"No startup list named {label!r}.",
            f"Import one with `bioconnect outcomes startups FILE`; stored: {', '.join(known) or 'none'}.",
        )
    return int(head.id), str(head.end_of_data)


def _matched(conn: Connection, label: str) -> pd.DataFrame:
    """The best live matcher pair of each row: linked (auto, accepted) before in review."""
    pairs = pd.read_sql(
        select(CANDIDATES.c.left_key, CANDIDATES.c.right_key, CANDIDATES.c.probability)
        .add_columns(CANDIDATES.c.status)
        .where(
            CANDIDATES.c.left_key.like(f"{LIST_PREFIX}{label}:%"),
            CANDIDATES.c.status.in_(["auto", "accepted", "pending"]),
        ),
        conn,
    )
    pairs["rank"] = pairs["status"].map({"accepted": 0, "auto": 1, "pending": 2})
    pairs = pairs.sort_values(["left_key", "rank", "probability"], ascending=[True, True, False])
    return pairs.drop_duplicates("left_key").set_index("left_key")


def startup_links(engine: Engine, list_name: str) -> list[StartupLink]:
    """Every row of a stored list with its link to an atlas organisation, in file order."""
    link, org = schema.table(schema.RecordLink), schema.table(schema.Organisation)
    with engine.connect() as conn:
        list_id, _ = _list_id(conn, list_name)
        rows = conn.execute(
            select(STARTUPS).where(STARTUPS.c.list_id == list_id).order_by(STARTUPS.c.source_row)
        ).all()
        pairs = _matched(conn, list_name)
        orgs = pd.read_sql(
            select(link.c.record_key, link.c.org_id, org.c.name).join(
                org, org.c.id == link.c.org_id
            ),
            conn,
        ).set_index("record_key")
    out = []
    for r in rows:
        method, record, probability, status = r.link_method, r.link_key, None, "linked"
        if record is None and r.key in pairs.index:
            pair = pairs.loc[r.key]
            record, probability = pair["right_key"], float(pair["probability"])
            status = "in_review" if pair["status"] == "pending" else "linked"
            method = {"auto": "splink", "accepted": "review"}.get(str(pair["status"]))
        if record is None or record not in orgs.index:
            status, method, record = "unlinked", None, None
        out.append(
            StartupLink(
                row=int(r.source_row),
                name=r.name,
                registration_code=r.registration_code,
                country=r.country,
                founded=dt.date.fromisoformat(r.founded),
                closed=None if r.closed is None else dt.date.fromisoformat(r.closed),
                exit_kind=r.exit_kind,
                status=status,
                method=method,
                org_id=None if record is None else str(orgs.at[record, "org_id"]),
                org_name=None if record is None else orgs.at[record, "name"],
                probability=probability,
            )
        )
    return out


def startup_report(engine: Engine, list_name: str) -> StartupReport:
    """A stored list as a cohort: entries per year, survival to closure, incidences.

    Survival counts only ``closed`` as a failure (:data:`~bioconnect.outcomes.FAILURE_KINDS`);
    an acquisition or a move abroad ends the firm's time in the cohort without failing,
    and the cumulative incidence of each kind (Aalen–Johansen) shows how many took each way.
    """
    with engine.connect() as conn:
        list_id, end = _list_id(conn, list_name)
        rows = pd.read_sql(
            select(STARTUPS).where(STARTUPS.c.list_id == list_id).order_by(STARTUPS.c.source_row),
            conn,
        )
    cohort = startup_cohort(
        rows.assign(exit_reason=rows["exit_kind"].str.replace("_", " ")), end_of_data=end
    )
    failed = cohort["exit_kind"].isin(FAILURE_KINDS).to_numpy()
    durations = cohort["duration"].to_numpy(dtype=float)
    incidence = []
    for kind in EXIT_KINDS[:3]:
        curve = cumulative_incidence(durations, cohort["exit_kind"].to_numpy(), kind)
        at = incidence_at(curve, HORIZONS)
        incidence.append(
            Incidence(
                kind=kind,
                exits=int((cohort["exit_kind"] == kind).sum()),
                timeline=curve.timeline.tolist(),
                incidence=curve.incidence.tolist(),
                at_horizons={f"{h:g}": float(v) for h, v in zip(HORIZONS, at, strict=True)},
            )
        )
    counts = entries_per_year(cohort)
    links = pd.Series([s.status for s in startup_links(engine, list_name)]).value_counts()
    return StartupReport(
        list_name=list_name,
        end_of_data=dt.date.fromisoformat(end),
        members=len(cohort),
        entries=[
            EntryCount(group=list_name, year=int(y), entries=int(n))
            for y, n in zip(counts["year"], counts["entries"], strict=True)
        ],
        survival=curve_model(durations, failed),
        incidence=incidence,
        links={str(k): int(v) for k, v in links.items()},
    )
