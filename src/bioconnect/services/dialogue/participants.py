"""Linking a consultation's participants to stakeholder groups, countries and atlas organisations."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, select

from bioconnect.errors import InputError
from bioconnect.model.preset import load_preset
from bioconnect.services.accounts import audit
from bioconnect.services.dialogue.consultations import PARTICIPANT, consultation_id
from bioconnect.store import schema
from bioconnect.store.database import transaction

ORGANISATION = schema.table(schema.Organisation)


def _groups(preset: str) -> set[str]:
    return {g.key for g in load_preset(preset).stakeholder_groups}


def _read(path: Path, groups: set[str]) -> list[dict[str, str | None]]:
    if not path.is_file():
        raise InputError(
            f"{path} does not exist.",
            "Pass a CSV with participant, stakeholder_group, country, org_id.",
        )
    rows: list[dict[str, str | None]] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if "participant" not in (reader.fieldnames or []):
            raise InputError(
                f"{path}: the header lacks participant.",
                "Name the columns participant, stakeholder_group, country, org_id.",
            )
        for number, row in enumerate(reader, start=2):
            pid = (row.get("participant") or "").strip()
            if not pid.isdigit():
                raise InputError(
                    f"{path}, row {number}, column participant: {pid!r} is not a participant id.",
                    "Use the export's participant ids.",
                )
            group = (row.get("stakeholder_group") or "").strip() or None
            if group is not None and group not in groups:
                raise InputError(
                    f"{path}, row {number}, column stakeholder_group: {group!r} is not a stakeholder group of the preset.",
                    f"Use one of: {', '.join(sorted(groups))}.",
                )
            country = (row.get("country") or "").strip().upper() or None
            if country is not None and (len(country) != 2 or not country.isalpha()):
                raise InputError(
                    f"{path}, row {number}, column country: {country!r} is not a two-letter code.",
                    "Use codes such as EE or FI.",
                )
            rows.append(
                {
                    "participant": pid,
                    "stakeholder_group": group,
                    "country": country,
                    "org_id": (row.get("org_id") or "").strip() or None,
                }
            )
    return rows


def link_participants(
    engine: Engine, name: str, path: Path, *, actor: str, preset: str = "baltic"
) -> int:
    """Set participants' stakeholder group, country and atlas organisation from a CSV.

    An ``org_id`` of the atlas fills a blank stakeholder group and country from that
    organisation. The file is checked in full first; a bad row writes nothing. Returns the
    number of participants updated.
    """
    rows = _read(path, _groups(preset))
    with transaction(engine) as conn:
        cid = consultation_id(conn, name)
        known = set(
            conn.execute(
                select(PARTICIPANT.c.participant).where(PARTICIPANT.c.consultation_id == cid)
            ).scalars()
        )
        for number, row in enumerate(rows, start=2):
            pid = int(str(row["participant"]))
            if pid not in known:
                raise InputError(
                    f"{path}, row {number}, column participant: {pid} is not a participant of {name!r}.",
                    "Use the export's participant ids.",
                )
            if row["org_id"] is not None:
                org = conn.execute(
                    select(ORGANISATION.c.stakeholder_group, ORGANISATION.c.country).where(
                        ORGANISATION.c.id == row["org_id"]
                    )
                ).first()
                if org is None:
                    raise InputError(
                        f"{path}, row {number}, column org_id: no organisation {row['org_id']!r} in the atlas.",
                        "Use ids from `bioconnect orgs`.",
                    )
                row["stakeholder_group"] = row["stakeholder_group"] or org.stakeholder_group
                row["country"] = row["country"] or org.country
            conn.execute(
                PARTICIPANT.update()
                .where(PARTICIPANT.c.consultation_id == cid, PARTICIPANT.c.participant == pid)
                .values(
                    stakeholder_group=row["stakeholder_group"],
                    country=row["country"],
                    org_id=row["org_id"],
                )
            )
        audit(conn, actor, "link", "consultation", name, f'{{"participants": {len(rows)}}}')
    return len(rows)
