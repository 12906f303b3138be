"""The hostile-names list of issue 11 and a store that holds it (test input, not data).

Every name below is made up for the tests: HTML, template syntax, spreadsheet formulas,
control and bidirectional characters, a zero-width joiner, a 10,000-character name and
terminal markup, with two real Baltic institutes' names for their diacritics. None of it
is a data figure.
The list is written as a CSV (``hostile-names-test-input.csv``, every row marked "test
input" in a column the mapping does not read) and imported the way a user's list is, with
``hostile-names.yaml`` next to this file: each name takes part in two real Horizon Europe
health projects, so the names reach the network, the map and the project pages too, and
each hostile organisation's strongest partners are the other hostile ones.

What the import does with them (``docs/mappings.md``): leading and trailing whitespace
(tab, carriage return) is trimmed from every cell; C0 control characters other than tab
and line breaks are removed and recorded as the ``control-character`` repair; everything
else (bidirectional controls included) is stored as written. Pages strip bidirectional
controls when they show a name (``web.rendering.display_text``; the scripts' own
``shown``); XLSX, GEXF and GraphML lose only the characters XML cannot hold, which the
import has already removed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from bioconnect.store import schema

HERE = Path(__file__).resolve().parent
MAPPING = HERE / "hostile-names.yaml"
SOURCE = "hostile-names-test-input"

#: Real Horizon Europe health projects with Baltic partners (PAIR, 101133191; FeLow-D,
#: 101186499) that every hostile name takes part in: sharing two projects, the hostile
#: organisations are each other's strongest partners.
PROJECT = "101133191"
PROJECTS = (PROJECT, "101186499")

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}} Biotech {% raw %}"
FORMULA = '=HYPERLINK("http://x","y")'
PLUS = "+1+1"
MINUS = "-2+3"
AT = "@SUM(A1)"
TAB = "\t=1+2 Tab Labs"
RETURN = "\r-3+4 Return Labs"
CONTROLS = "Bell\x07 Escape\x1b[31m VTab\x0b Labs"
OVERRIDE = "\u202eevil.exe\u202c Labs"
ISOLATE = "\u2066isolated\u2069 OÜ"
JOINER = "Zero\u200dWidth Joiner UAB"
LONG = "Long" + "o" * 9992 + "name"
#: Markup of the terminal library the CLI prints with (rich).
MARKUP = "[/bold][link=http://x]Rich markup[/link] [red]OÜ"
#: Near each other, so the matcher queues the two for review (p ≈ 0.93).
SCRIPT_BIO = SCRIPT + " Bio"
SCRIPT_BIOTECH = SCRIPT + " Biotech"
VILNIUS = "Vilniaus universitetas – Gyvybės mokslų centras"
OSI = "Latvijas Organiskās sintēzes institūts"

#: Bidirectional embeddings, overrides and isolates, as web.rendering strips them.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Row:
    """One row of the list: what it says, and where the map should draw it."""

    name: str
    country: str
    city: str
    group: str = "industry"
    location: str = ""  # "lat,lon"; empty: placed at its city by GeoNames

    @property
    def stored(self) -> str:
        """The name as the import stores it (trimmed, without C0 control characters)."""
        return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", self.name.strip())

    @property
    def shown(self) -> str:
        """The name as a page shows it (without bidirectional controls)."""
        return BIDI.sub("", self.stored)


# The points with a location lie in the open sea west of Latvia, away from every other
# organisation, so a click on one hits that one.
ROWS = [
    Row(SCRIPT, "EE", "Tallinn", location="55.6,19.4"),
    Row(IMAGE, "LV", "Rīga", location="56.2,19.4"),
    Row(TEMPLATE, "EE", "Tartu", "academia", location="56.8,19.4"),
    Row(FORMULA, "LT", "Kaunas", location="57.4,19.4"),
    Row(PLUS, "LT", "Vilnius"),
    Row(MINUS, "LV", "Rīga"),
    Row(AT, "EE", "Tallinn"),
    Row(TAB, "EE", "Tallinn"),
    Row(RETURN, "EE", "Tallinn"),
    Row(CONTROLS, "LV", "Rīga"),
    Row(OVERRIDE, "LT", "Vilnius", location="58.0,19.4"),
    Row(ISOLATE, "EE", "Tallinn"),
    Row(JOINER, "LT", "Vilnius"),
    Row(LONG, "EE", "Tallinn", location="58.6,19.4"),
    Row(MARKUP, "EE", "Tallinn"),
    Row(SCRIPT_BIO, "EE", "Tallinn"),
    Row(SCRIPT_BIOTECH, "EE", "Tallinn"),
    Row(VILNIUS, "LT", "Vilnius", "academia"),
    Row(OSI, "LV", "Rīga", "academia"),
]

#: The rows that become organisations of their own (the Latvian institute joins the
#: CORDIS record of the same institute, as a name variant).
OWN = [r for r in ROWS if r.name != OSI]


def write_list(folder: Path) -> Path:
    """Write the list as a CSV file in ``folder``; every row says it is test input."""
    path = folder / f"{SOURCE}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Organisation", "Country", "City", "Group", "Domain", "Project", "Location", "Note"]
        )
        for project in PROJECTS:
            for r in ROWS:
                writer.writerow(
                    [
                        r.name,
                        r.country,
                        r.city,
                        r.group,
                        "health",
                        project,
                        r.location,
                        "test input",
                    ]
                )
    return path


def org_ids(engine: Engine) -> dict[str, str]:
    """The organisation id of each row's stored name (rows of :data:`OWN`)."""
    org = schema.table(schema.Organisation)
    wanted = {r.stored for r in OWN}
    with engine.connect() as conn:
        found = conn.execute(select(org.c.name, org.c.id).where(org.c.name.in_(wanted))).all()
    ids = {name: org_id for name, org_id in found}
    assert set(ids) == wanted, sorted(wanted - set(ids))
    return ids


#: The plan's initiative: led by the script name, with hostile partners.
INITIATIVE = "I1"
PARTNERS = [FORMULA, TEMPLATE, OVERRIDE, LONG]


def store_plan(engine: Engine) -> None:
    """Store a plan (test input) whose initiative the hostile organisations lead."""
    from bioconnect.plan import Goal, Initiative, OrgRef, Plan
    from bioconnect.services.plan.files import import_plan

    ids = org_ids(engine)
    by_name = {r.name: r for r in OWN}

    def ref(name: str) -> OrgRef:
        return OrgRef(name=by_name[name].stored, org_id=ids[by_name[name].stored])

    plan = Plan(
        name="Hostile names sweep (test input)",
        region="baltic",
        goals=[Goal(id="G1", title="Names stay text (test input)")],
        initiatives=[
            Initiative(
                id=INITIATIVE,
                title="Led by hostile names (test input)",
                pillar="research",
                goals=["G1"],
                lead=ref(SCRIPT),
                partners=[ref(n) for n in PARTNERS],
            )
        ],
    )
    import_plan(engine, plan, actor="tests")
