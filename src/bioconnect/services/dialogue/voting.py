"""What a participant does: see the next statement, vote, submit a statement, see and
delete their own votes. Who the participant is comes from an invitation link
(:func:`~bioconnect.services.dialogue.invitations.invited_voter`) or a signed-in
stakeholder's account (:func:`account_voter`).
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.accounts import audit
from bioconnect.services.dialogue.consultations import (
    ACCOUNT_PARTICIPANTS,
    CONSULTATION,
    STATEMENT,
    VOTE,
    check_vote,
    consultation_id,
    lock_consultation,
    now_ms,
    record_vote,
)
from bioconnect.services.dialogue.models import MyVote, ShownStatement, Voter, VotingView
from bioconnect.services.dialogue.polis_files import check_statement_text
from bioconnect.store.database import transaction

#: Moderation states of a statement.
SHOWN, WAITING, REFUSED = 1, 0, -1


def account_voter(user_id: int, username: str) -> Voter:
    """The participant a signed-in stakeholder votes as (in any consultation).

    Examples
    --------
    >>> account_voter(7, "ada").participant
    1000007
    """
    return Voter(
        consultation=None,
        participant=ACCOUNT_PARTICIPANTS + user_id,
        label=username,
        via="account",
        actor=username,
        xid=f"account:{username}",
    )


def _check_voter(voter: Voter, name: str) -> None:
    if voter.consultation is not None and voter.consultation != name:
        raise InputError(
            f"Your invitation is for the consultation {voter.consultation!r}, not {name!r}.",
            f"Vote at /dialogue/{voter.consultation}/vote.",
        )


def _last_votes(engine: Engine, cid: int, participant: int) -> dict[int, tuple[int, int | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(VOTE.c.statement, VOTE.c.vote, VOTE.c.voted_ms)
            .where(VOTE.c.consultation_id == cid, VOTE.c.participant == participant)
            .order_by(VOTE.c.seq)
        )
        return {int(r.statement): (int(r.vote), r.voted_ms) for r in rows}


def voting_view(engine: Engine, name: str, voter: Voter) -> VotingView:
    """The next statement ``voter`` has not voted on (lowest id first) and the progress."""
    _check_voter(voter, name)
    with engine.connect() as conn:
        cid = consultation_id(conn, name)
        head = conn.execute(select(CONSULTATION).where(CONSULTATION.c.id == cid)).one()
        statements = conn.execute(
            select(
                STATEMENT.c.statement, STATEMENT.c.text, STATEMENT.c.moderation, STATEMENT.c.author
            )
            .where(STATEMENT.c.consultation_id == cid)
            .order_by(STATEMENT.c.statement)
        ).all()
    voted = _last_votes(engine, cid, voter.participant)
    shown = [s for s in statements if s.moderation == SHOWN]
    remaining = [s for s in shown if s.statement not in voted]
    return VotingView(
        consultation=name,
        title=head.title,
        description=head.description,
        status=head.status,
        participant=voter.participant,
        next=(
            ShownStatement(statement=remaining[0].statement, text=remaining[0].text)
            if remaining and head.status == "open"
            else None
        ),
        voted=sum(1 for s in shown if s.statement in voted),
        shown=len(shown),
        pending_own=sum(
            1 for s in statements if s.moderation == WAITING and s.author == voter.participant
        ),
    )


def cast_vote(engine: Engine, name: str, voter: Voter, statement: int, vote: int) -> None:
    """Record ``voter``'s vote (1 agree, -1 disagree, 0 pass) on a shown statement."""
    _check_voter(voter, name)
    record_vote(
        engine,
        name,
        participant=voter.participant,
        statement=statement,
        vote=check_vote(vote),
        actor=voter.actor,
        xid=voter.xid,
        profile=voter.profile or None,
    )


def my_votes(engine: Engine, name: str, voter: Voter) -> list[MyVote]:
    """``voter``'s votes in consultation ``name``, by statement (the last vote of each)."""
    _check_voter(voter, name)
    with engine.connect() as conn:
        cid = consultation_id(conn, name)
        texts = dict(
            conn.execute(
                select(STATEMENT.c.statement, STATEMENT.c.text).where(
                    STATEMENT.c.consultation_id == cid
                )
            ).all()
        )
    votes = _last_votes(engine, cid, voter.participant)
    return [
        MyVote(statement=s, text=texts.get(s, ""), vote=v, voted_ms=ms)
        for s, (v, ms) in sorted(votes.items())
    ]


def delete_my_vote(engine: Engine, name: str, voter: Voter, statement: int) -> None:
    """Delete ``voter``'s vote on ``statement`` (every event of it) while the consultation is open."""
    _check_voter(voter, name)
    with transaction(engine) as conn:
        cid, status = lock_consultation(conn, name)
        if status != "open":
            raise InputError(
                f"The consultation {name!r} is {status}; its votes can no longer change.",
                "Votes can be deleted while a consultation is open.",
            )
        gone = conn.execute(
            delete(VOTE).where(
                VOTE.c.consultation_id == cid,
                VOTE.c.participant == voter.participant,
                VOTE.c.statement == statement,
            )
        ).rowcount
        if not gone:
            raise NotFoundError(
                f"You have no vote on statement {statement} of {name!r}.",
                "Pick a vote from your list of votes.",
            )
        audit(conn, voter.actor, "unvote", "consultation", name, f'{{"statement": {statement}}}')


def add_statement(
    engine: Engine, name: str, text: str, *, actor: str, author: int | None, shown: bool
) -> int:
    """Add a statement to a draft or open consultation; returns its id.

    Participants' statements wait for moderation (``shown`` false); an editor's are shown
    at once. The text must be plain text of at most 1,000 characters.
    """
    text = check_statement_text(" ".join(text.split()), "The statement")
    with transaction(engine) as conn:
        cid, status = lock_consultation(conn, name)
        if status == "closed":
            raise InputError(
                f"The consultation {name!r} is closed; it takes no statements.",
                "Statements can be added while a consultation is a draft or open.",
            )
        last = conn.execute(
            select(func.max(STATEMENT.c.statement)).where(STATEMENT.c.consultation_id == cid)
        ).scalar()
        sid = int(last) + 1 if last is not None else 0
        conn.execute(
            STATEMENT.insert().values(
                consultation_id=cid,
                statement=sid,
                text=text,
                author=author,
                moderation=SHOWN if shown else WAITING,
                created_ms=now_ms(),
            )
        )
        audit(
            conn,
            actor,
            "statement",
            "consultation",
            name,
            f'{{"statement": {sid}, "shown": {str(shown).lower()}}}',
        )
    return sid


def submit_statement(engine: Engine, name: str, voter: Voter, text: str) -> int:
    """A participant's statement: stored, waiting for an editor's moderation."""
    _check_voter(voter, name)
    with engine.connect() as conn:
        status = conn.execute(
            select(CONSULTATION.c.status).where(CONSULTATION.c.name == name)
        ).scalar()
    if status is not None and status != "open":
        raise InputError(
            f"The consultation {name!r} is {status}; it takes no statements.",
            "Statements can be submitted while a consultation is open.",
        )
    return add_statement(
        engine, name, text, actor=voter.actor, author=voter.participant, shown=False
    )
