"""Import mappings: how the columns of any CSV or XLSX file map onto bioconnect's records.

A mapping is a YAML file validated by :class:`Mapping`. The official CORDIS schema, the
extracts in a data folder and a user's own stakeholder list are all read through one.
See ``docs/mappings.md`` for a worked example.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bioconnect.model.yamlfile import load_yaml_model

FieldType = Literal["text", "integer", "number", "date", "boolean", "geolocation"]
Entity = Literal[
    "project",
    "participation",
    "organisation",
    "project_part",
    "project_field",
    "project_topic",
    "project_link",
    "company",
    "startup",
]

#: Organisation attributes; a participation row may carry them too.
ORGANISATION_FIELDS: dict[str, FieldType] = {
    "pic": "text",
    "vat": "text",
    "name": "text",
    "short_name": "text",
    "activity_type": "text",
    "sme": "boolean",
    "country": "text",
    "city": "text",
    "street": "text",
    "postcode": "text",
    "nuts_code": "text",
    "lat": "number",
    "lon": "number",
    "url": "text",
    "stakeholder_group": "text",
    "domain": "text",
}

#: The fields each entity takes, with their types. Fields in REQUIRED must be mapped.
ENTITY_FIELDS: dict[str, dict[str, FieldType]] = {
    "project": {
        "project_id": "text",
        "programme": "text",
        "grant_id": "text",
        "rcn": "text",
        "acronym": "text",
        "title": "text",
        "status": "text",
        "start_date": "date",
        "end_date": "date",
        "start_year": "integer",
        "total_cost": "number",
        "ec_max_contribution": "number",
        "legal_basis": "text",
        "topic": "text",
        "funding_scheme": "text",
    },
    "participation": {
        "project_id": "text",
        "programme": "text",
        "role": "text",
        "order_no": "integer",
        "ec_contribution": "number",
        **ORGANISATION_FIELDS,
    },
    "organisation": dict(ORGANISATION_FIELDS),
    "project_part": {"project_id": "text", "part": "text", "title": "text"},
    "project_field": {"project_id": "text", "code": "text", "path": "text", "title": "text"},
    "project_topic": {"project_id": "text", "topic": "text", "title": "text"},
    "project_link": {"project_id": "text", "url": "text", "type": "text"},
    # a company register's entry (docs/outcomes.md): read for cohorts, not ingested
    "company": {
        "registration_code": "text",
        "name": "text",
        "country": "text",
        "legal_form": "text",
        "status": "text",
        "founded": "date",
        "closed": "date",
        "exit_kind": "text",
        "activity_code": "text",
        "vat": "text",
        "city": "text",
    },
    # a row of a user's startup list (docs/outcomes.md): a cohort member linked to the atlas
    "startup": {
        "name": "text",
        "registration_code": "text",
        "vat": "text",
        "country": "text",
        "city": "text",
        "founded": "date",
        "closed": "date",
        "exit_reason": "text",
        "sector": "text",
        "founders_gender": "text",
        "countries": "text",
        "funding": "number",
    },
}

REQUIRED: dict[str, list[str]] = {
    "project": ["project_id"],
    "participation": ["project_id", "country"],
    "organisation": ["name", "country"],
    "project_part": ["project_id", "part"],
    "project_field": ["project_id", "path"],
    "project_topic": ["project_id", "topic"],
    "project_link": ["project_id", "url"],
    "company": ["registration_code"],
    "startup": ["name", "country", "founded", "closed", "exit_reason"],
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    """Where one field's value comes from.

    Exactly one of ``column`` (a column of the file) or ``value`` (a constant) is set.
    ``pattern`` keeps the first group of a regular expression applied to the column;
    ``template`` formats the result (``"rcn:{}"``). ``type`` overrides the field's type,
    for example ``geolocation`` for a ``"lat,lon"`` column mapped to ``lat`` (the first
    number) or ``lon`` (the second). ``recode`` replaces whole values
    (``{COORDINATOR: coordinator}``); values it does not list are kept.
    """

    column: str | None = None
    value: str | None = None
    pattern: str | None = None
    template: str | None = None
    type: FieldType | None = None
    date_format: str | None = Field(
        default=None,
        description="For a date written otherwise than YYYY-MM-DD: its strftime format, e.g. %d.%m.%Y.",
    )
    optional: bool = Field(
        default=False, description="When true, a missing column gives nulls instead of an error."
    )
    recode: dict[str, str] = Field(
        default_factory=dict,
        description="Whole values replaced by others, e.g. {COORDINATOR: coordinator}.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of `column` or `value`")
        return self

    @field_validator("pattern")
    @classmethod
    def _usable_pattern(cls, pattern: str | None) -> str | None:
        """A pattern is checked when the mapping is read, before any file: it must be a
        regular expression with a group around the part to keep, in the syntax of RE2, the
        engine that applies it in linear time (so no pattern can hang an import)."""
        if pattern is None:
            return None
        try:
            groups = re.compile(pattern).groups
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a regular expression: {exc}") from None
        if groups < 1:
            raise ValueError(
                f"pattern {pattern!r} has no group; put ( ) around the part of the cell to keep"
            )
        import duckdb

        try:
            duckdb.execute("SELECT regexp_matches('', $1)", [pattern])
        except duckdb.Error as exc:
            raise ValueError(
                f"pattern {pattern!r} uses syntax RE2 does not support (no backreferences or "
                f"lookarounds): {str(exc).splitlines()[0]}"
            ) from None
        return pattern


class Target(_Strict):
    """One kind of record read from every row of the file."""

    entity: Entity
    fields: dict[str, FieldSpec]
    one_record_per: list[str] = Field(
        default_factory=list,
        description=(
            "Fields that identify a record when rows are expected to repeat it (a project on "
            "every participation row): the first row is kept, silently."
        ),
    )
    dedupe_on: list[str] = Field(
        default_factory=list,
        description=(
            "Fields that identify a record. Rows repeating them are near duplicates: "
            "the last one is kept and the repair is recorded."
        ),
    )

    @field_validator("fields", mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: ({"column": v} if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _known_fields(self) -> Target:
        known = ENTITY_FIELDS[self.entity]
        unknown = sorted(set(self.fields) - set(known))
        if unknown:
            raise ValueError(
                f"{self.entity} has no field(s) {', '.join(unknown)}; known: {', '.join(known)}"
            )
        geolocated = sorted(
            f
            for f, spec in self.fields.items()
            if spec.type == "geolocation" and f not in ("lat", "lon")
        )
        if geolocated:
            raise ValueError(
                f"type geolocation reads a 'lat,lon' cell into lat or lon, not {', '.join(geolocated)}"
            )
        missing = [f for f in REQUIRED[self.entity] if f not in self.fields]
        if (
            self.entity == "participation"
            and "pic" not in self.fields
            and "name" not in self.fields
        ):
            missing.append("pic or name")
        if missing:
            raise ValueError(f"{self.entity} needs field(s) {', '.join(missing)}")
        bad = sorted((set(self.dedupe_on) | set(self.one_record_per)) - set(self.fields))
        if bad:
            raise ValueError(f"dedupe_on names unmapped field(s) {', '.join(bad)}")
        return self

    def field_type(self, name: str) -> FieldType:
        spec = self.fields[name]
        return spec.type or ENTITY_FIELDS[self.entity][name]


class Mapping(_Strict):
    """How to read one file: its format, and the records each row yields."""

    name: str
    description: str = ""
    format: Literal["csv", "xlsx", "json"] | None = Field(
        default=None,
        description=(
            "Taken from the file name when not given. A json file is an array of objects; "
            "columns are dotted paths into each (names.0.name)."
        ),
    )
    delimiter: str | None = Field(
        default=None,
        min_length=1,
        max_length=1,
        description="One character; detected from the header when not given.",
    )
    encoding: str = "utf-8"
    max_line_size: int | None = Field(
        default=None,
        gt=0,
        description="Longest CSV row in bytes (DuckDB's max_line_size; 2,097,152 when not given).",
    )
    sheet: str | None = Field(
        default=None,
        description="The xlsx sheet; when not given, the one holding the mapped columns.",
    )
    null_values: list[str] = Field(default_factory=lambda: ["", "NA", "N/A", "NULL", "null"])
    repair_mojibake: list[str] = Field(
        default_factory=list,
        description="Text fields whose double-encoded UTF-8 (CÃ¨dres) is repaired and recorded.",
    )
    targets: list[Target] = Field(min_length=1)

    @property
    def columns(self) -> list[str]:
        """Every column the mapping reads, in first-use order."""
        seen: dict[str, bool] = {}
        for target in self.targets:
            for spec in target.fields.values():
                if spec.column is not None:
                    seen.setdefault(spec.column, spec.optional)
        return list(seen)

    @property
    def required_columns(self) -> list[str]:
        return [
            spec.column
            for t in self.targets
            for spec in t.fields.values()
            if spec.column is not None and not spec.optional
        ]


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; a broken one raises :class:`InputError`."""
    return load_yaml_model(path, Mapping, "Mapping", "docs/mappings.md")
