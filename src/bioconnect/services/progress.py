"""A minimal progress protocol so long services can report without a terminal library."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives the stages of a long task; the CLI shows them as a progress bar."""

    def start(self, total: int, description: str) -> None: ...

    def step(self, description: str) -> None: ...


class NoProgress:
    """Progress that goes nowhere (library and test use)."""

    def start(self, total: int, description: str) -> None:
        return None

    def step(self, description: str) -> None:
        return None
