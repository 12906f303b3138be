"""What a coordinator (an editor) does with a consultation: create it as a draft, add
statements, moderate participants' statements, and see participation over time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.accounts import audit
from bioconnect.services.dialogue.consultations import (
    CONSULTATION,
    PARTICIPANT,
    STATEMENT,
    VOTE,
    check_name,
    consultation_id,
    consultation_summary,
    lock_consultation,
)
from bioconnect.services.dialogue.models import (
    ConsultationSummary,
    Participation,
    ParticipationRow,
    PendingStatement,
)
from bioconnect.services.dialogue.voting import REFUSED, SHOWN, WAITING
from bioconnect.store import schema
from bioconnect.store.database import transaction

DECISIONS = {"approve": SHOWN, "reject": REFUSED}


def create_consultation(
    engine: Engine, name: str, title: str, *, actor: str, description: str = ""
) -> ConsultationSummary:
    """A new consultation ``name`` as a draft (no statements yet)."""
    check_name(name)
    title = " ".join(title.split())
    if not title or len(title) > 300:
        raise InputError(
            "The title is empty or longer than 300 characters.", "Give a title of 1-300 characters."
        )
    if len(description) > 5000:
        raise InputError("The description is longer than 5,000 characters.", "Shorten it.")
    with transaction(engine) as conn:
        taken = conn.execute(select(CONSULTATION.c.id).where(CONSULTATION.c.name == name)).scalar()
        if taken is not None:
            raise InputError(
                f"A consultation named {name!r} exists already.", "Choose another name."
            )
        conn.execute(
            CONSULTATION.insert().values(
                name=name,
                title=title,
                description=description.strip(),
                status="draft",
                source=None,
                created_at=schema.utcnow(),
                created_by=actor,
            )
        )
        audit(conn, actor, "create", "consultation", name, '{"status": "draft"}')
    return consultation_summary(engine, name)


def moderation_queue(engine: Engine, name: str) -> list[PendingStatement]:
    """Statements waiting for moderation, oldest first."""
    with engine.connect() as conn:
        cid = consultation_id(conn, name)
        rows = conn.execute(
            select(STATEMENT)
            .where(STATEMENT.c.consultation_id == cid, STATEMENT.c.moderation == WAITING)
            .order_by(STATEMENT.c.statement)
        ).all()
    return [
        PendingStatement(
            statement=r.statement, text=r.text, author=r.author, created_ms=r.created_ms
        )
        for r in rows
    ]


def moderate(engine: Engine, name: str, statement: int, decision: str, *, actor: str) -> None:
    """Approve (show) or reject a statement (audited)."""
    if decision not in DECISIONS:
        raise InputError(f"Unknown decision {decision!r}.", f"Use one of: {', '.join(DECISIONS)}.")
    with transaction(engine) as conn:
        cid, _status = lock_consultation(conn, name)
        done = conn.execute(
            STATEMENT.update()
            .where(STATEMENT.c.consultation_id == cid, STATEMENT.c.statement == statement)
            .values(moderation=DECISIONS[decision])
        ).rowcount
        if not done:
            raise NotFoundError(
                f"Consultation {name!r} has no statement {statement}.",
                "Pick one from the moderation queue.",
            )
        audit(
            conn,
            actor,
            "moderate",
            "consultation",
            name,
            f'{{"statement": {statement}, "decision": "{decision}"}}',
        )


def _week(ms: int) -> str:
    """The Monday (UTC) of the week holding ``ms``."""
    day = datetime.fromtimestamp(ms / 1000, tz=UTC).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def participation(engine: Engine, name: str) -> Participation:
    """Participants who voted and votes cast per week, by stakeholder group and by country.

    Votes without a time are left out of the weeks but counted in the totals; a
    participant whose group or country is not known counts as ``unknown``.
    """
    with engine.connect() as conn:
        cid = consultation_id(conn, name)
        people = {
            int(r.participant): (r.stakeholder_group or "unknown", r.country or "unknown")
            for r in conn.execute(
                select(
                    PARTICIPANT.c.participant,
                    PARTICIPANT.c.stakeholder_group,
                    PARTICIPANT.c.country,
                ).where(PARTICIPANT.c.consultation_id == cid)
            )
        }
        votes = conn.execute(
            select(VOTE.c.participant, VOTE.c.voted_ms).where(VOTE.c.consultation_id == cid)
        ).all()
    tables: dict[str, list[ParticipationRow]] = {}
    totals: dict[str, dict[str, int]] = {}
    for index, by in enumerate(("stakeholder_group", "country")):
        counts: Counter[tuple[str, str]] = Counter()
        who: dict[tuple[str, str], set[int]] = defaultdict(set)
        everyone: dict[str, set[int]] = defaultdict(set)
        for v in votes:
            value = people.get(int(v.participant), ("unknown", "unknown"))[index]
            everyone[value].add(int(v.participant))
            if v.voted_ms is not None:
                key = (_week(int(v.voted_ms)), value)
                counts[key] += 1
                who[key].add(int(v.participant))
        tables[by] = [
            ParticipationRow(week=w, by=by, value=val, participants=len(who[(w, val)]), votes=n)
            for (w, val), n in sorted(counts.items())
        ]
        totals[by] = {k: len(s) for k, s in sorted(everyone.items())}
    return Participation(
        consultation=name,
        by_stakeholder_group=tables["stakeholder_group"],
        by_country=tables["country"],
        totals_by_stakeholder_group=totals["stakeholder_group"],
        totals_by_country=totals["country"],
    )
