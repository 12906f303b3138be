"""Canonical organisations: one row per organisation, each field traced to its source row."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bioconnect.model.text_search import search_text

#: Fields of a canonical organisation taken from its records, best source first.
FIELDS = (
    "pic",
    "vat",
    "name",
    "short_name",
    "activity_type",
    "sme",
    "country",
    "city",
    "street",
    "postcode",
    "nuts_code",
    "lat",
    "lon",
    "url",
    "stakeholder_group",
)


@dataclass
class Registry:
    """The canonical organisations and what they were built from."""

    organisations: pd.DataFrame
    names: pd.DataFrame
    identifiers: pd.DataFrame
    provenance: pd.DataFrame


def build_registry(
    records: pd.DataFrame,
    links: pd.DataFrame,
    group_of_activity: dict[str, str],
    participations: pd.DataFrame | None = None,
    project_domains: pd.DataFrame | None = None,
) -> Registry:
    """Merge each organisation's records field by field.

    Parameters
    ----------
    records:
        Source records with ``id, record_key, priority, source_file_id, source_row`` and the
        organisation fields. A lower ``priority`` is a more trusted source.
    links:
        ``record_key, org_id`` from :func:`bioconnect.registry.resolve.resolve`.
    group_of_activity:
        CORDIS activity type → stakeholder group, from the preset.
    participations, project_domains:
        ``org_id, project_id`` and ``project_id, domain``. When given, each organisation
        gets ``domains`` (``;``-joined, see :func:`organisation_domains`) and ``n_projects``.

    Returns
    -------
    Registry
        For every field, the value of the first record (by priority, file, row) that has
        one; ``provenance`` names that record's file and row. A stakeholder group given
        in a record wins over one derived from the activity type.
    """
    # as objects on both sides: an empty frame (a source with no rows) has float keys
    frame = records.astype({"record_key": object}).merge(
        links[["record_key", "org_id"]].astype({"record_key": object}), on="record_key", how="inner"
    )
    frame = frame.sort_values(["org_id", "priority", "source_file_id", "source_row"], kind="stable")
    frame = frame.assign(
        stakeholder_group=frame["stakeholder_group"].fillna(
            frame["activity_type"].map(group_of_activity)
        )
    )
    orgs = pd.DataFrame({"id": frame["org_id"].drop_duplicates().to_numpy()})
    provenance: list[pd.DataFrame] = []
    for field in FIELDS:
        present = frame[frame[field].notna()].drop_duplicates("org_id")
        orgs = orgs.merge(
            present[["org_id", field]].rename(columns={"org_id": "id"}), on="id", how="left"
        )
        provenance.append(
            pd.DataFrame(
                {
                    "org_id": present["org_id"].to_numpy(),
                    "field": field,
                    "source_record_id": present["id"].to_numpy(),
                    "source_file_id": present["source_file_id"].to_numpy(),
                    "source_row": present["source_row"].to_numpy(),
                }
            )
        )
    names = (
        frame.dropna(subset=["name"])
        .groupby(["org_id", "name"], sort=True)
        .size()
        .rename("n_records")
        .reset_index()
    )
    orgs["search_text"] = orgs["id"].map(_search_texts(frame)).fillna("")
    ids = [
        frame.dropna(subset=[col])[["org_id", col]]
        .drop_duplicates()
        .rename(columns={col: "value"})
        .assign(scheme=col)
        for col in ("pic", "vat")
    ]
    identifiers = pd.concat(ids, ignore_index=True)[["org_id", "scheme", "value"]]
    if participations is not None:
        domains = organisation_domains(
            participations,
            project_domains
            if project_domains is not None
            else pd.DataFrame(columns=["project_id", "domain"]),
            frame,
        )
        joined = domains.sort_values(["org_id", "domain"]).groupby("org_id")["domain"].agg(";".join)
        orgs["domains"] = orgs["id"].map(joined)
        counts = participations.groupby("org_id")["project_id"].nunique()
        orgs["n_projects"] = orgs["id"].map(counts).fillna(0).astype(int)
    return Registry(
        organisations=orgs,
        names=names,
        identifiers=identifiers,
        provenance=pd.concat(provenance, ignore_index=True),
    )


def _search_texts(frame: pd.DataFrame) -> pd.Series:
    """Each organisation's names and short names, folded for search (:func:`search_text`)."""
    both = pd.concat(
        [
            frame[["org_id", "name"]],
            frame[["org_id", "short_name"]].set_axis(["org_id", "name"], axis=1),
        ],
        ignore_index=True,
    ).dropna(subset=["name"])
    both = both.drop_duplicates()
    return both.groupby("org_id", sort=False)["name"].agg(search_text)


def organisation_domains(
    participations: pd.DataFrame, project_domains: pd.DataFrame, records: pd.DataFrame
) -> pd.DataFrame:
    """Each organisation's domains: those of its projects, and any its records name.

    Returns ``org_id, domain, n_projects``.
    """
    from_projects = (
        participations[["org_id", "project_id"]]
        .drop_duplicates()
        .merge(project_domains[["project_id", "domain"]], on="project_id")
        .groupby(["org_id", "domain"])
        .size()
        .rename("n_projects")
        .reset_index()
    )
    stated = records.dropna(subset=["domain", "org_id"])[["org_id", "domain"]].drop_duplicates()
    stated = stated.assign(n_projects=0)
    both = pd.concat([from_projects, stated], ignore_index=True)
    return both.groupby(["org_id", "domain"], as_index=False)["n_projects"].max()
