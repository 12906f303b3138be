"""Pol.is export folders: read and check one, or write one.

An export folder holds ``comments.csv``, ``votes.csv``, ``participants-votes.csv`` and
``summary.csv`` (both formats: the newer adds an ``xid`` column to the participants). Votes
use the export's sign: agree ``1``, disagree ``-1``, pass ``0``. Every problem is one
:class:`~bioconnect.errors.InputError` naming the file, the row and the column.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bioconnect.errors import InputError
from bioconnect.model.exports import write_csv

#: Longest statement accepted, in characters (Pol.is's own limit for a comment).
MAX_STATEMENT_CHARS = 1000
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")


@dataclass(frozen=True)
class StatementRow:
    statement: int
    text: str
    author: int | None
    moderation: int
    created_ms: int | None


@dataclass(frozen=True)
class VoteRow:
    participant: int
    statement: int
    vote: int
    voted_ms: int | None


@dataclass(frozen=True)
class PolisExport:
    """What an export folder holds, checked."""

    title: str
    description: str
    statements: list[StatementRow]
    votes: list[VoteRow]
    participants: dict[int, str | None] = field(default_factory=dict)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def _require(path: Path, columns: tuple[str, ...]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(
            f"{path}: the header lacks {', '.join(missing)}.",
            "Use a Pol.is export (comments.csv, votes.csv, participants-votes.csv, summary.csv).",
        )


def _int(
    path: Path, number: int, column: str, text: str | None, *, blank: bool = False
) -> int | None:
    value = (text or "").strip()
    if not value and blank:
        return None
    try:
        return int(float(value)) if re.fullmatch(r"-?\d+(\.0+)?", value) else int(value)
    except ValueError:
        raise InputError(
            f"{path}, row {number}, column {column}: {value!r} is not a whole number.",
            "Fix the cell.",
        ) from None


def check_statement_text(text: str, where: str) -> str:
    """The statement's text, or one InputError when it is too long or holds markup."""
    if len(text) > MAX_STATEMENT_CHARS:
        raise InputError(
            f"{where}: the statement has {len(text):,} characters; at most {MAX_STATEMENT_CHARS:,} are allowed.",
            "Shorten the statement.",
        )
    if _MARKUP.search(text):
        raise InputError(
            f"{where}: the statement contains markup (HTML tags).",
            "Write statements as plain text.",
        )
    if not text.strip():
        raise InputError(f"{where}: the statement is empty.", "Write the statement's text.")
    return text


def _statements(path: Path) -> list[StatementRow]:
    _require(path, ("comment-id", "comment-body", "moderated"))
    found: dict[int, StatementRow] = {}
    for number, row in _rows(path):
        sid = _int(path, number, "comment-id", row["comment-id"])
        mod = _int(path, number, "moderated", row["moderated"])
        assert sid is not None and mod is not None
        if mod not in (-1, 0, 1):
            raise InputError(
                f"{path}, row {number}, column moderated: {mod} is not -1, 0 or 1.", "Fix the cell."
            )
        if sid in found:
            raise InputError(
                f"{path}, row {number}, column comment-id: statement {sid} appears twice.",
                "Keep one row per statement.",
            )
        text = check_statement_text(
            row["comment-body"] or "", f"{path}, row {number}, column comment-body"
        )
        found[sid] = StatementRow(
            statement=sid,
            text=text,
            author=_int(path, number, "author-id", row.get("author-id"), blank=True),
            moderation=mod,
            created_ms=_int(path, number, "timestamp", row.get("timestamp"), blank=True),
        )
    return sorted(found.values(), key=lambda s: s.statement)


def _votes(path: Path, known: set[int]) -> list[VoteRow]:
    _require(path, ("comment-id", "voter-id", "vote"))
    votes = []
    for number, row in _rows(path):
        vote = _int(path, number, "vote", row["vote"])
        if vote not in (-1, 0, 1):
            raise InputError(
                f"{path}, row {number}, column vote: {vote} is not -1, 0 or 1.",
                "Use 1 for agree, -1 for disagree and 0 for pass.",
            )
        sid = _int(path, number, "comment-id", row["comment-id"])
        if sid not in known:
            raise InputError(
                f"{path}, row {number}, column comment-id: statement {sid} is not in comments.csv.",
                "Vote only on statements that comments.csv lists.",
            )
        pid = _int(path, number, "voter-id", row["voter-id"])
        assert pid is not None and sid is not None
        votes.append(
            VoteRow(
                pid, sid, vote, _int(path, number, "timestamp", row.get("timestamp"), blank=True)
            )
        )
    # The log in time order (stable: equal times keep the file's order); the last vote counts.
    return sorted(votes, key=lambda v: v.voted_ms if v.voted_ms is not None else 0)


def _summary(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}


