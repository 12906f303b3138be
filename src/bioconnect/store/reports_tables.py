"""The reports capability's table: report editions.

An edition keeps the report's HTML (the PDF and the Word copy are made from it, byte for
byte the same each time), when it was made, from which data version, with which
parameters and source files (their SHA-256), and its key figures for comparing editions.
"""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bioconnect.store.schema import Base


class ReportEdition(Base):
    """One edition of a report (status, plan or evaluation) for a preset."""

    __tablename__ = "report_edition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    preset: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(120))
    data_version: Mapped[int] = mapped_column(Integer)
    parameters_json: Mapped[str] = mapped_column(Text)
    files_json: Mapped[str] = mapped_column(Text)
    key_figures_json: Mapped[str] = mapped_column(Text)
    html: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
