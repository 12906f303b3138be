"""The reports on the real data: figures equal the store, every figure has its source, the
sources appendix is complete, the same data gives the same bytes, and bad input writes
nothing. The HTML of each report is a reviewed snapshot (``UPDATE_SNAPSHOTS=1``)."""

from __future__ import annotations

import io
import os
import re
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlalchemy import text as sql

from bioconnect.errors import InputError, NotFoundError
from bioconnect.reports.render import render_html
from bioconnect.services import reports
from bioconnect.services.benchmark_overview import benchmark_overview
from bioconnect.services.dialogue.consultations import import_polis
from bioconnect.services.plan import import_plan
from bioconnect.store import schema
from bioconnect.store.database import open_store
from storekit import DATA

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "baltic-action-plan.example.yaml"
SNAPSHOTS = Path(__file__).with_name("snapshots")
STATED = "2026-12-06T12:00:00Z"


def _copy(baltic_sqlite: Engine, target: Path) -> Engine:
    """A copy of the session's ingested Baltic SQLite store, to write to."""
    source = baltic_sqlite.raw_connection()
    try:
        with sqlite3.connect(target) as copy:
            source.driver_connection.backup(copy)  # type: ignore[union-attr]
    finally:
        source.close()
    return open_store(f"sqlite:///{target}")


@pytest.fixture(scope="module")
def full_store(
    baltic_eis: Engine, tmp_path_factory: pytest.TempPathFactory, data_dir: Path
) -> Iterator[Engine]:
    """The Baltic ingest with the EIS 2025, the example plan and a Pol.is conversation."""
    engine = _copy(baltic_eis, tmp_path_factory.mktemp("reports") / "full.sqlite")
    # other tests may have added consultations, plans or KPI observations to the session's
    # store before this copy; the reports show what is stored, so start from none
    with engine.begin() as conn:
        for name in ("vote", "invitation", "participant", "statement", "consultation"):
            conn.execute(sql(f"DELETE FROM dialogue_{name}"))
        for table in (
            "kpi_observation",
            "plan_snapshot",
            "plan_action_item",
            "plan_kpi",
            "plan_initiative",
            "plan_goal",
            "plan",
        ):
            conn.execute(sql(f"DELETE FROM {table}"))
    import_plan(engine, EXAMPLE, actor="tester")
    import_polis(engine, data_dir / "polis" / "brexit-consensus", name="brexit", actor="tester")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def status_pdf(full_store: Engine) -> reports.RenderedReport:
    return reports.make_report(full_store, "status", "pdf", actor="tester", created=STATED)


@pytest.fixture(scope="module")
def status_html(full_store: Engine, status_pdf: reports.RenderedReport) -> str:
    return reports.edition_html(full_store, status_pdf.edition)[1]


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_figures_equal_the_store(
    full_store: Engine, status_pdf: reports.RenderedReport, data_dir: Path
) -> None:
    text = pdf_text(status_pdf.content)
    assert status_pdf.content.startswith(b"%PDF-")
    # EE's H2020 participations: h2020.csv.gz alone (pandas), then with the dashboard export
    h2020 = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    ee = len(h2020[h2020["country"] == "EE"].drop_duplicates())
    assert ee == 728
    assert re.search(r"cordis/h2020/h2020\.csv\.gz\s+728\s+439\s+505\s+2,941", text), text[:3000]
    assert re.search(r"EE\s+region\s+\d+\s+754\s", text)
    # each country's EIS group, as the benchmark service has it
    overview = benchmark_overview(full_store, "baltic")
    for odds in overview.odds:
        assert re.search(rf"{odds.country}, EIS {odds.year}\s+{odds.group} \(probability", text)
    assert {o.country: o.group for o in overview.odds} == {
        "EE": "Strong",
        "LV": "Emerging",
        "LT": "Moderate",
        "FI": "Leader",
    }
    assert "Page 1 of" in text


