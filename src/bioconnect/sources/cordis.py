"""Files in the official CORDIS schema, as downloaded.

CORDIS publishes each framework programme as a zip of ';'-separated CSV files (and as
xlsx): ``project``, ``organization``, ``euroSciVoc``, ``topics``, ``legalBasis`` and
``webLink``. :func:`read_cordis` takes the zip, or a folder holding some of those files
as ``.csv``, ``.csv.gz`` or ``.xlsx``, and reads each through its built-in mapping
(``cordis_schema.yaml``), so the official files and a user's mapped files share one path.

A table may also come as dated slices, as pipelines that copy CORDIS every month keep it:
``organization-updated-to-2023-05-29.csv``, ``organization-updated-to-2023-06-05.csv``.
Each slice is read as a file of its own, the newest (last by name) first, so that where
two slices describe the same organisation the newest one wins.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from bioconnect.errors import InputError
from bioconnect.model.mapping import FieldSpec, Mapping, Target
from bioconnect.sources.mapped import MappedFile, read_mapped

#: The tables in the order they are read.
TABLES = ("project", "organization", "euroSciVoc", "topics", "legalBasis", "webLink")
_EXTENSIONS = (".csv", ".csv.gz", ".xlsx")


@cache
def official_mappings() -> dict[str, Mapping]:
    """The built-in mapping of each official CORDIS table."""
    text = resources.files("bioconnect.sources").joinpath("cordis_schema.yaml").read_text("utf-8")
    return {key: Mapping.model_validate(value) for key, value in yaml.safe_load(text).items()}


def with_programme(mapping: Mapping, programme: str | None) -> Mapping:
    """The mapping with a constant programme on records that lack one."""
    if programme is None:
        return mapping
    targets = []
    for target in mapping.targets:
        fields = dict(target.fields)
        if target.entity in {"project", "participation"}:
            spec = fields.get("programme")
            if spec is None or spec.column is not None:
                fields["programme"] = FieldSpec(value=programme)
        targets.append(target.model_copy(update={"fields": fields}))
    return mapping.model_copy(update={"targets": targets})


def _is_table_file(name: str, table: str) -> bool:
    """Whether a file name is ``table`` itself or a dated slice of it (``table-<suffix>``).

    >>> _is_table_file("organization-updated-to-2023-05-29.csv", "organization")
    True
    >>> _is_table_file("project.csv", "project"), _is_table_file("projects.csv", "project")
    (True, False)
    """
    for ext in _EXTENSIONS:
        if name.endswith(ext):
            stem = name[: -len(ext)]
            return stem == table or stem.startswith(f"{table}-")
    return False


def _find(folder: Path, table: str) -> list[Path]:
    """The files of ``table`` in ``folder``: the table itself, else its dated slices,
    newest first."""
    for ext in _EXTENSIONS:
        candidate = folder / f"{table}{ext}"
        if candidate.is_file():
            return [candidate]
    slices = [p for p in folder.iterdir() if p.is_file() and _is_table_file(p.name, table)]
    return sorted(slices, key=lambda p: p.name, reverse=True)


@contextmanager
def _opened(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield path
        return
    if path.suffix.lower() != ".zip":
        raise InputError(
            f"{path} is neither a folder nor a zip of CORDIS files.",
            "Point the source at the downloaded zip or at a folder holding project.csv etc.",
        )
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"{path.name} is not a valid zip file ({exc}).",
            "Delete it and run `bioconnect fetch cordis` again.",
        ) from exc
    with archive, tempfile.TemporaryDirectory(prefix="bioconnect-cordis-") as tmp:
        for member in archive.namelist():
            name = Path(member).name
            if any(_is_table_file(name, t) for t in TABLES):
                (Path(tmp) / name).write_bytes(archive.read(member))
        yield Path(tmp)


def read_cordis(path: Path, programme: str | None = None) -> list[MappedFile]:
    """Read every official table found in a CORDIS zip or folder.

    Tables that are absent are skipped; a folder with none of them is an error.
    The ``path`` of each result names the file inside the zip as ``<zip>/<table>.csv``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"{path} does not exist.", "Check the path, or run `bioconnect fetch cordis`."
        )
    results: list[MappedFile] = []
    with _opened(path) as folder:
        for table in TABLES:
            mapping = with_programme(official_mappings()[table], programme)
            for found in _find(folder, table):
                result = read_mapped(found, mapping)
                if not path.is_dir():
                    result.path = path / found.name
                results.append(result)
    if not results:
        raise InputError(
            f"{path} holds none of the CORDIS tables ({', '.join(TABLES)}).",
            "Point the source at a CORDIS download or a folder of its files.",
        )
    return results


__all__ = ["TABLES", "Target", "official_mappings", "read_cordis", "with_programme"]
