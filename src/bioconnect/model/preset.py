"""Region presets: a region is configuration, not code.

A preset is a YAML file validated by :class:`Preset`. The packaged presets live in
``bioconnect/presets/<name>/preset.yaml``; users can pass a path to their own.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.yamlfile import load_yaml_model

PRESETS_PACKAGE = "bioconnect.presets"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StakeholderGroup(_Strict):
    """A kind of actor in the ecosystem, and the CORDIS activity types that belong to it."""

    key: str
    label: str
    description: str = ""
    activity_types: list[str] = Field(
        default_factory=list,
        description="CORDIS activityType codes (HES, REC, PRC, PUB, OTH) mapped to this group.",
    )


class DomainRule(_Strict):
    """How a project is assigned to a domain.

    A project belongs to the domain when one of its EuroSciVoc paths starts with one of
    ``scivoc_prefixes``, or one of its programme parts equals or falls under one of
    ``programme_parts`` (``HORIZON.2.6`` covers ``HORIZON.2.6.4``).
    """

    scivoc_prefixes: list[str] = Field(default_factory=list)
    programme_parts: list[str] = Field(default_factory=list)


class Domain(_Strict):
    key: str
    label: str
    description: str = ""
    rules: DomainRule


class Source(_Strict):
    """One data set to load.

    ``kind`` is ``cordis`` for files in the official CORDIS schema (a zip as downloaded,
    or a folder of csv/xlsx files), or ``mapped`` for any CSV/XLSX described by a mapping.
    Paths are relative to the data folder; mappings are relative to the preset folder.
    """

    name: str
    kind: Literal["cordis", "mapped"]
    path: str
    mapping: str | None = None
    programme: str | None = None
    download: str | None = Field(
        default=None,
        description="Key of the official download that provides this source when no local copy exists.",
    )
    optional: bool = False
    enrich_only: bool = Field(
        default=False,
        description=(
            "When true, the source only adds names and addresses to organisations that other "
            "sources bring in (by the same key); it creates none of its own, and its "
            "participation rows (an official organization table) count as organisation facts, "
            "not participations."
        ),
    )

    @model_validator(mode="after")
    def _mapping_needed(self) -> Source:
        if self.kind == "mapped" and not self.mapping:
            raise ValueError(f"source {self.name!r} is kind 'mapped' but names no mapping file")
        return self


class Focus(_Strict):
    """What a preset is about: the domains its atlas, dashboard, map and network show unless
    asked for all research (the Baltic preset: biotechnology through its five domains)."""

    name: str = Field(description="A short key, e.g. biotech.")
    label: str = Field(description="How figures name their scope, e.g. 'biotech domains'.")
    domains: list[str] = Field(min_length=1, description="Keys of the preset's domains.")


class Preset(_Strict):
    """A region: its countries, stakeholder groups, domains and data sources."""

    name: str
    label: str
    description: str = ""
    countries: list[str] = Field(min_length=1, description="CORDIS country codes of the region.")
    reference_countries: list[str] = Field(
        default_factory=list, description="Leaders the region compares itself with."
    )
    stakeholder_groups: list[StakeholderGroup]
    domains: list[Domain]
    biotech_activity_codes: list[str] = Field(
        default_factory=list,
        description=(
            "NACE Rev. 2 classes (72.11) whose companies count as biotech in register "
            "cohorts; national codes (TOL 72110, EMTAK 72111) match on their digits."
        ),
    )
    focus: Focus | None = Field(
        default=None, description="The domains shown by default; all research when absent."
    )
    sources: list[Source] = Field(description="Files read from a local data folder.")
    official_sources: list[Source] = Field(
        default_factory=list,
        description="Official downloads read when no local data folder exists.",
    )
    folder: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _focus_domains_known(self) -> Preset:
        if self.focus is not None:
            known = {d.key for d in self.domains}
            unknown = [d for d in self.focus.domains if d not in known]
            if unknown:
                raise ValueError(
                    f"focus names unknown domain(s) {', '.join(unknown)}; "
                    f"the preset's domains are {', '.join(sorted(known))}"
                )
        return self

    @property
    def all_countries(self) -> list[str]:
        """The region's countries followed by its reference countries."""
        return [*self.countries, *[c for c in self.reference_countries if c not in self.countries]]

    def group_for_activity(self) -> dict[str, str]:
        """Map each CORDIS activity type to its stakeholder group key."""
        return {a: g.key for g in self.stakeholder_groups for a in g.activity_types}

    def to_json(self) -> str:
        """The preset as JSON, with its folder, so a run can be repeated exactly."""
        import json

        return json.dumps(
            {**self.model_dump(mode="json"), "folder": str(self.folder) if self.folder else None}
        )

    @classmethod
    def from_json(cls, text: str) -> Preset:
        import json

        return cls.model_validate(json.loads(text))

    def mapping_path(self, source: Source) -> Path:
        if source.mapping is None or self.folder is None:
            raise InputError(
                f"Source {source.name!r} has no mapping file.", "Add `mapping:` to it."
            )
        return self.folder / source.mapping


def _packaged_folder(name: str) -> Path | None:
    root = resources.files(PRESETS_PACKAGE)
    candidate = root / name / "preset.yaml"
    if candidate.is_file():
        return Path(str(root / name))
    return None


def read_preset(path: Path) -> Preset:
    """A preset file (or folder) read afresh, not from the cache: for checking one being edited."""
    path = path / "preset.yaml" if path.is_dir() else path
    if not path.is_file():
        raise NotFoundError(f"No preset file {path}.", "Give a preset folder or its preset.yaml.")
    path = path.resolve()
    return load_yaml_model(path, Preset, "Preset", "docs/presets.md", folder=path.parent)


def preset_folder(name: str) -> Path | None:
    """The folder of a preset loaded by path in this process, by its name (else None)."""
    path = _BY_PATH.get(name)
    return path.parent if path is not None else None


def list_presets() -> list[Preset]:
    """All packaged presets, sorted by name."""
    root = resources.files(PRESETS_PACKAGE)
    names = sorted(p.name for p in root.iterdir() if (p / "preset.yaml").is_file())
    return [load_preset(n) for n in names]


#: Presets loaded from a path in this process, by name: once a command or the web app has
#: read ``--preset path/to/preset.yaml``, every service that asks for the preset by its
#: name finds the same file.
_BY_PATH: dict[str, Path] = {}


@cache
def _load_file(path: Path) -> Preset:
    return load_yaml_model(path, Preset, "Preset", "docs/presets.md", folder=path.parent)


def load_preset(name_or_path: str | Path) -> Preset:
    """Load a packaged preset by name, or a preset YAML file by path.

    Examples
    --------
    >>> load_preset("baltic").countries
    ['EE', 'LV', 'LT']
    """
    folder = _packaged_folder(str(name_or_path))
    if folder is not None:
        return _load_file(folder / "preset.yaml")
    if str(name_or_path) in _BY_PATH:
        return _load_file(_BY_PATH[str(name_or_path)])
    path = Path(name_or_path)
    if path.is_dir():
        path = path / "preset.yaml"
    if path.is_file():
        preset = _load_file(path.resolve())
        # a file named like a shipped preset (a variant of it) does not hide the shipped one
        if _packaged_folder(preset.name) is None:
            _BY_PATH[preset.name] = path.resolve()
        return preset
    known = ", ".join(
        p.name
        for p in resources.files(PRESETS_PACKAGE).iterdir()
        if p.is_dir() and not p.name.startswith("_")
    )
    raise NotFoundError(
        f"No preset called {name_or_path!r}.",
        f"Use one of: {known}, or the path to a preset.yaml file.",
    )
