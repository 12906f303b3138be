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


class ConflictError(InputError):
    """What the user asked for conflicts with what the store holds now: a name that is
    taken, a survey that is not open, a report whose data is not loaded (HTTP 409).

    The same request may succeed later, or with another name; it is well formed.
    """


class NothingMatches(NotFoundError, InputError):
    """Well-formed filters that select nothing: a country no participation has, an empty
    time window (HTTP 404, as for an unknown organisation; to the CLI, an input error)."""
