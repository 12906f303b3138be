"""Delphi studies in the store: items rated 1–9 over rounds, feedback, consensus, goals.

A study has items and numbered rounds; at most one round is open. A signed-in
stakeholder rates items in the open round (the last rating counts). Before the next
round each panellist sees the group's median and interquartile range and their own
previous answer. The measures are :mod:`bioconnect.dialogue.delphi`'s: the consensus rule
(IQR ≤ 1, or ≥ 70 % rating 7–9 with < 15 % rating 1–3), stability between rounds, and
Kendall's W with the tie correction and its χ² test. An item that reached consensus can
be proposed as a plan goal (:mod:`~bioconnect.services.dialogue.delphi_goals`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from bioconnect.charts.delphi import delphi_chart
from bioconnect.dialogue import consensus_reached, item_feedback, kendall_w, stability
from bioconnect.errors import BioconnectError, ConflictError, InputError, NotFoundError
from bioconnect.services.accounts import audit
from bioconnect.services.dialogue.round_models import (
    ConcordanceOut,
    DelphiFeedback,
    DelphiForm,
    DelphiFormItem,
    DelphiItemOut,
    DelphiItemResult,
    DelphiRatingOut,
    DelphiResults,
    DelphiRoundResult,
    DelphiStudySummary,
    Status,
)
from bioconnect.services.readmodel import ReadModel
from bioconnect.store import dialogue_rounds_tables as tables
from bioconnect.store import schema
from bioconnect.store.database import transaction

STUDY = schema.table(tables.DelphiStudy)
ITEM = schema.table(tables.DelphiItem)
ROUND = schema.table(tables.DelphiRound)
RATING = schema.table(tables.DelphiRating)

#: The rating scale.
LOW, HIGH = 1, 9
#: Longest item text, title and description, in characters.
MAX_TEXT, MAX_TITLE, MAX_DESCRIPTION = 1000, 200, 4000
MAX_ITEMS = 60
#: An item is called stable when at least this share moved by one point or less.
STABLE = 0.85
_NAME = re.compile(r"^[a-z0-9._-]{1,100}$")


def check_name(name: str, what: str) -> str:
    """``name`` when it is a valid study or survey name, else one InputError."""
    if not _NAME.match(name):
        raise InputError(
            f"The {what} name {name!r} is not allowed.",
            "Use up to 100 lower-case letters, digits, '.', '-' or '_'.",
        )
    return name


def check_text(text: str, what: str, limit: int, *, required: bool = True) -> str:
    """``text`` stripped, or one InputError when it is empty (if required) or too long."""
    clean = text.strip()
    if "\x00" in clean:
        raise InputError(f"The {what} holds a NUL character.", f"Remove it from the {what}.")
    if required and not clean:
        raise InputError(f"The {what} is empty.", f"Write the {what}.")
    if len(clean) > limit:
        raise InputError(
            f"The {what} has {len(clean):,} characters; at most {limit:,} are allowed.",
            f"Shorten the {what}.",
        )
    return clean


def retry_on_conflict(write: Callable[[], None]) -> None:
    """Run ``write`` (one transaction) again when a simultaneous answer took its row first.

    An answer replaces the stored one by update-then-insert; two first answers of the same
    person arriving at once both insert, and the unique constraint refuses the second:
    re-running it then updates the row the first wrote.
    """
    for _ in range(3):
        try:
            write()
            return
        except IntegrityError:
            continue
    raise BioconnectError(
        "Could not store the answer: others from you arrived at the same moment.", "Try again."
    )


def _study_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(STUDY.c.id).where(STUDY.c.name == name)).scalar()
    if found is None:
        raise NotFoundError(f"No Delphi study named {name!r}.", "See the list at /dialogue/delphi.")
    return int(found)


def create_study(
    engine: Engine,
    name: str,
    *,
    title: str,
    items: list[str],
    actor: str,
    description: str = "",
) -> DelphiStudySummary:
    """Store a new study with its items (numbered from 1) and no round yet."""
    check_name(name, "study")
    title = check_text(title, "title", MAX_TITLE)
    description = check_text(description, "description", MAX_DESCRIPTION, required=False)
    texts = [check_text(t, f"text of item {i}", MAX_TEXT) for i, t in enumerate(items, 1)]
    if not 1 <= len(texts) <= MAX_ITEMS:
        raise InputError(
            f"A study needs 1 to {MAX_ITEMS} items; {len(texts)} were given.",
            "Give one item per line.",
        )
    with transaction(engine) as conn:
        if conn.execute(select(STUDY.c.id).where(STUDY.c.name == name)).scalar() is not None:
            raise ConflictError(
                f"A Delphi study named {name!r} exists already.", "Pick another name."
            )
        inserted = conn.execute(
            STUDY.insert().values(
                name=name,
                title=title,
                description=description,
                created_at=schema.utcnow(),
                created_by=actor,
            )
        ).inserted_primary_key
        assert inserted is not None
        conn.execute(
            ITEM.insert(),
            [{"study_id": inserted[0], "item": i, "text": t} for i, t in enumerate(texts, 1)],
        )
        audit(conn, actor, "create", "delphi_study", name, f'{{"items": {len(texts)}}}')
    return study_summary(engine, name)


def _summary(conn: Connection, name: str) -> DelphiStudySummary:
    sid = _study_id(conn, name)
    head = conn.execute(select(STUDY).where(STUDY.c.id == sid)).one()
    rounds = conn.execute(
        select(ROUND.c.round, ROUND.c.status).where(ROUND.c.study_id == sid).order_by(ROUND.c.round)
    ).all()
    items = conn.execute(
        select(ITEM.c.item, ITEM.c.text).where(ITEM.c.study_id == sid).order_by(ITEM.c.item)
    ).all()
    panellists = conn.execute(
        select(RATING.c.user_id).where(RATING.c.study_id == sid).distinct()
    ).all()
    open_round = next((r.round for r in rounds if r.status == "open"), None)
    status: Status = "draft" if not rounds else ("open" if open_round is not None else "closed")
    return DelphiStudySummary(
        name=head.name,
        title=head.title,
        description=head.description,
        status=status,
        rounds=len(rounds),
        open_round=open_round,
        panellists=len(panellists),
        items=[DelphiItemOut(item=i.item, text=i.text) for i in items],
    )


def study_summary(engine: Engine, name: str) -> DelphiStudySummary:
    """A study's items, rounds and status."""
    with engine.connect() as conn:
        return _summary(conn, name)


