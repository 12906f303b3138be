"""Users' own files (stakeholder lists): import, list and remove.

An imported file is checked row by row first (country codes, stakeholder groups, PICs:
:func:`bioconnect.sources.row_checks.row_problems`); one bad cell refuses the whole file
with every problem listed, and nothing is stored. A good file is kept as a source and
loaded by every later ingest until it is removed; removing it re-ingests without it, so
the store is what it was before the import (the same counts, the same organisation ids).
Each change is audited.

Example
-------
>>> from bioconnect.store.database import open_store
>>> list_user_sources(open_store("sqlite:///:memory:"))
[]
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.mapping import load_mapping
from bioconnect.services.ingest import IngestReport, ingest, last_run
from bioconnect.services.progress import Progress
from bioconnect.services.readmodel import ReadModel
from bioconnect.sources.mapped import read_mapped
from bioconnect.sources.row_checks import row_problems
from bioconnect.store import schema

US = schema.table(schema.UserSource)

#: How many bad cells an error lists before it says how many more there are.
LISTED = 20


class UserSourceSummary(ReadModel):
    """A user's file loaded with every ingest, and whether it is still where it was."""

    name: str
    path: str
    added_by: str
    added_at: str
    file_exists: bool


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

    Every row is checked first; the file is then read and resolved with everything else
    before anything is written, and kept as a user source that every later ingest loads.
    Importing under the same name again replaces it.

    Example:
        >>> import_user_source(engine, Path("stakeholders.xlsx"),
        ...                    Path("stakeholders.yaml"))  # doctest: +SKIP
    """
    mapping = load_mapping(mapping_path)
    path = Path(path).resolve()
    if not path.is_file():
        raise InputError(f"File {path} does not exist.", "Check the path.")
    with engine.connect() as conn:
        preset, last_dir = last_run(conn)
    problems = row_problems(read_mapped(path, mapping), [g.key for g in preset.stakeholder_groups])
    if problems:
        listed = "; ".join(str(p) for p in problems[:LISTED])
        more = f"; and {len(problems) - LISTED} more" if len(problems) > LISTED else ""
        raise InputError(
            f"{path.name}: {len(problems)} cell(s) are not valid: {listed}{more}.",
            "Correct these cells and import the file again; nothing was stored.",
        )
    if data_dir is None and last_dir is not None and last_dir.is_dir():
        data_dir = last_dir
    label = name or path.stem
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


def list_user_sources(engine: Engine) -> list[UserSourceSummary]:
    """The users' files every ingest loads, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(US).order_by(US.c.id)).all()
    return [
        UserSourceSummary(
            name=r.name,
            path=r.path,
            added_by=r.added_by,
            added_at=r.added_at,
            file_exists=Path(r.path).is_file(),
        )
        for r in rows
    ]


def remove_user_source(
    engine: Engine,
    name: str,
    *,
    actor: str = "cli",
    data_dir: Path | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Forget a user's file and re-ingest without it, in one transaction (audited as
    ``sources.remove``).

    Example:
        >>> remove_user_source(engine, "stakeholders")  # doctest: +SKIP
    """
    known = [s.name for s in list_user_sources(engine)]
    if name not in known:
        raise NotFoundError(
            f"No user source named {name!r}.",
            "List them with `bioconnect sources list`"
            + (f" (there are: {', '.join(known)})." if known else " (there are none)."),
        )
    with engine.connect() as conn:
        preset, last_dir = last_run(conn)
    if data_dir is None and last_dir is not None and last_dir.is_dir():
        data_dir = last_dir
    return ingest(engine, preset, data_dir, actor=actor, progress=progress, unregister=name)
