"""The outcomes capability's tables for users' startup lists: the lists and their rows.

They live beside :mod:`bioconnect.store.schema` (on the same ``Base``) to keep that
module under the size limit; the store package imports this module. Which atlas
organisation a row is linked to is kept as a record key (``link_key``), not an
organisation id, so the link survives a re-ingest that re-clusters the registry; rows
the matcher was unsure of wait in ``match_candidate`` under their ``key``.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bioconnect.store.schema import Base, utcnow


class StartupList(Base):
    """A user's startup list as imported: its name, file and the end of its data."""

    __tablename__ = "startup_list"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    mapping_yaml: Mapped[str] = mapped_column(Text)
    rows_read: Mapped[int] = mapped_column(Integer)
    end_of_data: Mapped[str] = mapped_column(String(10))
    imported_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(120))


class Startup(Base):
    """One row of a startup list: a cohort member (entry at founding, exit at closing,
    ``exit_kind`` closed, acquired or moved_abroad) and its link to the atlas
    (``link_method`` vat or registration_code; matcher links are in ``match_candidate``)."""

    __tablename__ = "startup"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("startup_list.id"), index=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    source_row: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    registration_code: Mapped[str | None] = mapped_column(String(40))
    vat: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(4))
    city: Mapped[str | None] = mapped_column(Text)
    founded: Mapped[str] = mapped_column(String(10))
    closed: Mapped[str | None] = mapped_column(String(10))
    exit_kind: Mapped[str | None] = mapped_column(String(20))
    sector: Mapped[str | None] = mapped_column(Text)
    founders_gender: Mapped[str | None] = mapped_column(String(40))
    countries: Mapped[str | None] = mapped_column(Text)
    funding: Mapped[float | None] = mapped_column(Float)
    link_key: Mapped[str | None] = mapped_column(String(80))
    link_method: Mapped[str | None] = mapped_column(String(20))
    repairs: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("list_id", "key"),)