def list_studies(engine: Engine) -> list[DelphiStudySummary]:
    """Every study, by name."""
    with engine.connect() as conn:
        names = conn.execute(select(STUDY.c.name).order_by(STUDY.c.name)).scalars().all()
        return [_summary(conn, n) for n in names]


def open_round(engine: Engine, name: str, *, actor: str) -> DelphiStudySummary:
    """Open the next round (closing the open one, if any)."""
    with transaction(engine) as conn:
        sid = _study_id(conn, name)
        now = schema.utcnow()
        last = conn.execute(
            select(ROUND.c.round).where(ROUND.c.study_id == sid).order_by(ROUND.c.round.desc())
        ).scalar()
        conn.execute(
            ROUND.update()
            .where(ROUND.c.study_id == sid, ROUND.c.status == "open")
            .values(status="closed", closed_at=now)
        )
        number = int(last or 0) + 1
        conn.execute(
            ROUND.insert().values(study_id=sid, round=number, status="open", opened_at=now)
        )
        audit(conn, actor, "open-round", "delphi_study", name, f'{{"round": {number}}}')
    return study_summary(engine, name)


def close_round(engine: Engine, name: str, *, actor: str) -> DelphiStudySummary:
    """Close the open round; an InputError when no round is open."""
    with transaction(engine) as conn:
        sid = _study_id(conn, name)
        number = conn.execute(
            select(ROUND.c.round).where(ROUND.c.study_id == sid, ROUND.c.status == "open")
        ).scalar()
        if number is None:
            raise ConflictError(f"No round of {name!r} is open.", "Open a round first.")
        conn.execute(
            ROUND.update()
            .where(ROUND.c.study_id == sid, ROUND.c.round == number)
            .values(status="closed", closed_at=schema.utcnow())
        )
        audit(conn, actor, "close-round", "delphi_study", name, f'{{"round": {number}}}')
    return study_summary(engine, name)


