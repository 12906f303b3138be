"""What the commands show: the two consoles, JSON, tables of data frames and progress bars.

Results go to standard output (``out``), messages and progress to standard error (``err``),
so ``bioconnect ... --format json > file.json`` writes only the result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from bioconnect.errors import BioconnectError

# Without console markup: names and texts from the data are printed as they are, so a name
# such as "[/bold]" neither breaks a table nor styles or links anything (use rich.text.Text
# for styles).
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    """Return ``fmt`` if the command offers it, else fail with the formats it does offer."""
    if fmt not in allowed:
        raise BioconnectError(f"Unknown format {fmt!r}.", f"Use one of: {', '.join(allowed)}.")
    return fmt


def print_json(data: Any) -> None:
    """Print data as indented JSON (dates and other values as text)."""
    out.print_json(json.dumps(data, default=str, ensure_ascii=False))


def print_frame(frame: Any, fmt: str, output: Path | None, title: str | None = None) -> None:
    """Print a data frame as a table, CSV or JSON records; CSV and JSON may go to a file."""
    from bioconnect.services.export import save_text, table_csv

    if fmt == "csv":
        text = table_csv(frame)  # formula prefixes neutralised, as in every export
    elif fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=1)
    else:
        table = Table(*[str(c) for c in frame.columns], title=title)
        for row in frame.itertuples(index=False):
            table.add_row(
                *[
                    "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
                    for v in row
                ]
            )
        out.print(table)
        return
    if output is not None:
        save_text(output, text)
        err.print(f"Wrote {len(frame):,} rows to {output}.")
    else:
        out.print(text, markup=False, highlight=False)


class RichStages:
    """Shows a service's stages as a progress bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def start(self, total: int, description: str) -> None:
        self.task = self.progress.add_task(description, total=total)

    def step(self, description: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=description)


class RichDownloads:
    """Shows downloads as byte progress bars (the fetch ProgressHook)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def start(self, name: str, total: int | None, completed: int) -> None:
        if name in self.tasks:
            self.progress.update(self.tasks[name], total=total, completed=completed)
        else:
            self.tasks[name] = self.progress.add_task(name, total=total, completed=completed)

    def advance(self, name: str, nbytes: int) -> None:
        self.progress.update(self.tasks[name], advance=nbytes)

    def finish(self, name: str) -> None:
        task = self.tasks[name]
        self.progress.update(task, completed=self.progress.tasks[task].total or 0)


def stage_progress() -> Progress:
    """A progress display for :class:`RichStages`; it disappears when done."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def download_progress() -> Progress:
    """A progress display for :class:`RichDownloads`, with sizes and speeds."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=err,
    )
