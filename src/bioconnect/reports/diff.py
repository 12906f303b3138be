"""Comparing the key figures of two editions of a report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FigureChange:
    """One key figure in two editions; ``None`` where an edition lacks it."""

    name: str
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        """``added``, ``removed``, ``changed`` or ``same``."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "same" if self.before == self.after else "changed"


def diff_figures(
    before: Mapping[str, str], after: Mapping[str, str], *, changed_only: bool = True
) -> list[FigureChange]:
    """The key figures that differ between two editions, in the newer one's order.

    Parameters
    ----------
    before, after:
        Key figures by name, as the editions stored them (text, as the report shows them).
    changed_only:
        Leave out the figures that are the same in both.

    Returns
    -------
    list[FigureChange]
        The newer edition's figures first, then those it no longer has.

    Example
    -------
    >>> old = {"EE participations": "728", "LV group": "Emerging"}
    >>> new = {"EE participations": "731", "LV group": "Emerging", "LT group": "Moderate"}
    >>> [(c.name, c.kind) for c in diff_figures(old, new)]
    [('EE participations', 'changed'), ('LT group', 'added')]

    References
    ----------
    None: a plain comparison by name.
    """
    names = list(after) + [n for n in before if n not in after]
    changes = [FigureChange(n, before.get(n), after.get(n)) for n in names]
    return [c for c in changes if not changed_only or c.kind != "same"]
