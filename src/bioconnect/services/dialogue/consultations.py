"""Consultations in the store: import a Pol.is export, export one, vote, open and close."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, select

from bioconnect.errors import ConflictError, InputError, NotFoundError
from bioconnect.services.accounts import audit
from bioconnect.services.dialogue.models import ConsultationSummary
from bioconnect.services.dialogue.polis_files import (
    PolisExport,
    StatementRow,
    VoteRow,
    read_export,
    write_export,
)
from bioconnect.store import dialogue_tables, schema
from bioconnect.store.database import bulk_insert, transaction

if TYPE_CHECKING:
    import pandas as pd

CONSULTATION = schema.table(dialogue_tables.DialogueConsultation)
STATEMENT = schema.table(dialogue_tables.DialogueStatement)
PARTICIPANT = schema.table(dialogue_tables.DialogueParticipant)
VOTE = schema.table(dialogue_tables.DialogueVote)
STATUSES = ("draft", "open", "closed")
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-_")


def check_name(name: str) -> str:
    if not name or len(name) > 100 or not set(name) <= _NAME_CHARS:
        raise InputError(
            f"The consultation name {name!r} is not allowed.",
            "Use up to 100 lower-case letters, digits, '.', '-' or '_'.",
        )
    return name


def consultation_id(conn: Connection, name: str) -> int:
    """The stored id of consultation ``name``, or NotFoundError."""
    found = conn.execute(select(CONSULTATION.c.id).where(CONSULTATION.c.name == name)).scalar()
    if found is None:
        raise NotFoundError(f"No consultation named {name!r}.", "See `bioconnect dialogue import`.")
    return int(found)


def _frames(cid: int, export: PolisExport) -> dict[str, pd.DataFrame]:
    import pandas as pd

    statements = pd.DataFrame([vars(s) for s in export.statements]).assign(consultation_id=cid)
    votes = pd.DataFrame(
        [vars(v) for v in export.votes], columns=["participant", "statement", "vote", "voted_ms"]
    )
    votes = votes.assign(consultation_id=cid, seq=range(len(votes)))
    participants = pd.DataFrame(
        {"participant": list(export.participants), "xid": list(export.participants.values())}
    ).assign(consultation_id=cid)
    return {
        "dialogue_statement": statements,
        "dialogue_vote": votes,
        "dialogue_participant": participants,
    }


def _clear(conn: Connection, cid: int) -> None:
    for table in (VOTE, PARTICIPANT, STATEMENT):
        conn.execute(delete(table).where(table.c.consultation_id == cid))


def _unchanged(engine: Engine, name: str, export: PolisExport, source: str) -> bool:
    """Whether ``name`` is stored already with exactly this content (then nothing is written)."""
    with engine.connect() as conn:
        head = conn.execute(select(CONSULTATION).where(CONSULTATION.c.name == name)).first()
    if head is None or head.status != "closed" or head.source != source:
        return False
    return load_export(engine, name) == export


def import_polis(engine: Engine, folder: Path, *, name: str, actor: str) -> ConsultationSummary:
    """Store a Pol.is export folder as the closed consultation ``name``.

    The folder is read and checked in full first, so a bad file writes nothing. Importing
    the same folder again under the same name writes nothing; a changed folder replaces
    the consultation's statements, participants and votes in one transaction.
    """
    check_name(name)
    export = read_export(folder)
    if _unchanged(engine, name, export, f"polis:{folder.name}"):
        return consultation_summary(engine, name)
    with transaction(engine) as conn:
        cid = conn.execute(select(CONSULTATION.c.id).where(CONSULTATION.c.name == name)).scalar()
        if cid is None:
            inserted = conn.execute(
                CONSULTATION.insert().values(
                    name=name,
                    title=export.title,
                    description=export.description,
                    status="closed",
                    source=f"polis:{folder.name}",
                    created_at=schema.utcnow(),
                    created_by=actor,
                )
            ).inserted_primary_key
            assert inserted is not None
            cid = inserted[0]
        else:
            conn.execute(
                CONSULTATION.update()
                .where(CONSULTATION.c.id == cid)
                .values(
                    title=export.title,
                    description=export.description,
                    status="closed",
                    source=f"polis:{folder.name}",
                )
            )
            _clear(conn, cid)
        for table, frame in _frames(cid, export).items():
            bulk_insert(conn, table, frame)
        audit(
            conn,
            actor,
            "import",
            "consultation",
            name,
            f'{{"statements": {len(export.statements)}, "vote_events": {len(export.votes)}}}',
        )
    return consultation_summary(engine, name)


def consultation_summary(engine: Engine, name: str) -> ConsultationSummary:
    """Size and status of consultation ``name``."""
    with engine.connect() as conn:
        cid = consultation_id(conn, name)
        head = conn.execute(select(CONSULTATION).where(CONSULTATION.c.id == cid)).one()

        def count(table: Any, expr: Any = None) -> int:
            q = select(func.count(expr if expr is not None else table.c.id)).where(
                table.c.consultation_id == cid
            )
            return int(conn.execute(q).scalar() or 0)

        final = conn.execute(
            select(func.count()).select_from(
                select(VOTE.c.participant, VOTE.c.statement)
                .where(VOTE.c.consultation_id == cid)
                .distinct()
                .subquery()
            )
        ).scalar()
        return ConsultationSummary(
            name=head.name,
            title=head.title,
            status=head.status,
            source=head.source,
            statements=count(STATEMENT),
            participants=count(PARTICIPANT),
            votes=int(final or 0),
            vote_events=count(VOTE),
        )


def list_consultations(engine: Engine) -> list[ConsultationSummary]:
    """Every stored consultation, by name."""
    with engine.connect() as conn:
        names = (
            conn.execute(select(CONSULTATION.c.name).order_by(CONSULTATION.c.name)).scalars().all()
        )
    return [consultation_summary(engine, n) for n in names]


def load_export(engine: Engine, name: str) -> PolisExport:
    """Consultation ``name`` as an export: statements, the vote log in order, participants."""
    with engine.connect() as conn:
        cid = consultation_id(conn, name)
        head = conn.execute(select(CONSULTATION).where(CONSULTATION.c.id == cid)).one()
        statements = [
            StatementRow(r.statement, r.text, r.author, r.moderation, r.created_ms)
            for r in conn.execute(
                select(STATEMENT)
                .where(STATEMENT.c.consultation_id == cid)
                .order_by(STATEMENT.c.statement)
            )
        ]
        votes = [
            VoteRow(r.participant, r.statement, r.vote, r.voted_ms)
            for r in conn.execute(
                select(VOTE).where(VOTE.c.consultation_id == cid).order_by(VOTE.c.seq)
            )
        ]
        participants = {
            r.participant: r.xid
            for r in conn.execute(
                select(PARTICIPANT)
                .where(PARTICIPANT.c.consultation_id == cid)
                .order_by(PARTICIPANT.c.participant)
            )
        }
    return PolisExport(head.title, head.description, statements, votes, participants)


def stakeholder_groups(engine: Engine, name: str) -> dict[int, str | None]:
    """Each participant's stakeholder group (``None`` when unknown)."""
    with engine.connect() as conn:
        cid = consultation_id(conn, name)
        rows = conn.execute(
            select(PARTICIPANT.c.participant, PARTICIPANT.c.stakeholder_group).where(
                PARTICIPANT.c.consultation_id == cid
            )
        )
        return {int(r.participant): r.stakeholder_group for r in rows}


