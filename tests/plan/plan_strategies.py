"""Hypothesis strategies for whole plans that are valid to import (no loops, dates in order)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from bioconnect.plan import (
    ActionItem,
    Goal,
    Initiative,
    Kpi,
    Measurement,
    Milestone,
    OrgRef,
    Plan,
)

_CONTROL = (
    "".join(chr(c) for c in [*range(32), *range(0x7F, 0xA0)] if chr(c) not in "\n\t")
    + "\u2028\u2029\ufffe\uffff"
)
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,6}", fullmatch=True)
text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters=_CONTROL), max_size=30)
nonempty = text.filter(bool)
lines = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters=_CONTROL + "\n\t"),
    min_size=1,
    max_size=20,
)
dates = st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))
numbers = st.floats(allow_nan=False, allow_infinity=False)
criteria = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
orgs = st.builds(OrgRef, name=lines, org_id=st.none() | ids)
measurements = st.builds(Measurement, value=numbers, date=dates)


@st.composite
def initiatives(draw: Any, iid: str, earlier: list[str]) -> Initiative:
    start, end = sorted([draw(dates), draw(dates)])
    dated = draw(st.booleans())
    return Initiative(
        id=iid,
        title=draw(lines),
        description=draw(text),
        pillar=draw(st.sampled_from(["research", "talent", "funding"])),
        goals=draw(st.lists(ids, max_size=3)),
        lead=draw(st.none() | orgs),
        partners=draw(st.lists(orgs, max_size=3)),
        countries=draw(st.lists(lines, max_size=3)),
        target_groups=draw(st.lists(lines, max_size=2)),
        start=start if dated else draw(st.none() | dates),
        end=end if dated else None,
        milestones=draw(st.lists(st.builds(Milestone, title=lines, date=dates), max_size=3)),
        budget=draw(st.none() | st.floats(0, 1e15) | st.floats(0, 1, allow_subnormal=True)),
        funding_sources=draw(st.lists(lines, max_size=2)),
        status=draw(st.sampled_from(["idea", "planned", "active", "done", "dropped"])),
        risks=draw(st.lists(lines, max_size=2)),
        depends_on=draw(st.lists(st.sampled_from(earlier), max_size=2)) if earlier else [],
        gender_dimension=draw(st.none() | nonempty),
        cross_border=draw(st.booleans()),
        kpis=draw(st.lists(ids, max_size=2)),
        scores=draw(st.dictionaries(criteria, st.integers(1, 5), max_size=3)),
        version=draw(st.integers(1, 10**6)),
    )


@st.composite
def plans(draw: Any, max_initiatives: int = 6) -> Plan:
    initiative_ids = draw(st.lists(ids, unique=True, max_size=max_initiatives))
    items = [draw(initiatives(iid, initiative_ids[:n])) for n, iid in enumerate(initiative_ids)]
    goals = draw(
        st.lists(
            st.builds(Goal, id=ids, title=lines, description=text),
            unique_by=lambda g: g.id,
            max_size=3,
        )
    )
    kpis = draw(
        st.lists(
            st.builds(
                Kpi,
                id=ids,
                name=lines,
                definition=text,
                unit=text,
                direction=st.sampled_from(["increase", "decrease"]),
                baseline=st.none() | measurements,
                target=st.none() | measurements,
                source=text,
                frequency=text,
                owner=st.none() | lines,
                initiatives=st.lists(ids, max_size=2),
                goals=st.lists(ids, max_size=2),
            ),
            unique_by=lambda k: k.id,
            max_size=3,
        )
    )
    actions = draw(
        st.lists(
            st.builds(
                ActionItem,
                id=ids,
                text=nonempty,
                proposed_by=st.none() | lines,
                merged_into=st.none() | ids,
            ),
            unique_by=lambda a: a.id,
            max_size=3,
        )
    )
    return Plan(
        name=draw(lines),
        region=draw(ids),
        example=draw(st.booleans()),
        description=draw(text),
        goals=goals,
        initiatives=items,
        kpis=kpis,
        action_items=actions,
    )
