"""The framework of a composite indicator: units, indicators, levels, parents and weights.

The shape is COINr's: ``iData`` holds one row per unit (``uCode``, optional ``uName``,
group columns, denominator columns, one column per indicator) and ``iMeta`` one row per
indicator, aggregate, group or denominator (``iCode``, ``Level``, ``Parent``, ``Weight``,
``Direction``, ``Denominator``, ``Target``, ``Type``). :func:`validate_framework` turns the
two tables into a :class:`Framework` or raises one :class:`~bioconnect.errors.InputError`
naming the file, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from bioconnect.errors import InputError

__all__ = ["Framework", "validate_framework"]

_META_REQUIRED = ("iCode", "Level", "Parent", "Weight", "Direction", "Type")
_TYPES = {"Indicator", "Aggregate", "Group", "Denominator", "Other"}


@dataclass(frozen=True)
class Framework:
    """A validated iData/iMeta pair.

    Attributes
    ----------
    data:
        Indicator values, one row per unit (index ``uCode``), one float column per indicator.
    meta:
        The indicator and aggregate rows of iMeta (index ``iCode``) with ``Level`` (int),
        ``Parent``, ``Weight``, ``Direction``, ``Denominator`` and ``Target``.
    groups:
        The group columns of iData (index ``uCode``), as text.
    denominators:
        The denominator columns of iData (index ``uCode``), as floats.
    names:
        Unit names (``uName``) by ``uCode``, or the codes when iData has no names.
    """

    data: pd.DataFrame
    meta: pd.DataFrame
    groups: pd.DataFrame
    denominators: pd.DataFrame
    names: pd.Series = field(repr=False)

    @property
    def indicators(self) -> list[str]:
        """Codes of the Level-1 indicators, in iMeta order."""
        return list(self.meta.index[self.meta["Level"] == 1])

    @property
    def n_levels(self) -> int:
        """Number of levels, indicators included."""
        return max(self._tree[1])

    @cached_property
    def _tree(self) -> tuple[dict[str, list[str]], dict[int, list[str]]]:
        # one pass over iMeta, kept for the framework's life (it is immutable)
        kids: dict[str, list[str]] = {}
        levels: dict[int, list[str]] = {}
        for code, parent, level in zip(
            self.meta.index, self.meta["Parent"], self.meta["Level"], strict=True
        ):
            if isinstance(parent, str):
                kids.setdefault(parent, []).append(code)
            levels.setdefault(int(level), []).append(code)
        return kids, levels

    def children(self, code: str) -> list[str]:
        """Codes whose parent is ``code``, in iMeta order."""
        return list(self._tree[0].get(code, []))

    def codes_at(self, level: int) -> list[str]:
        """Codes at ``level`` (1 = indicators), in iMeta order."""
        return list(self._tree[1].get(level, []))

    def with_data(self, data: pd.DataFrame) -> Framework:
        """The same framework with other indicator values (for example a subset of units)."""
        keep = data.index
        if keep.equals(self.data.index):
            return Framework(data, self.meta, self.groups, self.denominators, self.names)
        return Framework(
            data=data,
            meta=self.meta,
            groups=self.groups.loc[keep],
            denominators=self.denominators.loc[keep],
            names=self.names.loc[keep],
        )

    def with_meta(self, meta: pd.DataFrame) -> Framework:
        """The same framework with another iMeta (for example other weights)."""
        return Framework(self.data, meta, self.groups, self.denominators, self.names)


def _fail(source: str, row: int | None, column: str, problem: str, fix: str) -> InputError:
    where = f"{source}" + (f", row {row}" if row is not None else "") + f", column {column}"
    return InputError(f"{where}: {problem}", fix)


def _number(value: object, source: str, row: int, column: str, *, required: bool = True) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        if required:
            raise _fail(source, row, column, "is empty.", "Give a number.")
        return float("nan")
    try:
        return float(str(value).strip())
    except ValueError:
        raise _fail(
            source, row, column, f"{value!r} is not a number.", "Give a plain number such as 1.5."
        ) from None


def _clean_meta(meta: pd.DataFrame, source: str) -> pd.DataFrame:
    missing = [c for c in _META_REQUIRED if c not in meta.columns]
    if missing:
        raise _fail(
            source, None, missing[0], "is missing.", f"iMeta needs {', '.join(_META_REQUIRED)}."
        )
    meta = meta.reset_index(drop=True)
    rows = []
    seen: set[str] = set()
    for i, rec in enumerate(meta.to_dict("records")):
        row = i + 2  # header is row 1
        code = str(rec["iCode"]).strip()
        kind = str(rec["Type"]).strip()
        if kind not in _TYPES:
            raise _fail(
                source, row, "Type", f"{kind!r} is not a type.", f"Use one of {sorted(_TYPES)}."
            )
        if code in seen:
            raise _fail(source, row, "iCode", f"{code!r} appears twice.", "Give each code once.")
        seen.add(code)
        if kind not in ("Indicator", "Aggregate"):
            continue
        level = _number(rec["Level"], source, row, "Level")
        weight = _number(rec["Weight"], source, row, "Weight")
        if weight < 0:
            raise _fail(
                source, row, "Weight", f"{weight:g} is negative.", "Give a weight of 0 or more."
            )
        direction = _number(rec["Direction"], source, row, "Direction")
        if direction not in (1.0, -1.0):
            raise _fail(
                source,
                row,
                "Direction",
                f"{rec['Direction']!r} is not 1 or -1.",
                "Use 1 (higher is better) or -1 (lower is better).",
            )
        parent = rec["Parent"]
        parent = (
            None
            if parent is None or (isinstance(parent, float) and np.isnan(parent))
            else str(parent).strip() or None
        )
        denom = rec.get("Denominator")
        denom = (
            None
            if denom is None or (isinstance(denom, float) and np.isnan(denom))
            else str(denom).strip() or None
        )
        target = _number(rec.get("Target"), source, row, "Target", required=False)
        rows.append(
            {
                "iCode": code,
                "Level": int(level),
                "Parent": parent,
                "Weight": weight,
                "Direction": int(direction),
                "Denominator": denom,
                "Target": target,
                "Type": kind,
                "row": row,
                "iName": rec.get("iName", code),
            }
        )
    frame = pd.DataFrame(rows).set_index("iCode")
    for column in ("Parent", "Denominator", "Type", "iName"):
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    return frame


def _check_tree(meta: pd.DataFrame, source: str) -> None:
    codes = set(meta.index)
    for code, rec in meta.iterrows():
        parent = rec["Parent"]
        if parent is None:
            continue
        if parent not in codes:
            raise _fail(
                source,
                int(rec["row"]),
                "Parent",
                f"{parent!r} (parent of {code!r}) is not an aggregate in iMeta.",
                "Add a row of Type Aggregate for it, or correct the Parent.",
            )
        chain = [code]
        node = parent
        while node is not None:
            if node in chain:
                raise _fail(
                    source,
                    int(rec["row"]),
                    "Parent",
                    "the parents form a cycle: " + " -> ".join([*chain, node]) + ".",
                    "Each code's parent must be one level up.",
                )
            chain.append(node)
            node = meta.at[node, "Parent"]
        if int(meta.at[parent, "Level"]) != int(rec["Level"]) + 1:
            raise _fail(
                source,
                int(rec["row"]),
                "Level",
                f"{code!r} is at level {rec['Level']} but its parent {parent!r} is at level {meta.at[parent, 'Level']}.",
                "A parent is exactly one level above its children.",
            )
    for code, rec in meta[meta["Type"] == "Aggregate"].iterrows():
        if not (meta["Parent"] == code).any():
            raise _fail(
                source,
                int(rec["row"]),
                "iCode",
                f"aggregate {code!r} has no children.",
                "Give it children or remove it.",
            )
    if (meta["Type"] == "Indicator").ne(meta["Level"] == 1).any():
        bad = meta[(meta["Type"] == "Indicator") != (meta["Level"] == 1)].iloc[0]
        raise _fail(
            source,
            int(bad["row"]),
            "Level",
            "indicators are level 1 and aggregates above.",
            "Correct the Level.",
        )


def _numeric_column(column: pd.Series, source: str, name: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    values = column.astype("string").str.strip()
    out = pd.to_numeric(values, errors="coerce")
    bad = out.isna() & values.notna() & values.ne("")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _fail(
            source,
            i + 2,
            name,
            f"{column.iloc[i]!r} is not a number.",
            "Give a number, or leave the cell empty for a missing value.",
        )
    return out.astype(float)


def validate_framework(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    data_source: str = "iData",
    meta_source: str = "iMeta",
) -> Framework:
    """Check an iData/iMeta pair and return it as a :class:`Framework`.

    Parameters
    ----------
    data:
        iData: ``uCode`` and one column per indicator, group and denominator.
    meta:
        iMeta with at least ``iCode, Level, Parent, Weight, Direction, Type``.
    data_source, meta_source:
        Names of the two files, used in error messages.

    Returns
    -------
    Framework

    Raises
    ------
    InputError
        A cycle of parents, a parent that is not an aggregate, an indicator missing from
        iData, a non-numeric value, a negative weight, a direction other than 1 or -1, a
        denominator column missing or holding a zero; the message names file, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"uCode": ["A", "B"], "x": [1, 2], "y": [3, 5]})
    >>> meta = pd.DataFrame({"iCode": ["x", "y", "Index"], "Level": [1, 1, 2],
    ...     "Parent": ["Index", "Index", None], "Weight": [1, 1, 1], "Direction": [1, -1, 1],
    ...     "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> fw = validate_framework(data, meta)
    >>> fw.indicators, fw.children("Index")
    (['x', 'y'], ['x', 'y'])

    References
    ----------
    Becker, W. et al. (2022). COINr: An R package for developing composite indicators.
    *Journal of Open Source Software* 7(78), 4567 (the iData/iMeta format).
    """
    clean = _clean_meta(meta, meta_source)
    _check_tree(clean, meta_source)
    if "uCode" not in data.columns:
        raise _fail(
            data_source,
            None,
            "uCode",
            "is missing.",
            "iData needs a uCode column naming each unit.",
        )
    codes = data["uCode"].astype(str).str.strip()
    if codes.duplicated().any():
        i = int(np.flatnonzero(codes.duplicated().to_numpy())[0])
        raise _fail(
            data_source, i + 2, "uCode", f"{codes.iloc[i]!r} appears twice.", "Give each unit once."
        )
    frame = data.copy()
    frame.index = pd.Index(codes, name="uCode")
    indicators = list(clean.index[clean["Type"] == "Indicator"])
    values = {}
    for code in indicators:
        if code not in frame.columns:
            row = int(clean.at[code, "row"])
            raise _fail(
                meta_source,
                row,
                "iCode",
                f"indicator {code!r} is not a column of {data_source}.",
                "Add the column or remove the row.",
            )
        values[code] = _numeric_column(frame[code], data_source, code)
    denominators = {}
    for code, denom in clean["Denominator"].dropna().items():
        if denom not in frame.columns:
            raise _fail(
                meta_source,
                int(clean.at[code, "row"]),
                "Denominator",
                f"{denom!r} is not a column of {data_source}.",
                "Add the denominator column to iData.",
            )
        column = _numeric_column(frame[denom], data_source, denom)
        if (column == 0).any():
            i = int(np.flatnonzero((column == 0).to_numpy())[0])
            raise _fail(
                data_source,
                i + 2,
                denom,
                f"the denominator is zero for {codes.iloc[i]!r}.",
                "Give a non-zero denominator or leave it empty (missing).",
            )
        denominators[denom] = column
    meta_all = meta.assign(iCode=meta["iCode"].astype(str).str.strip())
    group_cols = [
        c for c in meta_all.loc[meta_all["Type"] == "Group", "iCode"] if c in frame.columns
    ]
    names = (
        frame["uName"].astype(str)
        if "uName" in frame.columns
        else pd.Series(frame.index, index=frame.index)
    )
    return Framework(
        data=pd.DataFrame(values, index=frame.index),
        meta=clean,
        groups=frame[group_cols].astype("string")
        if group_cols
        else pd.DataFrame(index=frame.index),
        denominators=pd.DataFrame(denominators, index=frame.index),
        names=names,
    )
