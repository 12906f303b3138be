"""Region presets as the interfaces see them: the list, one preset, its filter choices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bioconnect.errors import InputError
from bioconnect.model.preset import (
    PRESETS_PACKAGE,
    Preset,
    list_presets,
    load_preset,
    read_preset,
)

__all__ = [
    "FilterChoices",
    "Preset",
    "RegionCheck",
    "check_region",
    "filter_choices",
    "list_regions",
    "load_region",
    "new_region",
]


def list_regions() -> list[Preset]:
    """Every shipped region preset, by name."""
    return list_presets()


def load_region(name_or_path: str) -> Preset:
    """One preset by name (or the path of a preset.yaml), validated."""
    return load_preset(name_or_path)


@dataclass(frozen=True)
class FilterChoices:
    """The countries, stakeholder groups and domains that filter forms offer."""

    countries: tuple[str, ...]
    groups: tuple[str, ...]
    domains: tuple[str, ...]


def filter_choices(preset: str) -> FilterChoices:
    """What the map and network forms offer for ``preset``.

    Example
    -------
    >>> choices = filter_choices("baltic")
    >>> choices.countries[:3], "academia" in choices.groups
    (('EE', 'LV', 'LT'), True)
    """
    chosen = load_preset(preset)
    return FilterChoices(
        countries=tuple(chosen.all_countries),
        groups=tuple(g.key for g in chosen.stakeholder_groups),
        domains=tuple(d.key for d in chosen.domains),
    )


# --- a new region: a preset folder written from the template ------------------------

#: CORDIS writes Greece as EL and the United Kingdom as UK, where ISO 3166 has GR and GB.
CORDIS_ONLY_CODES = {"EL": "Greece", "UK": "United Kingdom"}
FOCUSES = ("biotech", "none")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
#: Files copied from the Baltic preset: its CORDIS mappings (the open data has one layout
#: for every country), the startup list's mapping, and the biotech index's framework.
#: The national company registers' mappings describe those countries' files and stay.
TEMPLATE_PRESET = "baltic"


class RegionCheck(BaseModel):
    """One check of a preset: the field, whether it holds, and how to fix it."""

    model_config = ConfigDict(frozen=True)

    field: str
    ok: bool
    message: str
    fix: str = ""


def _country_name(code: str) -> str | None:
    import iso3166

    if code in CORDIS_ONLY_CODES:
        return CORDIS_ONLY_CODES[code]
    if code in ("GR", "GB"):
        return None  # CORDIS never writes these
    found = iso3166.countries_by_alpha2.get(code)
    return found.name if found else None


def _codes(text: str, option: str) -> list[str]:
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if _country_name(c) is None]
    if unknown:
        raise InputError(
            f"{option} has unknown country code(s): {', '.join(unknown)}.",
            "Use CORDIS codes: ISO 3166 alpha-2, but EL for Greece and UK for the United "
            "Kingdom (e.g. --countries CZ,HU,PL,SK).",
        )
    return list(dict.fromkeys(codes))


def new_region(
    name: str,
    countries: str,
    reference: str = "",
    *,
    folder: Path,
    label: str | None = None,
    focus: str = "biotech",
) -> Path:
    """Write a preset folder ``folder/name`` for a new region; returns the folder.

    The preset, its plan configuration and KPI library are written from the Baltic
    preset's, with every field explained in comments; the CORDIS mappings and the biotech
    index's framework are copied. Nothing is written when an argument is wrong.
    """
    if not _NAME.match(name):
        raise InputError(
            f"{name!r} cannot name a preset.",
            "Use 2-40 lower-case letters, digits, '-' or '_', starting with a letter.",
        )
    region = _codes(countries, "--countries")
    if not region:
        raise InputError("--countries names no country.", "Give at least one, e.g. CZ,HU.")
    leaders = _codes(reference, "--reference")
    both = sorted(set(region) & set(leaders))
    if both:
        raise InputError(
            f"{', '.join(both)} cannot be both in the region and a reference country.",
            "Name each country once, in --countries or in --reference.",
        )
    if focus not in FOCUSES:
        raise InputError(f"Unknown focus {focus!r}.", f"Use one of: {', '.join(FOCUSES)}.")
    target = folder / name
    if target.exists() or name in {p.name for p in list_presets()}:
        raise InputError(
            f"A preset called {name!r} exists already ({target if target.exists() else 'shipped'}).",
            "Choose another name, or edit that preset.",
        )
    _write_region(target, name, region, leaders, label, focus)
    return target


def _write_region(
    target: Path, name: str, region: list[str], leaders: list[str], label: str | None, focus: str
) -> None:
    import shutil

    from jinja2 import Environment, StrictUndefined

    names = [_country_name(c) for c in region]
    context = {
        "name": name,
        "label": label or f"{name.capitalize()} biotechnology ecosystem",
        "description": f"{', '.join(str(n) for n in names)}"
        + (
            f", with {', '.join(str(_country_name(c)) for c in leaders)} as the reference leader"
            if leaders
            else ""
        )
        + ". Written by `bioconnect regions new`; adapt its domains, plan and KPIs.",
        "countries": region,
        "reference": leaders,
        "focus": focus if focus != "none" else None,
    }
    env = Environment(
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    template = resources.files(PRESETS_PACKAGE) / "_template"
    source = load_preset(TEMPLATE_PRESET).folder
    assert source is not None
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "mappings").mkdir(parents=True)
    for file in ("preset.yaml", "plan.yaml"):
        text = (template / f"{file}.j2").read_text(encoding="utf-8")
        (staging / file).write_text(env.from_string(text).render(context), encoding="utf-8")
    for mapping in sorted((source / "mappings").glob("*.yaml")):
        if not mapping.name.startswith("register-"):
            shutil.copyfile(mapping, staging / "mappings" / mapping.name)
    shutil.copytree(source / "biotech-index", staging / "biotech-index")
    staging.rename(target)  # the folder appears whole, or not at all


def check_region(name_or_path: str, data_dir: Path | None = None) -> list[RegionCheck]:
    """Check a preset field by field: what holds, what is missing, and how to fix it."""
    from bioconnect.errors import BioconnectError

    checks: list[RegionCheck] = []
    try:
        path = Path(name_or_path)
        preset = read_preset(path) if path.exists() else load_preset(name_or_path)
    except BioconnectError as exc:
        return _field_errors(Path(name_or_path)) or [
            RegionCheck(field="preset.yaml", ok=False, message=exc.problem, fix=exc.fix)
        ]
    checks.append(RegionCheck(field="preset.yaml", ok=True, message=f"{preset.name}: valid"))
    checks += _check_countries(preset)
    checks += _check_files(preset, data_dir)
    checks.append(_check_plan(preset))
    return checks


def _field_errors(path: Path) -> list[RegionCheck]:
    """Every field of a preset file that does not validate, one check each."""
    import yaml
    from pydantic import ValidationError

    path = path / "preset.yaml" if path.is_dir() else path
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        Preset.model_validate(data)
    except ValidationError as exc:
        return [
            RegionCheck(
                field=".".join(str(part) for part in e["loc"]) or "preset.yaml",
                ok=False,
                message=e["msg"],
                fix="See docs/presets.md for this field.",
            )
            for e in exc.errors()
        ]
    except (OSError, yaml.YAMLError, TypeError):
        return []
    return []


def _check_countries(preset: Preset) -> list[RegionCheck]:
    out = []
    for field, codes in (
        ("countries", preset.countries),
        ("reference_countries", preset.reference_countries),
    ):
        unknown = [c for c in codes if _country_name(c) is None]
        out.append(
            RegionCheck(
                field=field,
                ok=not unknown,
                message=f"unknown code(s) {', '.join(unknown)}"
                if unknown
                else ", ".join(codes) or "none",
                fix="Use CORDIS codes (ISO 3166 alpha-2; EL for Greece, UK for the United Kingdom)."
                if unknown
                else "",
            )
        )
    if not preset.reference_countries:
        out.append(
            RegionCheck(
                field="reference_countries",
                ok=True,
                message="none: the benchmark compares with the EU only",
            )
        )
    return out


def _check_files(preset: Preset, data_dir: Path | None) -> list[RegionCheck]:
    from bioconnect.settings import resolve_data_dir

    out = []
    folder = preset.folder or Path(".")
    base = resolve_data_dir(data_dir)
    if base is None:
        out.append(
            RegionCheck(
                field="data folder",
                ok=True,
                message="no local data folder: an ingest downloads the official CORDIS files",
            )
        )
    for source in preset.sources if base is not None else []:
        if source.mapping is not None:
            path = folder / source.mapping
            out.append(
                RegionCheck(
                    field=f"sources.{source.name}.mapping",
                    ok=path.is_file(),
                    message=str(source.mapping) if path.is_file() else f"{path} does not exist",
                    fix=""
                    if path.is_file()
                    else "Copy the mapping from the baltic preset's mappings/.",
                )
            )
        found = base is not None and (base / source.path).exists()
        out.append(
            RegionCheck(
                field=f"sources.{source.name}.path",
                ok=found or source.optional,
                message=f"{source.path}" + ("" if found else f" is not in {base}"),
                fix=""
                if found
                else "Put the file in the data folder, or run `bioconnect fetch cordis`.",
            )
        )
    for file in ("iMeta.csv", "pipeline.yaml"):
        path = folder / "biotech-index" / file
        out.append(
            RegionCheck(
                field=f"biotech-index/{file}",
                ok=path.is_file(),
                message="present" if path.is_file() else f"{path} does not exist",
                fix="" if path.is_file() else "Copy it from the baltic preset's biotech-index/.",
            )
        )
    return out


def _check_plan(preset: Preset) -> RegionCheck:
    from bioconnect.errors import BioconnectError
    from bioconnect.plan import load_plan_config

    path = (preset.folder or Path(".")) / "plan.yaml"
    try:
        config = load_plan_config(path)
    except BioconnectError as exc:
        return RegionCheck(field="plan.yaml", ok=False, message=exc.problem, fix=exc.fix)
    if config.region != preset.name:
        return RegionCheck(
            field="plan.yaml region",
            ok=False,
            message=f"names region {config.region!r}, the preset is {preset.name!r}",
            fix=f"Set `region: {preset.name}` in plan.yaml.",
        )
    return RegionCheck(
        field="plan.yaml",
        ok=True,
        message=f"{len(config.pillars)} pillars, {len(config.kpi_library)} KPIs",
    )
