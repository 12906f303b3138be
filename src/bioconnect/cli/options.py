"""Options several commands share, and who is running the command.

The network filter options are declared once here: a command that takes a
``query: NetworkQuery`` parameter and is decorated with :func:`network_query` shows
them in its ``--help`` where ``query`` stands and is called with the query they describe.
"""

from __future__ import annotations

import functools
import getpass
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from bioconnect.services.network import NetworkQuery

PresetOption = Annotated[
    str, typer.Option("--preset", help="Region preset name, or a path to a preset.yaml.")
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Folder with the open data (default: ../shared/data, else downloads)."
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
RefreshOption = Annotated[
    bool, typer.Option("--refresh", help="Recompute instead of using the cached result.")
]


def actor() -> str:
    """The name the audit log records for changes made from the command line."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "cli"


# --- the network filter ---------------------------------------------------------------

CountriesOption = Annotated[
    str | None,
    typer.Option("--countries", help="Comma-separated country codes (default: the preset's)."),
]
ScopeOption = Annotated[
    str, typer.Option("--scope", help="region, or region_plus_partners to add partners abroad.")
]
ProgrammeOption = Annotated[
    str | None, typer.Option("--programme", help="H2020 and/or HORIZON, comma-separated.")
]
DomainOption = Annotated[
    str | None, typer.Option("--domain", help="Only projects in these domains (comma-separated).")
]
ResearchOption = Annotated[
    str,
    typer.Option(
        "--research",
        help="focus: only the preset's focus domains (as the web pages show by default); "
        "all: all research.",
    ),
]
GroupOption = Annotated[
    str | None, typer.Option("--group", help="Only these stakeholder groups (comma-separated).")
]
FromOption = Annotated[int | None, typer.Option("--from", help="First project start year.")]
ToOption = Annotated[int | None, typer.Option("--to", help="Last project start year.")]
WeightOption = Annotated[str, typer.Option("--weight", help="projects, fractional or funding.")]

_KIND = inspect.Parameter.POSITIONAL_OR_KEYWORD
# in the order --help lists them; a command may show only some (the others keep these defaults)
NETWORK_FILTERS = (
    inspect.Parameter("preset", _KIND, default="baltic", annotation=PresetOption),
    inspect.Parameter("countries", _KIND, default=None, annotation=CountriesOption),
    inspect.Parameter("scope", _KIND, default="region", annotation=ScopeOption),
    inspect.Parameter("programme", _KIND, default=None, annotation=ProgrammeOption),
    inspect.Parameter("domain", _KIND, default=None, annotation=DomainOption),
    inspect.Parameter("research", _KIND, default="all", annotation=ResearchOption),
    inspect.Parameter("group", _KIND, default=None, annotation=GroupOption),
    inspect.Parameter("start", _KIND, default=None, annotation=FromOption),
    inspect.Parameter("end", _KIND, default=None, annotation=ToOption),
    inspect.Parameter("weight", _KIND, default="projects", annotation=WeightOption),
)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip()) if text else ()


def region_countries(countries: str | None, preset: str) -> list[str]:
    """The codes of ``--countries``, else the preset's countries and reference countries."""
    from bioconnect.services.regions import load_region

    return [c.upper() for c in _split(countries)] or load_region(preset).all_countries


def build_query(**given: Any) -> NetworkQuery:
    """The :class:`NetworkQuery` that the filter options' values (by parameter name) describe."""
    from bioconnect.services.network import NetworkQuery
    from bioconnect.services.regions import load_region
    from bioconnect.services.scope import filter_domains

    values = {p.name: p.default for p in NETWORK_FILTERS} | given
    preset = load_region(values["preset"])
    domains = filter_domains(preset, values["research"], _split(values["domain"]))
    return NetworkQuery(
        preset=values["preset"],
        countries=_split(values["countries"]),
        scope=values["scope"],
        programmes=_split(values["programme"]),
        domains=tuple(domains or ()),
        stakeholder_groups=_split(values["group"]),
        start_year=values["start"],
        end_year=values["end"],
        weight=values["weight"],
    )


def network_query(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Replace a command's ``query`` parameter by the network filter options.

    With no ``names`` the command gets all ten options, else only those named (by
    parameter name, e.g. ``"preset", "countries", "scope"``).
    """
    chosen = [p for p in NETWORK_FILTERS if not names or p.name in names]
    unknown = set(names) - {p.name for p in NETWORK_FILTERS}
    if unknown:
        raise ValueError(f"No network filter option {sorted(unknown)}.")

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        # NetworkQuery is only imported for type checking (the import is heavy); any
        # stand-in lets the other annotations be evaluated, and `query` is replaced
        signature = inspect.signature(command, eval_str=True, locals={"NetworkQuery": object})
        if "query" not in signature.parameters:
            raise TypeError(f"{command.__name__} has no `query` parameter for the network filter.")
        params: list[inspect.Parameter] = []
        for param in signature.parameters.values():
            if param.name == "query":
                params.extend(p.replace(kind=param.kind) for p in chosen)
            else:
                params.append(param)

        @functools.wraps(command)
        def run(**kwargs: Any) -> None:
            filters = {p.name: kwargs.pop(p.name) for p in chosen}
            command(**kwargs, query=build_query(**filters))

        run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
        return run

    return decorate
