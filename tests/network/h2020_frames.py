"""Build the network input frames from the real H2020 files in ``../shared/data``.

The frames follow the columnar contract of :mod:`bioconnect.network`: ``participations``,
``organisations`` and ``project_domains``. H2020 has no organisation ids other than the PIC,
so ``org_id`` is the PIC. Names come from ``organizations_2017.csv`` (about 76% of the PICs);
the rest stay ``None``. Domains come from the programme part: ``SC1`` (Health, demographic change
and wellbeing) is ``health`` and ``SC2`` (Food security, sustainable agriculture, marine research
and the bioeconomy) is ``agrifood``. The file has no BBI or LEIT-BIO part, so no project is
tagged ``industrial`` from this source.

Source: CORDIS, European Commission (CC BY 4.0).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("BIOCONNECT_TEST_DATA", ROOT.parent / "shared" / "data"))
H2020_DIR = DATA_DIR / "cordis" / "h2020"

#: CORDIS activity type -> stakeholder group.
ACTIVITY_GROUP = {
    "HES": "academia",
    "REC": "academia",
    "PRC": "industry",
    "PUB": "public",
    "OTH": "other",
}

#: H2020 programme part -> thematic domain. Only parts that name a domain are mapped.
PART_DOMAIN = {"SC1": "health", "SC2": "agrifood"}


@dataclass(frozen=True)
class H2020Frames:
    participations: pd.DataFrame
    organisations: pd.DataFrame
    project_domains: pd.DataFrame


def available() -> bool:
    """Whether the real H2020 files are present."""
    return (H2020_DIR / "h2020.csv.gz").exists()


@cache
def load() -> H2020Frames:
    """Read the H2020 files once per process and return the three input frames."""
    raw = pd.read_csv(
        H2020_DIR / "h2020.csv.gz",
        dtype=str,
        keep_default_na=False,
        usecols=["rcn", "pic", "type", "contribution", "country", "start_year"],
    )
    contribution = pd.to_numeric(raw["contribution"].replace({"NA": ""}), errors="coerce")
    start_year = pd.to_numeric(raw["start_year"].replace({"NA": ""}), errors="coerce")
    participations = pd.DataFrame(
        {
            "org_id": raw["pic"].astype(object),
            "project_id": raw["rcn"].astype(object),
            "programme": "H2020",
            "start_year": start_year.astype("Int64"),
            "ec_contribution": contribution.astype(float),
            "country": raw["country"].astype(object),
        }
    )

    names = pd.read_csv(
        H2020_DIR / "organizations_2017.csv",
        dtype=str,
        keep_default_na=False,
        usecols=["pic", "name"],
    ).drop_duplicates("pic")
    orgs = raw.drop_duplicates("pic")[["pic", "country", "type"]].merge(names, on="pic", how="left")
    name = orgs["name"].astype(object)
    organisations = pd.DataFrame(
        {
            "org_id": orgs["pic"].astype(object),
            "pic": orgs["pic"].astype(object),
            "name": name.where(name.notna() & (name != ""), None),
            "country": orgs["country"].astype(object),
            "stakeholder_group": orgs["type"].map(ACTIVITY_GROUP).astype(object),
        }
    )

    parts = pd.read_csv(H2020_DIR / "programme_parts.csv.gz", dtype=str, keep_default_na=False)
    parts = parts[parts["programme_part"].isin(list(PART_DOMAIN))]
    project_domains = (
        pd.DataFrame(
            {
                "project_id": parts["rcn"].astype(object),
                "domain": parts["programme_part"].map(PART_DOMAIN).astype(object),
            }
        )
        .drop_duplicates()
        .reset_index(drop=True)
    )
    assert np.all(organisations["org_id"].notna())
    return H2020Frames(participations, organisations, project_domains)
