"""The dialogue capability's round-based tables: Delphi studies and surveys.

A Delphi study has items (rating questions, 1–9) and numbered rounds, each open or
closed; a rating is one account's answer to one item in one round. A survey has
questions (single or multiple choice, Likert, ranking, open text) and one answer per
account and question. The last answer counts: a new answer replaces the stored one.

Like :mod:`bioconnect.store.dialogue_tables` they live on the schema's ``Base`` (one
metadata, one chain of migrations); the store package imports this module.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bioconnect.store.schema import Base, utcnow


class DelphiStudy(Base):
    """A Delphi study (a panel rating items over rounds)."""

    __tablename__ = "delphi_study"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class DelphiItem(Base):
    """One rating question of a study (``item`` numbers them from 1)."""

    __tablename__ = "delphi_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_study.id"), index=True)
    item: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("study_id", "item"),)


class DelphiRound(Base):
    """A round of a study (``round`` numbers them from 1); ``status`` open or closed."""

    __tablename__ = "delphi_round"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_study.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    closed_at: Mapped[str | None] = mapped_column(String(40))
    __table_args__ = (UniqueConstraint("study_id", "round"),)


class DelphiRating(Base):
    """An account's rating (1–9) of one item in one round; the last one given counts."""

    __tablename__ = "delphi_rating"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_study.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    item: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(80))
    rating: Mapped[int] = mapped_column(Integer)
    rated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    __table_args__ = (UniqueConstraint("study_id", "round", "item", "user_id"),)


class Survey(Base):
    """A survey; ``status`` draft, open or closed."""

    __tablename__ = "survey"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class SurveyQuestion(Base):
    """A question: ``kind`` single, multiple, likert, ranking or text; options as JSON."""

    __tablename__ = "survey_question"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    question: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(Text, default="[]")
    levels: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("survey_id", "question"),)


class SurveyAnswer(Base):
    """An account's answer to one question, as JSON; the last one given counts."""

    __tablename__ = "survey_answer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    question: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(80))
    answer: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    __table_args__ = (UniqueConstraint("survey_id", "question", "user_id"),)