def _check_rating(item: int, rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not LOW <= rating <= HIGH:
        raise InputError(
            f"The rating of item {item} is {rating!r}; ratings are whole numbers 1 to 9.",
            "Rate each item from 1 (not important) to 9 (very important).",
        )
    return rating


def _answerable_round(conn: Connection, sid: int, name: str, round_no: int | None) -> int:
    rounds = dict(
        conn.execute(select(ROUND.c.round, ROUND.c.status).where(ROUND.c.study_id == sid)).all()
    )
    current = next((r for r, s in rounds.items() if s == "open"), None)
    if round_no is not None and round_no not in rounds:
        raise ConflictError(f"{name!r} has no round {round_no}.", "Answer the open round.")
    if round_no is not None and rounds[round_no] != "open":
        raise ConflictError(
            f"Round {round_no} of {name!r} is closed; it takes no ratings.",
            "Answer the open round" + (f" ({current})." if current else " when one opens."),
        )
    if current is None:
        raise ConflictError(
            f"No round of {name!r} is open; it takes no ratings.", "Wait for the next round."
        )
    return int(current)


def record_ratings(
    engine: Engine,
    name: str,
    ratings: Mapping[int, object],
    *,
    user_id: int,
    username: str,
    round_no: int | None = None,
) -> DelphiForm:
    """Record a panellist's ratings in the open round, all or none; the last rating counts.

    ``round_no``, when given, must be the open round. Every item must exist and every
    rating must be a whole number 1–9; otherwise one InputError and nothing is written.
    """
    if not ratings:
        raise InputError("No rating was given.", "Rate at least one item from 1 to 9.")
    checked = {item: _check_rating(item, r) for item, r in ratings.items()}

    def write() -> None:
        with transaction(engine) as conn:
            sid = _study_id(conn, name)
            number = _answerable_round(conn, sid, name, round_no)
            known = set(conn.execute(select(ITEM.c.item).where(ITEM.c.study_id == sid)).scalars())
            unknown = sorted(set(checked) - known)
            if unknown:
                raise ConflictError(
                    f"{name!r} has no item {unknown[0]}.", f"Rate the items 1 to {max(known)}."
                )
            now = schema.utcnow()
            for item, rating in sorted(checked.items()):
                where = (
                    (RATING.c.study_id == sid)
                    & (RATING.c.round == number)
                    & (RATING.c.item == item)
                    & (RATING.c.user_id == user_id)
                )
                done = conn.execute(
                    RATING.update().where(where).values(rating=rating, rated_at=now)
                )
                if done.rowcount == 0:
                    conn.execute(
                        RATING.insert().values(
                            study_id=sid,
                            round=number,
                            item=item,
                            user_id=user_id,
                            username=username,
                            rating=rating,
                            rated_at=now,
                        )
                    )
            detail = f'{{"round": {number}, "items": {len(checked)}}}'
            audit(conn, username, "rate", "delphi_study", name, detail)

    retry_on_conflict(write)
    return delphi_form(engine, name, user_id=user_id)


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Ratings:
    """A study's ratings: ``by_round[round][item][user] = rating``."""

    by_round: dict[int, dict[int, dict[int, int]]]

    def of(self, round_no: int, item: int) -> dict[int, int]:
        return self.by_round.get(round_no, {}).get(item, {})


def _ratings(conn: Connection, sid: int) -> _Ratings:
    by_round: dict[int, dict[int, dict[int, int]]] = {}
    rows = conn.execute(
        select(RATING.c.round, RATING.c.item, RATING.c.user_id, RATING.c.rating).where(
            RATING.c.study_id == sid
        )
    )
    for r in rows:
        by_round.setdefault(r.round, {}).setdefault(r.item, {})[r.user_id] = r.rating
    return _Ratings(by_round)


def _feedback(item: int, round_no: int, ratings: dict[int, int]) -> DelphiFeedback | None:
    if not ratings:
        return None
    f = item_feedback(np.array(list(ratings.values()), dtype=float))
    return DelphiFeedback(
        item=item,
        round=round_no,
        n=f.n,
        median=f.median,
        q1=f.q1,
        q3=f.q3,
        iqr=f.iqr,
        share_high=f.share_high,
        share_low=f.share_low,
        consensus=consensus_reached(f),
    )


def delphi_form(engine: Engine, name: str, *, user_id: int) -> DelphiForm:
    """A panellist's form: each item with their answers and the previous round's feedback."""
    with engine.connect() as conn:
        study = _summary(conn, name)
        ratings = _ratings(conn, _study_id(conn, name))
    current = study.open_round
    # with a round open: its answers, and the round before's feedback; with none open:
    # the last round's feedback and the panellist's answers in it
    previous = (current - 1 or None) if current is not None else (study.rounds or None)
    items = []
    for it in study.items:
        mine = ratings.of(current, it.item).get(user_id) if current else None
        before = ratings.of(previous, it.item) if previous else {}
        items.append(
            DelphiFormItem(
                item=it.item,
                text=it.text,
                rating=mine,
                previous=before.get(user_id),
                feedback=_feedback(it.item, previous, before) if previous else None,
            )
        )
    return DelphiForm(study=study, round=current, previous_round=previous, items=items)


def _stability(before: dict[int, int], now: dict[int, int]) -> float | None:
    users = sorted(set(before) | set(now))
    a = np.array([before.get(u, np.nan) for u in users], dtype=float)
    b = np.array([now.get(u, np.nan) for u in users], dtype=float)
    try:
        return stability(a, b)
    except InputError:
        return None


def _concordance(round_ratings: dict[int, dict[int, int]], items: list[int]) -> ConcordanceOut:
    """Kendall's W over ``items`` among the panellists who rated all of them."""
    users = set.intersection(*(set(round_ratings.get(i, {})) for i in items)) if items else set()
    if len(items) < 2 or len(users) < 2:
        raise InputError(
            f"Kendall's W needs two items or more rated by two panellists or more; "
            f"{len(users)} panellists rated all {len(items)} items.",
            "Wait for more ratings.",
        )
    order = sorted(users)
    table = np.array([[round_ratings[i][u] for u in order] for i in items], dtype=float)
    try:
        corrected = kendall_w(table, correct_ties=True)
    except ZeroDivisionError:
        raise InputError(
            "Every panellist gave every item the same rating, so W is undefined.",
            "Wait for ratings that tell the items apart.",
        ) from None
    plain = kendall_w(table)
    return ConcordanceOut(
        w=corrected.w,
        w_uncorrected=plain.w,
        chi2=corrected.chi2,
        df=corrected.df,
        p_value=corrected.p_value,
        subjects=corrected.subjects,
        raters=corrected.raters,
    )


def _round_result(
    study: DelphiStudySummary, ratings: _Ratings, number: int, status: str
) -> DelphiRoundResult:
    results = []
    for it in study.items:
        fb = _feedback(it.item, number, ratings.of(number, it.item))
        if fb is None:
            continue
        stab = _stability(ratings.of(number - 1, it.item), ratings.of(number, it.item))
        results.append(
            DelphiItemResult(
                **fb.model_dump(),
                text=it.text,
                stability=stab,
                stable=None if stab is None else stab >= STABLE,
            )
        )
    round_ratings = ratings.by_round.get(number, {})
    try:
        concordance, problem = _concordance(round_ratings, [i.item for i in study.items]), None
    except InputError as exc:
        concordance, problem = None, exc.problem
    users = {u for by_user in round_ratings.values() for u in by_user}
    return DelphiRoundResult(
        round=number,
        status="open" if status == "open" else "closed",
        panellists=len(users),
        items=results,
        concordance=concordance,
        concordance_problem=problem,
    )


def delphi_results(engine: Engine, name: str) -> DelphiResults:
    """Every round's per-item feedback, consensus and stability, and Kendall's W."""
    with engine.connect() as conn:
        study = _summary(conn, name)
        sid = _study_id(conn, name)
        ratings = _ratings(conn, sid)
        rounds = conn.execute(
            select(ROUND.c.round, ROUND.c.status)
            .where(ROUND.c.study_id == sid)
            .order_by(ROUND.c.round)
        ).all()
    results = [_round_result(study, ratings, r.round, r.status) for r in rounds]
    latest: dict[int, bool] = {}
    for rr in results:
        for it in rr.items:
            latest[it.item] = it.consensus
    return DelphiResults(
        study=study,
        rounds=results,
        consensus_items=sorted(i for i, yes in latest.items() if yes),
    )


class DelphiChart(ReadModel):
    """The Vega-Lite spec of a study's results (``spec`` is empty without ratings)."""

    spec: dict[str, Any]


def results_chart(results: DelphiResults) -> DelphiChart:
    """The Vega-Lite spec of every item's median and IQR per round (empty without ratings)."""
    rows = [it.model_dump() for rr in results.rounds for it in rr.items]
    return DelphiChart(spec=delphi_chart(rows, results.study.title) if rows else {})


def delphi_ratings(engine: Engine, name: str) -> list[DelphiRatingOut]:
    """Every panellist's ratings, by round, item and user name (editors and admins)."""
    with engine.connect() as conn:
        sid = _study_id(conn, name)
        rows = conn.execute(
            select(RATING)
            .where(RATING.c.study_id == sid)
            .order_by(RATING.c.round, RATING.c.item, RATING.c.username)
        ).all()
    return [
        DelphiRatingOut(
            round=r.round, item=r.item, username=r.username, rating=r.rating, rated_at=r.rated_at
        )
        for r in rows
    ]
