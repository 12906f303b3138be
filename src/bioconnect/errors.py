"""Errors that reach users.

Every error a user can cause carries two parts: what is wrong, and how to fix it.
The CLI prints ``str(error)`` as one line; the API turns it into a 4xx response.
"""

from __future__ import annotations


class BioconnectError(Exception):
    """An error caused by input, configuration or the environment, not by a bug.

    Parameters
    ----------
    problem:
        What is wrong, naming the file, row and column when there is one.
    fix:
        What the user can do about it.
    """

    def __init__(self, problem: str, fix: str = "") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} {fix}".strip() if fix else problem)


class InputError(BioconnectError):
    """A file, mapping, preset or parameter the user supplied is not usable."""


class NotFoundError(BioconnectError):
    """Something the user asked for (an organisation, a preset, a file) does not exist."""


class StoreBusy(BioconnectError):
    """The store was busy with other changes; nothing was saved, and trying again later works."""
