"""Small hand-made input frames for the network tests."""

from __future__ import annotations

import pandas as pd


def participations(
    projects: dict[str, list[str]],
    countries: dict[str, str] | None = None,
    years: dict[str, int] | None = None,
    contributions: dict[tuple[str, str], float] | None = None,
    programme: str = "H2020",
) -> pd.DataFrame:
    """Participations from ``{project: [org, ...]}``; countries default to EE."""
    rows = []
    for project, orgs in projects.items():
        for org in orgs:
            rows.append(
                {
                    "org_id": org,
                    "project_id": project,
                    "programme": programme,
                    "start_year": (years or {}).get(project, 2016),
                    "ec_contribution": (contributions or {}).get((org, project), float("nan")),
                    "country": (countries or {}).get(org, "EE"),
                }
            )
    frame = pd.DataFrame(rows)
    frame["start_year"] = frame["start_year"].astype("Int64")
    return frame


def organisations(groups: dict[str, str], countries: dict[str, str] | None = None) -> pd.DataFrame:
    """Organisation table with a stakeholder group per org and a made-up name."""
    return pd.DataFrame(
        {
            "org_id": list(groups),
            "pic": [f"9{i:08d}" for i in range(len(groups))],
            "name": [f"Org {k.upper()}" for k in groups],
            "country": [(countries or {}).get(k, "EE") for k in groups],
            "stakeholder_group": list(groups.values()),
        }
    )
