"""Assigning projects and organisations to a region's domains by the preset's rules."""

from __future__ import annotations

import pandas as pd

from bioconnect.model.preset import Domain


def _under(values: pd.Series, prefixes: list[str], sep: str) -> pd.Series:
    """True where a value equals a prefix or continues it after ``sep``."""
    hit = pd.Series(False, index=values.index)
    text = values.astype("string")
    for prefix in prefixes:
        hit |= (text == prefix).fillna(False) | text.str.startswith(prefix + sep).fillna(False)
    return hit


def project_domains(
    parts: pd.DataFrame, fields: pd.DataFrame, domains: list[Domain]
) -> pd.DataFrame:
    """The domains of each project, with the rule that put it there.

    Parameters
    ----------
    parts:
        ``project_id, part``: programme parts (legal basis) of each project.
    fields:
        ``project_id, path``: EuroSciVoc paths of each project.
    domains:
        The preset's domains and their rules.

    Returns
    -------
    DataFrame with ``project_id, domain, rule``, one row per project and domain; ``rule``
    names the first matching rule (``scivoc:/path`` or ``part:HORIZON.2.1``).

    Examples
    --------
    >>> from bioconnect.model.preset import load_preset
    >>> parts = pd.DataFrame({"project_id": ["1", "2"], "part": ["HORIZON.2.1.4", "SC5"]})
    >>> fields = pd.DataFrame({"project_id": ["2"], "path": [
    ...     "/engineering and technology/industrial biotechnology/biomaterials"]})
    >>> project_domains(parts, fields, load_preset("baltic").domains)[["project_id", "domain"]]
      project_id      domain
    0          1      health
    1          2  industrial
    """
    found: list[pd.DataFrame] = []
    for domain in domains:
        rules = domain.rules
        if rules.scivoc_prefixes and not fields.empty:
            for prefix in rules.scivoc_prefixes:
                hit = fields[_under(fields["path"], [prefix], "/")]
                found.append(
                    pd.DataFrame(
                        {
                            "project_id": hit["project_id"],
                            "domain": domain.key,
                            "rule": f"scivoc:{prefix}",
                        }
                    )
                )
        if rules.programme_parts and not parts.empty:
            for part in rules.programme_parts:
                hit = parts[_under(parts["part"], [part], ".")]
                found.append(
                    pd.DataFrame(
                        {
                            "project_id": hit["project_id"],
                            "domain": domain.key,
                            "rule": f"part:{part}",
                        }
                    )
                )
    if not found:
        return pd.DataFrame(columns=["project_id", "domain", "rule"])
    out = pd.concat(found, ignore_index=True)
    out = out.drop_duplicates(["project_id", "domain"], keep="first")
    return out.sort_values(["project_id", "domain"]).reset_index(drop=True)
