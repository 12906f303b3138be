"""Measuring the matcher on labelled real data.

The Horizon Europe participants carry their PIC inside the contact-form address, which
makes them labelled data: each participant is matched by name, country and city alone
against the named records of organizations_2017.csv and fp7/organization.csv, and the
match is right when the PICs agree. ``benchmarks/eval_resolution.py`` prints the table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bioconnect.registry.resolve import score_pairs


def labelled_records(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(incoming records without PIC but with their true PIC, named registry records)."""
    cordis = data / "cordis"
    o17 = pd.read_csv(cordis / "h2020/organizations_2017.csv", dtype=str)[
        ["pic", "name", "country", "city"]
    ]
    fp7 = pd.read_csv(cordis / "fp7/organization.csv", dtype=str).rename(
        columns={"idOrganization": "pic"}
    )
    fp7["city"] = fp7["address"].str.extract(r"([^,]+),\s*[^,]*$", expand=False)
    registry = pd.concat([o17, fp7[["pic", "name", "country", "city"]]]).dropna(
        subset=["pic", "name"]
    )
    registry = registry.drop_duplicates("pic")
    he = pd.read_csv(cordis / "horizon-europe/organization_subset.csv", sep=";", dtype=str)
    he["true_pic"] = he["contactForm"].str.extract(r"contact-form/project/(\d+)/", expand=False)
    he = he.drop_duplicates(["true_pic", "name"])
    he = he[he["true_pic"].isin(set(registry["pic"]))][["true_pic", "name", "country", "city"]]
    return he.reset_index(drop=True), registry.reset_index(drop=True)


def evaluate(data: Path, thresholds: list[float]) -> pd.DataFrame:
    """Precision and recall of the best match per participant, at each threshold.

    Parameters
    ----------
    data:
        The data folder holding ``cordis/``.
    thresholds:
        Match probabilities to report.

    Returns
    -------
    DataFrame with ``threshold, matched, precision, recall, records``.
    """
    incoming, registry = labelled_records(data)
    records = pd.concat(
        [
            pd.DataFrame(
                {
                    "record_key": [f"in:{i}" for i in incoming.index],
                    "pic": None,
                    "name": incoming["name"],
                    "country": incoming["country"],
                    "city": incoming["city"],
                }
            ),
            pd.DataFrame(
                {
                    "record_key": "pic:" + registry["pic"],
                    "pic": registry["pic"],
                    "name": registry["name"],
                    "country": registry["country"],
                    "city": registry["city"],
                }
            ),
        ],
        ignore_index=True,
    )
    pairs = score_pairs(records, minimum=min(thresholds))
    pairs = pairs[pairs["right_key"].str.startswith("pic:")]
    best = pairs.drop_duplicates("left_key", keep="first")  # highest probability first
    truth = dict(zip([f"in:{i}" for i in incoming.index], incoming["true_pic"], strict=True))
    best = best.assign(
        correct=best["right_key"].str.removeprefix("pic:") == best["left_key"].map(truth)
    )
    rows = []
    for threshold in thresholds:
        chosen = best[best["probability"] >= threshold]
        rows.append(
            {
                "threshold": threshold,
                "matched": len(chosen),
                "precision": round(float(chosen["correct"].mean()), 4)
                if len(chosen)
                else float("nan"),
                "recall": round(float(chosen["correct"].sum()) / len(incoming), 4),
            }
        )
    return pd.DataFrame(rows).assign(records=len(incoming))
