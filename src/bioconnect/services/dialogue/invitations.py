"""Invitation links: a participant votes without an account, through a token of their own.

Editors create a link per participant, optionally bound to an atlas organisation (which
gives the stakeholder group and country) or with a stakeholder group and country of its
own. The token is shown once; the store keeps only its SHA-256. A link is *used up* when
it is revoked or has expired; then it opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, bindparam, func, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.preset import load_preset
from bioconnect.services.accounts import audit
from bioconnect.services.dialogue.consultations import (
    CONSULTATION,
    consultation_id,
    lock_consultation,
)
from bioconnect.services.dialogue.models import Invitation, InvitationCreated, Voter
from bioconnect.store import dialogue_tables, schema
from bioconnect.store.database import transaction

INVITATION = schema.table(dialogue_tables.DialogueInvitation)
ORGANISATION = schema.table(schema.Organisation)
#: Participants invited by link are numbered from here (accounts from 1,000,000).
INVITED_PARTICIPANTS = 2_000_000
#: How long a link works unless the editor says otherwise.
DEFAULT_DAYS = 60
MAX_DAYS = 365
_TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored.

    Examples
    --------
    >>> len(token_hash("abc")), token_hash("abc")[:8]
    (64, 'ba7816bf')
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _profile(
    conn: Connection,
    preset: str,
    org_id: str | None,
    group: str | None,
    country: str | None,
) -> tuple[str | None, str | None]:
    groups = {g.key for g in load_preset(preset).stakeholder_groups}
    if group is not None and group not in groups:
        raise InputError(
            f"{group!r} is not a stakeholder group of the preset.",
            f"Use one of: {', '.join(sorted(groups))}.",
        )
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise InputError(
            f"{country!r} is not a two-letter country code.", "Use codes such as EE or FI."
        )
    if org_id is not None:
        org = conn.execute(
            select(ORGANISATION.c.stakeholder_group, ORGANISATION.c.country).where(
                ORGANISATION.c.id == org_id
            )
        ).first()
        if org is None:
            raise InputError(
                f"There is no organisation {org_id!r} in the atlas.",
                "Use an organisation id from the atlas (its page address), or leave it empty.",
            )
        group = group or org.stakeholder_group
        country = country or org.country
    return group, country.upper() if country else None


def create_invitation(
    engine: Engine,
    name: str,
    *,
    actor: str,
    label: str = "",
    org_id: str | None = None,
    stakeholder_group: str | None = None,
    country: str | None = None,
    days: int = DEFAULT_DAYS,
    preset: str = "baltic",
) -> InvitationCreated:
    """Make an invitation link for consultation ``name``; the token is returned only here."""
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"An invitation cannot last {days} days.", f"Use 1 to {MAX_DAYS} days.")
    label = " ".join(label.split())
    if len(label) > 200:
        raise InputError("The label is longer than 200 characters.", "Shorten it.")
    token = secrets.token_urlsafe(24)
    expires = (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")
    with transaction(engine) as conn:
        cid, _status = lock_consultation(conn, name)
        group, country = _profile(conn, preset, org_id, stakeholder_group, country)
        last = conn.execute(
            select(func.max(INVITATION.c.participant)).where(INVITATION.c.consultation_id == cid)
        ).scalar()
        participant = int(last) + 1 if last is not None else INVITED_PARTICIPANTS + 1
        inserted = conn.execute(
            INVITATION.insert().values(
                consultation_id=cid,
                token_hash=token_hash(token),
                participant=participant,
                label=label,
                stakeholder_group=group,
                country=country,
                org_id=org_id,
                created_at=schema.utcnow(),
                created_by=actor,
                expires_at=expires,
                revoked_at=None,
            )
        ).inserted_primary_key
        assert inserted is not None
        audit(conn, actor, "invite", "consultation", name, f'{{"participant": {participant}}}')
    made = _invitations(engine, name, only=int(inserted[0]))[0]
    return InvitationCreated(invitation=made, token=token, path=f"/dialogue/join/{token}")


def _state(revoked_at: str | None, expires_at: str | None, now: str) -> str:
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return "active"


def _invitations(engine: Engine, name: str, only: int | None = None) -> list[Invitation]:
    now = schema.utcnow()
    with engine.connect() as conn:
        cid = consultation_id(conn, name)
        query = select(INVITATION).where(INVITATION.c.consultation_id == cid)
        if only is not None:
            query = query.where(INVITATION.c.id == only)
        rows = conn.execute(query.order_by(INVITATION.c.id)).all()
    return [
        Invitation(
            id=r.id,
            consultation=name,
            participant=r.participant,
            label=r.label,
            stakeholder_group=r.stakeholder_group,
            country=r.country,
            org_id=r.org_id,
            created_at=r.created_at,
            created_by=r.created_by,
            expires_at=r.expires_at,
            state=_state(r.revoked_at, r.expires_at, now),
        )
        for r in rows
    ]


def list_invitations(engine: Engine, name: str) -> list[Invitation]:
    """Consultation ``name``'s invitations (never their tokens), oldest first."""
    return _invitations(engine, name)


def revoke_invitation(engine: Engine, name: str, invitation: int, *, actor: str) -> Invitation:
    """Revoke an invitation: its link opens nothing from now on (its votes stay)."""
    with transaction(engine) as conn:
        cid, _status = lock_consultation(conn, name)
        row = conn.execute(
            select(INVITATION.c.revoked_at).where(
                INVITATION.c.consultation_id == cid, INVITATION.c.id == invitation
            )
        ).first()
        if row is None:
            raise NotFoundError(
                f"Consultation {name!r} has no invitation {invitation}.",
                "Pick one from the consultation's invitation list.",
            )
        if row.revoked_at is None:
            conn.execute(
                INVITATION.update()
                .where(INVITATION.c.id == invitation)
                .values(revoked_at=schema.utcnow())
            )
            audit(
                conn,
                actor,
                "revoke",
                "invitation",
                str(invitation),
                f'{{"consultation": "{name}"}}',
            )
    return _invitations(engine, name, only=invitation)[0]


# Built once: every request of an invited participant looks its token up.
_BY_TOKEN = (
    select(INVITATION, CONSULTATION.c.name)
    .join(CONSULTATION, CONSULTATION.c.id == INVITATION.c.consultation_id)
    .where(INVITATION.c.token_hash == bindparam("hash"))
)


def invited_voter(engine: Engine, token: str | None) -> Voter:
    """The participant an invitation token stands for, or one InputError.

    A token that matches no invitation, and one that is used up (revoked or expired),
    each get their own message.
    """
    if not token or len(token) > 100 or not set(token) <= _TOKEN_CHARS:
        raise InputError(
            "This invitation link is not valid.",
            "Copy the whole link from your invitation, or ask the coordinator for a new one.",
        )
    with engine.connect() as conn:
        row = conn.execute(_BY_TOKEN, {"hash": token_hash(token)}).first()
    if row is None:
        raise InputError(
            "This invitation link is not valid.",
            "Copy the whole link from your invitation, or ask the coordinator for a new one.",
        )
    state = _state(row.revoked_at, row.expires_at, schema.utcnow())
    if state != "active":
        raise InputError(
            f"This invitation link is used up: it was {state}.",
            "Ask the consultation's coordinator for a new link.",
        )
    return Voter(
        consultation=row.name,
        participant=row.participant,
        label=row.label or f"participant {row.participant}",
        via="invitation",
        actor=f"invitation:{row.id}",
        xid=f"invitation:{row.id}",
        profile={
            "stakeholder_group": row.stakeholder_group,
            "country": row.country,
            "org_id": row.org_id,
        },
    )
