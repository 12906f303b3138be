"""Region presets as the interfaces see them: the list, one preset, its filter choices."""

from __future__ import annotations

from dataclasses import dataclass

from bioconnect.model.preset import Preset, list_presets, load_preset

__all__ = ["FilterChoices", "Preset", "filter_choices", "list_regions", "load_region"]


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
