"""The plan's inbox: ideas anyone may propose, which editors merge into initiatives."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from bioconnect.errors import BioconnectError, NotFoundError
from bioconnect.plan import ActionItem
from bioconnect.services.accounts import audit
from bioconnect.services.plan.records import (
    _KINDS,
    _detail,
    _one_plan,
    _short,
    _stored,
    _validated,
)
from bioconnect.store import schema
from bioconnect.store.database import serialise_on, transaction


def _next_item_id(ids: Sequence[str]) -> str:
    numbers = [m for m in (re.fullmatch(r"A(\d+)", i) for i in ids) if m]
    width = max([2, *(len(m.group(1)) for m in numbers)])
    n = max((int(m.group(1)) for m in numbers), default=0) + 1
    return f"A{n:0{width}d}"


def propose_action_item(
    engine: Engine,
    text: str,
    *,
    actor: str,
    proposed_by: str | None = None,
    region: str | None = None,
) -> ActionItem:
    """Put an idea in the plan's inbox (any stakeholder may); returns the stored item.

    The item gets the next free id ``A01``, ``A02``, …; ``proposed_by`` defaults to the
    actor. Proposing the same text again while the first is still unmerged returns the
    first instead of adding a copy. Concurrent proposals wait for each other (a short
    transaction each), so none is refused because another took its id.
    """
    spec = _KINDS["action_item"]
    t = spec.table
    who = proposed_by or actor
    for _ in range(3):
        try:
            with transaction(engine) as conn:
                serialise_on(conn, "plan-inbox")  # so two never pick the same next id
                head = _one_plan(conn, region)
                rows = conn.execute(
                    select(t.c.record_id, t.c.record, t.c.position).where(t.c.plan_id == head.id)
                ).all()
                for row in rows:
                    item = ActionItem.model_validate_json(row.record)
                    if item.text == text and item.proposed_by == who and item.merged_into is None:
                        return item
                new = _validated(
                    spec,
                    {
                        "id": _next_item_id([r.record_id for r in rows]),
                        "text": text,
                        "proposed_by": who,
                    },
                )
                assert isinstance(new, ActionItem)
                conn.execute(
                    t.insert().values(
                        plan_id=head.id,
                        record_id=new.id,
                        position=max((r.position for r in rows), default=-1) + 1,
                        version=1,
                        record=new.model_dump_json(),
                        updated_at=schema.utcnow(),
                        updated_by=actor,
                        merged_into=None,
                    )
                )
                audit(
                    conn,
                    actor,
                    "propose",
                    spec.entity,
                    new.id,
                    _detail(head.region, version=1, text=_short(text)),
                )
                return new
        except IntegrityError:
            continue  # another proposal took the id; try the next one
    raise BioconnectError("Could not store the proposal: the inbox is busy.", "Try again.")


def merge_action_item(
    engine: Engine,
    item_id: str,
    initiative_id: str,
    *,
    actor: str,
    region: str | None = None,
) -> ActionItem:
    """Merge an inbox item into an initiative (editors do), keeping the link on the item.

    Merging into the initiative it is already merged into changes nothing.
    """
    spec = _KINDS["action_item"]
    t = spec.table
    with transaction(engine) as conn:
        head = _one_plan(conn, region)
        row = _stored(conn, spec, head.id, item_id)
        if row is None:
            raise NotFoundError(
                f"No action item {item_id!r} in the {head.region} plan.", "Check the id."
            )
        if _stored(conn, _KINDS["initiative"], head.id, initiative_id) is None:
            raise NotFoundError(
                f"No initiative {initiative_id!r} in the {head.region} plan.",
                "Merge into an existing initiative, or create it first.",
            )
        old = ActionItem.model_validate_json(row.record)
        if old.merged_into == initiative_id:
            return old
        new = old.model_copy(update={"merged_into": initiative_id})
        conn.execute(
            t.update()
            .where(t.c.id == row.id)
            .values(
                record=new.model_dump_json(),
                version=row.version + 1,
                merged_into=initiative_id,
                updated_at=schema.utcnow(),
                updated_by=actor,
            )
        )
        audit(
            conn,
            actor,
            "merge",
            spec.entity,
            item_id,
            _detail(head.region, version=row.version + 1, merged_into=initiative_id),
        )
    return new