def export_polis(
    engine: Engine, name: str, folder: Path, groups: dict[int, int | None]
) -> list[Path]:
    """Write consultation ``name`` as a Pol.is export folder; returns the files written."""
    return write_export(folder, load_export(engine, name), groups)


def set_status(engine: Engine, name: str, status: str, *, actor: str) -> ConsultationSummary:
    """Move a consultation to ``draft``, ``open`` or ``closed`` (audited)."""
    if status not in STATUSES:
        raise InputError(f"Unknown status {status!r}.", f"Use one of: {', '.join(STATUSES)}.")
    with transaction(engine) as conn:
        cid = consultation_id(conn, name)
        conn.execute(CONSULTATION.update().where(CONSULTATION.c.id == cid).values(status=status))
        audit(conn, actor, "status", "consultation", name, f'{{"status": "{status}"}}')
    return consultation_summary(engine, name)


def lock_consultation(conn: Connection, name: str) -> tuple[int, str]:
    """Take consultation ``name``'s write lock first thing in a transaction: (id, status).

    A no-op update as the transaction's first statement: PostgreSQL locks the row and
    SQLite takes its write lock (waiting its busy timeout), so writers to one consultation
    follow one another and each reads what the previous one committed (the vote log's
    next ``seq`` above all).
    """
    touched = conn.execute(
        CONSULTATION.update()
        .where(CONSULTATION.c.name == name)
        .values(status=CONSULTATION.c.status)
    )
    if touched.rowcount == 0:
        raise NotFoundError(f"No consultation named {name!r}.", "See the list at /dialogue.")
    head = conn.execute(
        select(CONSULTATION.c.id, CONSULTATION.c.status).where(CONSULTATION.c.name == name)
    ).one()
    return int(head.id), str(head.status)