def read_export(folder: Path) -> PolisExport:
    """Read and check a Pol.is export folder; raises one InputError for the first problem."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder.", "Pass the folder of a Pol.is export.")
    for name in _FILES[:2]:
        if not (folder / name).is_file():
            raise InputError(
                f"{folder} has no {name}.", "A Pol.is export has comments.csv and votes.csv."
            )
    statements = _statements(folder / "comments.csv")
    votes = _votes(folder / "votes.csv", {s.statement for s in statements})
    participants: dict[int, str | None] = {}
    pv = folder / "participants-votes.csv"
    if pv.is_file():
        _require(pv, ("participant",))
        for number, row in _rows(pv):
            pid = _int(pv, number, "participant", row["participant"])
            assert pid is not None
            participants[pid] = (row.get("xid") or "").strip() or None
    for v in votes:
        participants.setdefault(v.participant, None)
    summary = _summary(folder / "summary.csv") if (folder / "summary.csv").is_file() else {}
    return PolisExport(
        title=summary.get("topic", folder.name),
        description=summary.get("conversation-description", ""),
        statements=statements,
        votes=votes,
        participants=participants,
    )


def _when(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    write_csv(path, [header, *rows], lineterminator="\n")


def _final_votes(export: PolisExport) -> dict[tuple[int, int], int]:
    final: dict[tuple[int, int], int] = {}
    for v in export.votes:
        final[(v.participant, v.statement)] = v.vote
    return final


def _write_comments(path: Path, export: PolisExport, final: dict[tuple[int, int], int]) -> None:
    agrees = {s.statement: 0 for s in export.statements}
    disagrees = dict(agrees)
    for (_, sid), vote in final.items():
        agrees[sid] += vote == 1
        disagrees[sid] += vote == -1
    header = [
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]
    rows = [
        [
            "" if s.created_ms is None else s.created_ms,
            _when(s.created_ms),
            s.statement,
            "" if s.author is None else s.author,
            agrees[s.statement],
            disagrees[s.statement],
            s.moderation,
            s.text,
        ]
        for s in export.statements
    ]
    _write(path, header, rows)


def _write_votes(path: Path, export: PolisExport) -> None:
    rows = [
        [
            "" if v.voted_ms is None else v.voted_ms,
            _when(v.voted_ms),
            v.statement,
            v.participant,
            v.vote,
        ]
        for v in export.votes
    ]
    _write(path, ["timestamp", "datetime", "comment-id", "voter-id", "vote"], rows)


def _authored(export: PolisExport) -> dict[int, int]:
    authored: dict[int, int] = {}
    for s in export.statements:
        if s.author is not None:
            authored[s.author] = authored.get(s.author, 0) + 1
    return authored


def _write_participants(
    path: Path,
    export: PolisExport,
    final: dict[tuple[int, int], int],
    groups: dict[int, int | None],
) -> None:
    sids = [s.statement for s in export.statements]
    authored = _authored(export)
    rows = []
    for pid in sorted(export.participants):
        mine = [final.get((pid, s)) for s in sids]
        group = groups.get(pid)
        counts = [
            sum(x is not None for x in mine),
            sum(x == 1 for x in mine),
            sum(x == -1 for x in mine),
        ]
        cells = ["" if x is None else x for x in mine]
        rows.append(
            [
                pid,
                export.participants[pid] or "",
                "" if group is None else group,
                authored.get(pid, 0),
                *counts,
                *cells,
            ]
        )
    header = [
        "participant",
        "xid",
        "group-id",
        "n-comments",
        "n-votes",
        "n-agree",
        "n-disagree",
        *map(str, sids),
    ]
    _write(path, header, rows)


def _write_summary(
    path: Path, export: PolisExport, groups: dict[int, int | None], url: str
) -> None:
    summary: list[list[object]] = [
        ["topic", export.title],
        ["url", url],
        ["voters", len({v.participant for v in export.votes})],
        ["voters-in-conv", sum(g is not None for g in groups.values())],
        ["commenters", len(_authored(export))],
        ["comments", len(export.statements)],
        ["groups", len({g for g in groups.values() if g is not None})],
        ["conversation-description", export.description],
    ]
    write_csv(path, summary, lineterminator="\n")


def write_export(
    folder: Path,
    export: PolisExport,
    groups: dict[int, int | None],
    *,
    url: str = "",
) -> list[Path]:
    """Write ``export`` as a Pol.is export folder (the newer format, with ``xid``)."""
    folder.mkdir(parents=True, exist_ok=True)
    final = _final_votes(export)
    _write_comments(folder / "comments.csv", export, final)
    _write_votes(folder / "votes.csv", export)
    _write_participants(folder / "participants-votes.csv", export, final, groups)
    _write_summary(folder / "summary.csv", export, groups, url)
    return [folder / name for name in _FILES]
