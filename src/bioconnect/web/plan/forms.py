"""The plan's forms: what a submitted form says, as a record for the plan service.

Numbers are read by the one value parser (so "12,5" is 12.5 here as in a plan file).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from bioconnect.errors import InputError
from bioconnect.services.plan import PlanConfig, PlanConflict, ValueProblem, parse_number


def lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def field_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def field_number(form: FormData, name: str, label: str) -> float | None:
    text = field_text(form, name)
    if not text:
        return None
    try:
        return parse_number(text).value
    except ValueProblem:
        raise InputError(f"The {label} {text!r} is not a number.", "Give a number.") from None


def partners(text: str) -> list[dict[str, Any]]:
    out = []
    for line in lines(text):
        name, _, org_id = line.partition("|")
        out.append({"name": name.strip(), "org_id": org_id.strip() or None})
    return out


def initiative_from(form: FormData, base: dict[str, Any], config: PlanConfig) -> dict[str, Any]:
    """The initiative the form describes; fields the form lacks (milestones) come from base."""
    data = dict(base)
    if not base:
        data["id"] = field_text(form, "id")
    data["title"] = field_text(form, "title")
    data["description"] = field_text(form, "description")
    data["pillar"] = field_text(form, "pillar")
    data["goals"] = many(form, "goals")
    lead = field_text(form, "lead_name")
    data["lead"] = (
        {"name": lead, "org_id": field_text(form, "lead_org_id") or None} if lead else None
    )
    data["partners"] = partners(field_text(form, "partners"))
    data["countries"] = many(form, "countries")
    data["target_groups"] = lines(form.get("target_groups"))
    data["start"] = field_text(form, "start") or None
    data["end"] = field_text(form, "end") or None
    data["budget"] = field_text(form, "budget") or None
    data["funding_sources"] = lines(form.get("funding_sources"))
    data["status"] = field_text(form, "status") or "idea"
    data["risks"] = lines(form.get("risks"))
    data["depends_on"] = many(form, "depends_on")
    data["gender_dimension"] = field_text(form, "gender_dimension") or None
    data["cross_border"] = form.get("cross_border") == "on"
    data["kpis"] = many(form, "kpis")
    scores = {}
    for criterion in config.criteria:
        value = field_text(form, f"score_{criterion.id}")
        if value:
            scores[criterion.id] = int(value) if value.isdigit() else value
    data["scores"] = scores
    return data


def typed(data: dict[str, Any], form: FormData) -> dict[str, Any]:
    """The record with its numbers as numbers (an InputError names a bad one)."""
    typed = dict(data)
    if "budget" in typed:
        typed["budget"] = field_number(form, "budget", "budget")
    for side in ("baseline", "target"):
        if side in typed and isinstance(typed[side], dict):
            value = field_number(form, f"{side}_value", f"{side} value")
            typed[side] = {**typed[side], "value": value}
    return typed


def shown(value: Any) -> str:
    """A field's value as one short line for the conflict table."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        if set(value) <= {"name", "org_id"}:
            return str(value.get("name")) + (f" ({value['org_id']})" if value.get("org_id") else "")
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def conflict_context(conflict: PlanConflict) -> dict[str, Any]:
    data = conflict.as_dict()
    rows = [
        {"field": c["field"], "theirs": shown(c["theirs"]), "yours": shown(c["yours"])}
        for c in data["changes"]
    ]
    return {"conflict": data, "conflict_rows": rows}


def kpi_from(form: FormData, base: dict[str, Any]) -> dict[str, Any]:
    data = dict(base)
    if not base:
        data["id"] = field_text(form, "id")
    data["name"] = field_text(form, "name")
    for name in ("definition", "unit", "source", "frequency"):
        data[name] = field_text(form, name)
    data["direction"] = field_text(form, "direction") or "increase"
    data["owner"] = field_text(form, "owner") or None
    for side in ("baseline", "target"):
        value, day = field_text(form, f"{side}_value"), field_text(form, f"{side}_date")
        if value and day:
            data[side] = {"value": value, "date": day}
        elif value or day:
            raise InputError(
                f"The {side} needs both a value and a date.",
                f"Give both, or leave both {side} fields empty.",
            )
        else:
            data[side] = None
    data["initiatives"] = many(form, "initiatives")
    data["goals"] = many(form, "goals")
    return data


def kpi_fields(item: dict[str, Any]) -> dict[str, str]:
    """The KPI's single-value form fields as text."""
    fields = {
        name: "" if item.get(name) is None else str(item[name])
        for name in ("id", "name", "definition", "unit", "direction", "owner", "source")
    }
    fields["frequency"] = str(item.get("frequency") or "")
    for side in ("baseline", "target"):
        measurement = item.get(side) or {}
        fields[f"{side}_value"] = str(measurement.get("value", ""))
        fields[f"{side}_date"] = str(measurement.get("date", ""))
    return fields
