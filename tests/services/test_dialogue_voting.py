"""Participants and coordinators on both engines: invitation links, votes, own votes,
statements and their moderation, participation; and the bad inputs, each refused with one
clear error and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.dialogue import (
    account_voter,
    add_statement,
    cast_vote,
    consultation_summary,
    create_consultation,
    create_invitation,
    delete_my_vote,
    import_polis,
    invited_voter,
    list_invitations,
    moderate,
    moderation_queue,
    my_votes,
    participation,
    revoke_invitation,
    set_status,
    submit_statement,
    voting_view,
)
from bioconnect.services.dialogue.invitations import INVITATION
from bioconnect.store import schema
from storekit import table_snapshot


@pytest.fixture
def consultation(engine: Engine) -> str:
    create_consultation(engine, "goals-2027", "Goals for 2027", actor="editor")
    for text in ("Shared labs help start-ups.", "Cross-border calls matter.", "Fund pilots."):
        add_statement(engine, "goals-2027", text, actor="editor", author=None, shown=True)
    set_status(engine, "goals-2027", "open", actor="editor")
    return "goals-2027"


def _refused(engine: Engine, call, match: str) -> None:  # type: ignore[no-untyped-def]
    before = table_snapshot(engine)
    with pytest.raises((InputError, NotFoundError), match=match):
        call()
    assert table_snapshot(engine) == before


def test_an_invited_participant_votes_sees_and_deletes_own_votes(
    engine: Engine, consultation: str
) -> None:
    made = create_invitation(
        engine,
        consultation,
        actor="editor",
        label="A researcher",
        stakeholder_group="academia",
        country="ee",
    )
    assert made.path == f"/dialogue/join/{made.token}" and made.invitation.state == "active"
    with engine.connect() as conn:
        stored = conn.execute(select(INVITATION.c.token_hash)).scalars().all()
    assert made.token not in stored and len(stored[0]) == 64  # only the hash is kept
    voter = invited_voter(engine, made.token)
    assert (voter.consultation, voter.participant) == (consultation, 2_000_001)
    view = voting_view(engine, consultation, voter)
    assert view.next is not None and (view.voted, view.shown) == (0, 3)
    cast_vote(engine, consultation, voter, view.next.statement, 1)
    cast_vote(engine, consultation, voter, 1, -1)
    cast_vote(engine, consultation, voter, 1, 0)  # the last vote counts
    assert [(v.statement, v.vote) for v in my_votes(engine, consultation, voter)] == [
        (0, 1),
        (1, 0),
    ]
    view = voting_view(engine, consultation, voter)
    assert view.next is not None and view.next.statement == 2 and view.voted == 2
    delete_my_vote(engine, consultation, voter, 1)
    assert [v.statement for v in my_votes(engine, consultation, voter)] == [0]
    seen = participation(engine, consultation)
    assert seen.totals_by_stakeholder_group == {"academia": 1}
    assert seen.totals_by_country == {"EE": 1}
    assert sum(r.votes for r in seen.by_country) == 1


def test_statements_wait_for_moderation(engine: Engine, consultation: str) -> None:
    voter = account_voter(5, "stakeholder")
    sid = submit_statement(engine, consultation, voter, "  Train  technicians together. ")
    assert [p.text for p in moderation_queue(engine, consultation)] == [
        "Train technicians together."
    ]
    assert voting_view(engine, consultation, voter).pending_own == 1
    _refused(
        engine,
        lambda: cast_vote(engine, consultation, voter, sid, 1),
        "awaits moderation or was refused",
    )
    moderate(engine, consultation, sid, "approve", actor="editor")
    assert moderation_queue(engine, consultation) == []
    cast_vote(engine, consultation, voter, sid, 1)
    other = submit_statement(engine, consultation, voter, "Something off-topic.")
    moderate(engine, consultation, other, "reject", actor="editor")
    assert voting_view(engine, consultation, voter).shown == 4


def test_bad_votes_change_nothing(engine: Engine, consultation: str) -> None:
    voter = account_voter(5, "stakeholder")
    _refused(engine, lambda: cast_vote(engine, consultation, voter, 0, 2), "is not -1, 0 or 1")
    _refused(engine, lambda: cast_vote(engine, consultation, voter, 99, 1), "does not exist")
    _refused(engine, lambda: cast_vote(engine, "nothing", voter, 0, 1), "No consultation")
    _refused(engine, lambda: delete_my_vote(engine, consultation, voter, 0), "no vote")
    cast_vote(engine, consultation, voter, 0, 1)
    set_status(engine, consultation, "closed", actor="editor")
    _refused(engine, lambda: cast_vote(engine, consultation, voter, 1, 1), "closed; it takes no")
    _refused(engine, lambda: delete_my_vote(engine, consultation, voter, 0), "can no longer")
    _refused(
        engine,
        lambda: submit_statement(engine, consultation, voter, "Late."),
        "closed; it takes no statements",
    )


def test_a_second_vote_on_a_closed_imported_consultation_is_refused(
    engine: Engine, data_dir: Path
) -> None:
    import_polis(engine, data_dir / "polis" / "brexit-consensus", name="brexit", actor="t")
    voter = account_voter(1, "someone")
    _refused(engine, lambda: cast_vote(engine, "brexit", voter, 3, 1), "closed")
    assert consultation_summary(engine, "brexit").vote_events == 5312


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("x" * 10_000, "10,000 characters"),
        ("Fund <b>pilots</b>", "markup"),
        ("<script>alert(1)</script>", "markup"),
        ("   ", "empty"),
    ],
)
def test_bad_statements_change_nothing(
    engine: Engine, consultation: str, text: str, match: str
) -> None:
    voter = account_voter(5, "stakeholder")
    _refused(engine, lambda: submit_statement(engine, consultation, voter, text), match)
    _refused(
        engine,
        lambda: add_statement(engine, consultation, text, actor="e", author=None, shown=True),
        match,
    )


def test_wrong_and_used_up_invitations_open_nothing(engine: Engine, consultation: str) -> None:
    made = create_invitation(engine, consultation, actor="editor")
    for token in ("", "not-a-token", made.token[:-1] + "A", "<script>", "x" * 500):
        _refused(engine, lambda t=token: invited_voter(engine, t), "not valid")
    revoke_invitation(engine, consultation, made.invitation.id, actor="editor")
    assert list_invitations(engine, consultation)[0].state == "revoked"
    _refused(engine, lambda: invited_voter(engine, made.token), "used up: it was revoked")
    late = create_invitation(engine, consultation, actor="editor", days=1)
    with engine.begin() as conn:
        conn.execute(
            INVITATION.update()
            .where(INVITATION.c.id == late.invitation.id)
            .values(expires_at="2000-01-01T00:00:00+00:00")
        )
    _refused(engine, lambda: invited_voter(engine, late.token), "used up: it was expired")
    _refused(
        engine,
        lambda: revoke_invitation(engine, consultation, 999, actor="editor"),
        "no invitation 999",
    )
    voter = invited_voter(engine, create_invitation(engine, consultation, actor="e").token)
    _refused(engine, lambda: cast_vote(engine, "other", voter, 0, 1), "Your invitation is for")


def test_invitations_take_the_organisation_s_group_and_country(baltic_store: Engine) -> None:
    engine = baltic_store
    name = f"inv-{id(engine) % 100000}"
    create_consultation(engine, name, "Invitations", actor="editor")
    with engine.connect() as conn:
        org = conn.execute(
            select(
                schema.Organisation.id,
                schema.Organisation.stakeholder_group,
                schema.Organisation.country,
            )
            .where(schema.Organisation.stakeholder_group.is_not(None))
            .limit(1)
        ).one()
    made = create_invitation(engine, name, actor="editor", org_id=org.id)
    assert (made.invitation.stakeholder_group, made.invitation.country) == (
        org.stakeholder_group,
        org.country,
    )
    _refused(
        engine,
        lambda: create_invitation(engine, name, actor="e", org_id="no-such-org"),
        "no organisation",
    )
    _refused(
        engine,
        lambda: create_invitation(engine, name, actor="e", stakeholder_group="pirates"),
        "not a stakeholder group",
    )
    _refused(engine, lambda: create_invitation(engine, name, actor="e", days=0), "0 days")


def test_concurrent_voters_each_get_their_own_place_in_the_vote_log(
    engine: Engine, consultation: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from bioconnect.services.dialogue.consultations import VOTE

    voters = [account_voter(n, f"voter-{n}") for n in range(8)]

    def vote_all(voter):  # type: ignore[no-untyped-def]
        for round_ in range(6):
            cast_vote(engine, consultation, voter, round_ % 3, (round_ % 3) - 1)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(vote_all, voters))
    with engine.connect() as conn:
        seqs = sorted(conn.execute(select(VOTE.c.seq)).scalars())
    assert seqs == list(range(48))
    assert consultation_summary(engine, consultation).votes == 8 * 3
