"""The dialogue capability's tables: consultations, statements, participants, the vote log.

They live beside :mod:`bioconnect.store.schema` (on the same ``Base``, so one metadata and
one chain of migrations) to keep that module under the size limit; the store package
imports this module, so the tables are registered whenever the store is used.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bioconnect.store.schema import Base, utcnow


class DialogueConsultation(Base):
    """A consultation; ``status`` draft, open or closed; ``source`` e.g. ``polis:<folder>``."""

    __tablename__ = "dialogue_consultation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class DialogueStatement(Base):
    """A statement; ``moderation`` 1 shown, 0 waiting, -1 moderated out."""

    __tablename__ = "dialogue_statement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("dialogue_consultation.id"), index=True)
    statement: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[int | None] = mapped_column(Integer)
    moderation: Mapped[int] = mapped_column(Integer)
    created_ms: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (UniqueConstraint("consultation_id", "statement"),)


class DialogueParticipant(Base):
    """A participant, with stakeholder group, country and atlas organisation when known."""

    __tablename__ = "dialogue_participant"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("dialogue_consultation.id"), index=True)
    participant: Mapped[int] = mapped_column(Integer)
    xid: Mapped[str | None] = mapped_column(String(200))
    stakeholder_group: Mapped[str | None] = mapped_column(String(60))
    country: Mapped[str | None] = mapped_column(String(2))
    org_id: Mapped[str | None] = mapped_column(String(120))
    __table_args__ = (UniqueConstraint("consultation_id", "participant"),)


class DialogueVote(Base):
    """A vote event (1 agree, -1 disagree, 0 pass); the last per participant and statement counts."""

    __tablename__ = "dialogue_vote"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("dialogue_consultation.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    participant: Mapped[int] = mapped_column(Integer)
    statement: Mapped[int] = mapped_column(Integer)
    vote: Mapped[int] = mapped_column(Integer)
    voted_ms: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (UniqueConstraint("consultation_id", "seq"),)


class DialogueInvitation(Base):
    """An invitation link to vote without an account; only the token's SHA-256 is stored.

    The invitee votes as participant ``participant``, with the stakeholder group, country
    and atlas organisation given here. The link is used up when ``revoked_at`` is set or
    ``expires_at`` has passed.
    """

    __tablename__ = "dialogue_invitation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("dialogue_consultation.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    participant: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200), default="")
    stakeholder_group: Mapped[str | None] = mapped_column(String(60))
    country: Mapped[str | None] = mapped_column(String(2))
    org_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[str | None] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40))
    __table_args__ = (UniqueConstraint("consultation_id", "participant"),)