def check_vote(vote: int) -> int:
    """``vote`` when it is -1, 0 or 1, else one InputError."""
    if vote not in (-1, 0, 1):
        raise InputError(
            f"Vote {vote} is not -1, 0 or 1.", "Use 1 for agree, -1 for disagree and 0 for pass."
        )
    return vote


# The vote path's statements, built once (a vote is the one write that comes by the
# hundred a minute): the consultation's lock with its id and status, then what the vote
# needs to know in one query.
_LOCK = (
    CONSULTATION.update()
    .where(CONSULTATION.c.name == bindparam("the_name"))
    .values(status=CONSULTATION.c.status)
    .returning(CONSULTATION.c.id, CONSULTATION.c.status)
)
_VOTE_FACTS = select(
    select(STATEMENT.c.moderation)
    .where(
        STATEMENT.c.consultation_id == bindparam("cid"),
        STATEMENT.c.statement == bindparam("statement"),
    )
    .scalar_subquery()
    .label("shown"),
    select(func.coalesce(func.max(VOTE.c.seq), -1))
    .where(VOTE.c.consultation_id == bindparam("cid"))
    .scalar_subquery()
    .label("seq"),
    select(PARTICIPANT.c.id)
    .where(
        PARTICIPANT.c.consultation_id == bindparam("cid"),
        PARTICIPANT.c.participant == bindparam("participant"),
    )
    .scalar_subquery()
    .label("known"),
)
_INSERT_VOTE = VOTE.insert()


def record_vote(
    engine: Engine,
    name: str,
    *,
    participant: int,
    statement: int,
    vote: int,
    actor: str,
    voted_ms: int | None = None,
    xid: str | None = None,
    profile: dict[str, str | None] | None = None,
) -> None:
    """Record one vote on an open consultation; the participant's last vote counts.

    Only shown statements (moderation 1) take votes. A participant voting for the first
    time is added, with ``profile`` (stakeholder group, country, atlas organisation).
    """
    check_vote(vote)
    with transaction(engine) as conn:
        head = conn.execute(_LOCK, {"the_name": name}).first()
        if head is None:
            raise NotFoundError(f"No consultation named {name!r}.", "See the list at /dialogue.")
        cid, status = int(head.id), str(head.status)
        if status != "open":
            raise ConflictError(
                f"The consultation {name!r} is {status}; it takes no votes.", "Open it first."
            )
        facts = conn.execute(
            _VOTE_FACTS, {"cid": cid, "statement": statement, "participant": participant}
        ).one()
        if facts.shown != 1:
            raise ConflictError(
                f"Statement {statement} does not exist in {name!r}"
                + (
                    "."
                    if facts.shown is None
                    else " or is not shown (it awaits moderation or was refused)."
                ),
                "Vote on a listed statement.",
            )
        if facts.known is None:
            conn.execute(
                PARTICIPANT.insert().values(
                    consultation_id=cid, participant=participant, xid=xid, **(profile or {})
                )
            )
        conn.execute(
            _INSERT_VOTE,
            {
                "consultation_id": cid,
                "seq": int(facts.seq) + 1,
                "participant": participant,
                "statement": statement,
                "vote": vote,
                "voted_ms": voted_ms if voted_ms is not None else now_ms(),
            },
        )
        audit(conn, actor, "vote", "consultation", name, f'{{"statement": {statement}}}')


def now_ms() -> int:
    """Milliseconds since 1970, as Pol.is stamps votes."""
    return int(time.time() * 1000)


#: Participants who vote with an account are numbered from here (imported ids stay below).
ACCOUNT_PARTICIPANTS = 1_000_000


def record_account_vote(
    engine: Engine, name: str, *, user_id: int, username: str, statement: int, vote: int
) -> int:
    """Record a signed-in user's vote; returns the participant id the user votes as."""
    participant = ACCOUNT_PARTICIPANTS + user_id
    record_vote(
        engine,
        name,
        participant=participant,
        statement=statement,
        vote=vote,
        actor=username,
        xid=f"account:{username}",
    )
    return participant