class _Structure(HTMLParser):
    """Figures and tables, whether each has a source footnote, and what loads from outside."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.items: list[dict[str, bool]] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in ("figure",) or (tag == "div" and cls == "table"):
            self.items.append({"source": False})
            self.stack.append((tag, "item"))
        elif tag not in ("br", "meta", "img", "rect", "path", "line", "circle"):
            self.stack.append((tag, ""))
        if tag == "p" and cls == "source" and self.items:
            self.items[-1]["source"] = True
        for key in ("src", "href"):
            value = a.get(key) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(f"{tag} {key}={value}")
        if tag in ("script", "link", "iframe"):
            self.external.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack[-1][0] != tag:
            self.stack.pop()
        if self.stack:
            self.stack.pop()


def test_every_figure_has_its_source_and_nothing_loads_from_outside(status_html: str) -> None:
    found = _Structure()
    found.feed(status_html)
    assert len(found.items) >= 20
    assert all(item["source"] for item in found.items)
    assert found.external == []
    assert status_html.count("<figure") == len(re.findall(r"Figure \d+\. ", status_html))


def test_sources_appendix_lists_every_file(full_store: Engine, status_html: str) -> None:
    appendix = status_html[status_html.index('<section id="sources">') :]
    with full_store.connect() as conn:
        paths = conn.execute(select(schema.SourceFile.path)).scalars().all()
        eis = conn.execute(select(schema.BenchmarkEdition.path)).scalars().all()
    assert paths and eis
    for path in [*paths, *eis]:
        assert path in appendix
    for credit in (
        "Source: CORDIS, European Commission.",
        "European Innovation Scoreboard",
        "EuroGeographics",
        "The Computational Democracy Project",
    ):
        assert credit in appendix


def test_same_data_same_bytes(
    full_store: Engine, status_pdf: reports.RenderedReport, status_html: str
) -> None:
    # a new edition of unchanged data, with the same stated time, is the same document ...
    again = reports.make_report(full_store, "status", "html", actor="tester", created=STATED)
    assert again.edition != status_pdf.edition
    assert again.content.decode("utf-8") == status_html
    # ... and a stored edition gives the same PDF bytes again
    kept = reports.edition_file(full_store, again.edition, "pdf")
    assert kept.content == status_pdf.content
    # rendered once: the next download is the kept file, until the data changes
    assert reports.edition_file(full_store, again.edition, "pdf") is kept
    # another stated time changes the dates and nothing else
    later = reports.build_document(full_store, "status", created="2027-01-01T00:00:00Z")
    assert (
        render_html(later)
        .replace("2027-01-01T00:00:00Z", STATED)
        .replace("2027-01-01", STATED[:10])
        == status_html
    )


def _normalised(html: str) -> str:
    """The HTML without what a snapshot cannot hold: charts, hashes, run times, versions."""
    html = html.replace(str(DATA), "DATA")
    html = re.sub(r"<svg.*?</svg>", "<svg/>", html, flags=re.S)
    html = re.sub(r"sha256 [0-9a-f]{12}", "sha256 …", html)
    html = re.sub(r"Ingest run \d+ of [0-9T:-]+", "Ingest run …", html)
    html = re.sub(r"data version \d+", "data version …", html)
    return re.sub(r"bioconnect \d+\.\d+\.\d+", "bioconnect …", html)


@pytest.mark.parametrize("kind", ["status", "plan", "evaluation"])
def test_html_snapshot(full_store: Engine, kind: str) -> None:
    html = _normalised(render_html(reports.build_document(full_store, kind, created=STATED)))
    path = SNAPSHOTS / f"report-{kind}.html"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(html, encoding="utf-8")
    assert path.is_file(), f"no snapshot; make it with UPDATE_SNAPSHOTS=1 uv run pytest {__file__}"
    assert html == path.read_text(encoding="utf-8"), (
        f"The {kind} report's HTML changed. Review the difference and refresh the snapshot "
        f"with `UPDATE_SNAPSHOTS=1 uv run pytest tests/services/test_reports.py -k snapshot`."
    )


def _editions(engine: Engine) -> int:
    return len(reports.list_editions(engine))


def test_bad_input_writes_nothing(baltic_sqlite: Engine, tmp_path: Path) -> None:
    engine = _copy(baltic_sqlite, tmp_path / "bare.sqlite")
    with pytest.raises(InputError, match="Unknown report 'annual'") as unknown:
        reports.make_report(engine, "annual")
    assert "status, plan, evaluation" in unknown.value.fix
    with pytest.raises(InputError, match="needs benchmark data") as bench:
        reports.make_report(engine, "status", "pdf")
    assert "bioconnect benchmark import" in bench.value.fix
    with pytest.raises(NotFoundError, match="No action plan") as plan:
        reports.make_report(engine, "plan")
    assert "bioconnect plan import" in plan.value.fix
    with pytest.raises(InputError, match="Unknown report format 'odt'"):
        reports.make_report(engine, "plan", "odt")
    empty = tmp_path / "empty-plan.yaml"
    empty.write_text(
        "name: Empty\nregion: baltic\ngoals:\n- id: G1\n  title: A goal\n", encoding="utf-8"
    )
    import_plan(engine, empty, actor="tester")
    for kind in ("plan", "evaluation"):
        with pytest.raises(InputError, match="has no initiatives") as no_items:
            reports.make_report(engine, kind, "html")
        assert "plan import" in no_items.value.fix
    assert _editions(engine) == 0
    engine.dispose()


def test_an_empty_atlas_is_refused(engine: Engine) -> None:
    with pytest.raises(InputError, match="no atlas data") as found:
        reports.make_report(engine, "status", "html")
    assert "bioconnect ingest --preset baltic" in found.value.fix
    assert _editions(engine) == 0


@pytest.mark.parametrize("kind", ["status", "plan", "evaluation"])
def test_word_copy_of_each_report(full_store: Engine, kind: str) -> None:
    from docx import Document

    made = reports.make_report(full_store, kind, "docx", actor="tester", created=STATED)
    doc = Document(io.BytesIO(made.content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    assert "Sources and licences" in headings
    assert doc.core_properties.title == made.title
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "Source:" in text and doc.tables
    if kind == "status":
        assert "728" in cells and "754" in cells
        assert len(doc.inline_shapes) >= 8  # the charts, as pictures
    else:
        assert "EXAMPLE DATA" in text
