"""Entity resolution: which source records describe the same organisation.

The rules, in order:

1. The same PIC is the same organisation (``method = pic``). Records whose PIC was read
   from another field (the contact-form address) count too.
2. Records without a PIC are compared, within their country, to every named record by
   splink on DuckDB: Jaro-Winkler similarity of the normalised name and of the city.
   The model's m and u probabilities are fixed (``NAME_LEVELS``, ``CITY_LEVELS``), not trained, so a run is
   reproducible and needs no labels.
3. A pair scoring at or above ``auto_merge`` is merged (``method = splink``). A pair
   between ``review`` and ``auto_merge`` goes to the review queue and is never merged
   until a reviewer accepts it. A reviewer's decision overrides the score either way.
4. A merge never joins two different PICs; such a pair goes to the review queue.
5. A pair whose left key is an outside list's row (``list:``, see
   :mod:`bioconnect.registry.link`) links that row to the right record's organisation
   and never merges anything; its status follows the same thresholds and decisions.

``docs/entity-resolution.md`` reports the precision and recall of these settings on the
Horizon Europe participants, whose PICs serve as the truth.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pandas as pd

from bioconnect.registry.names import normalise_name

#: Prior probability that two records of the same country are the same organisation.
PRIOR = 1e-3
#: Fixed Fellegi-Sunter parameters per compared field: Jaro-Winkler thresholds, then the
#: m and u probabilities of each level (exact, each threshold, else).
NAME_LEVELS = (
    [0.97, 0.92, 0.85],
    [0.85, 0.08, 0.04, 0.02, 0.01],
    [1e-5, 1e-4, 5e-4, 3e-3, 0.99639],
)
CITY_LEVELS = ([0.92], [0.8, 0.1, 0.1], [0.05, 0.02, 0.93])
#: The key prefix of an outside list's rows (a startup list), linked but never merged.
LIST_PREFIX = "list:"


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: merged at or above ``auto_merge``, reviewed from ``review``."""

    auto_merge: float = 0.99
    review: float = 0.80


def score_pairs(records: pd.DataFrame, *, minimum: float = 0.5) -> pd.DataFrame:
    """Score candidate pairs between records that lack a PIC and all named records.

    Parameters
    ----------
    records:
        ``record_key, pic, name, country, city``, one row per distinct record.
    minimum:
        Pairs scoring below this are not returned.

    Returns
    -------
    DataFrame ``left_key, right_key, probability, left_name, right_name, evidence``, with
    ``left_key`` always a record without a PIC, ordered by descending probability.
    """
    columns = ["left_key", "right_key", "probability", "left_name", "right_name", "evidence"]
    frame = records[
        records["country"].isin(set(records.loc[records["pic"].isna(), "country"]))
    ].copy()
    frame["name_norm"] = frame["name"].map(_comparable_name)
    frame["city_norm"] = frame["city"].map(normalise_name)
    frame = frame[frame["name_norm"].notna() & frame["country"].notna()]
    incoming = frame[frame["pic"].isna()]
    if incoming.empty:
        return pd.DataFrame(columns=columns)
    frame = frame[frame["country"].isin(set(incoming["country"]))]
    frame = frame.drop_duplicates("record_key").reset_index(drop=True)
    frame = frame.rename(columns={"record_key": "unique_id"})[
        ["unique_id", "pic", "name", "name_norm", "city_norm", "country"]
    ]
    frame["has_pic"] = frame["pic"].notna()

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    name_t, name_m, name_u = NAME_LEVELS
    city_t, city_m, city_u = CITY_LEVELS
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=PRIOR,
        comparisons=[
            cl.JaroWinklerAtThresholds("name_norm", name_t).configure(
                m_probabilities=name_m, u_probabilities=name_u
            ),
            cl.JaroWinklerAtThresholds("city_norm", city_t).configure(
                m_probabilities=city_m, u_probabilities=city_u
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("country", "substr(name_norm, 1, 4)"),
            block_on("country", "city_norm"),
            block_on("country", "split_part(name_norm, ' ', 1)"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
        additional_columns_to_retain=["has_pic", "name"],
    )
    db = DuckDBAPI()
    linker = Linker(db.register(frame, dataset_display_name="records"), settings, log_level="ERROR")
    predicted = linker.inference.predict(threshold_match_probability=minimum).as_pandas_dataframe()
    if predicted.empty:
        return pd.DataFrame(columns=columns)
    # keep pairs with at least one side lacking a PIC; put that side on the left
    predicted = predicted[
        ~(predicted["has_pic_l"].astype(bool) & predicted["has_pic_r"].astype(bool))
    ]
    swap = predicted["has_pic_l"].astype(bool)
    out = pd.DataFrame(
        {
            "left_key": predicted["unique_id_r"].where(swap, predicted["unique_id_l"]),
            "right_key": predicted["unique_id_l"].where(swap, predicted["unique_id_r"]),
            "probability": predicted["match_probability"].astype(float),
            "left_name": predicted["name_r"].where(swap, predicted["name_l"]),
            "right_name": predicted["name_l"].where(swap, predicted["name_r"]),
            "evidence": (
                "name: "
                + predicted["name_norm_l"].astype(str)
                + " ~ "
                + predicted["name_norm_r"].astype(str)
                + "; city: "
                + predicted["city_norm_l"].astype(str)
                + " ~ "
                + predicted["city_norm_r"].astype(str)
            ),
        }
    )
    return out.sort_values(
        ["probability", "left_key", "right_key"], ascending=[False, True, True]
    ).reset_index(drop=True)


_PARENTHESES = re.compile(r"\([^()]*\)")


def _comparable_name(name: object) -> str | None:
    """The name as the matcher compares it: normalised, without a part in parentheses
    (an acronym or a translation: "Tallinna Tehnikaülikool (TalTech)"), unless that
    is all there is.

    >>> _comparable_name("Tallinna Tehnikaülikool (TalTech)")
    'tallinna tehnikaulikool'
    >>> _comparable_name("(TalTech)")
    'taltech'
    """
    if not isinstance(name, str):
        return None
    return normalise_name(_PARENTHESES.sub(" ", name)) or normalise_name(name)


class _Clusters:
    """Union-find that keeps at most one PIC per cluster."""

    def __init__(self, keys: list[str], pic_of: dict[str, str]) -> None:
        self.parent = {k: k for k in keys}
        self.pic = {k: pic_of[k] for k in keys if k in pic_of}

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        pa, pb = self.pic.get(ra), self.pic.get(rb)
        if pa and pb and pa != pb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if pb and not pa:
            self.pic[ra] = pb
        return True


def link_status(probability: float, decision: bool | None, thresholds: Thresholds) -> str:
    """The status of a pair linking a list row to a record: a reviewer's decision, else
    ``auto`` at or above the merge threshold, ``pending`` from the review threshold, else
    ``below``.

    Examples
    --------
    >>> [link_status(p, None, Thresholds()) for p in (0.995, 0.9, 0.5)]
    ['auto', 'pending', 'below']
    >>> link_status(0.995, False, Thresholds())
    'rejected'
    """
    if decision is not None:
        return "accepted" if decision else "rejected"
    if probability >= thresholds.auto_merge:
        return "auto"
    return "pending" if probability >= thresholds.review else "below"


def _pair_status(
    clusters: _Clusters,
    method: dict[str, tuple[str, float]],
    left: str,
    right: str,
    probability: float,
    decision: bool | None,
    thresholds: Thresholds,
) -> str:
    """A scored pair's status; merges it (recording how, in ``method``) when it should be.

    A reviewer's decision wins over the score. A merge that would join two PICs does not
    happen and leaves the pair pending.
    """
    if decision is False:
        return "rejected"
    if decision is True or probability >= thresholds.auto_merge:
        merged = clusters.union(left, right)
        if not merged:
            return "pending"
        how = "review" if decision is True else "splink"
        for key in (left, right):
            method.setdefault(key, (how, probability))
        return "accepted" if decision is True else "auto"
    return "pending" if probability >= thresholds.review else "below"


def resolve(
    records: pd.DataFrame,
    pairs: pd.DataFrame,
    decisions: pd.DataFrame,
    thresholds: Thresholds,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster records into organisations.

    Parameters
    ----------
    records:
        ``record_key, pic``, one row per distinct record key.
    pairs:
        Output of :func:`score_pairs`.
    decisions:
        ``left_key, right_key, same``: reviewers' decisions, in either key order.
    thresholds:
        When a pair is merged without review, and when it is queued.

    Returns
    -------
    links:
        ``record_key, org_id, method, probability``. ``org_id`` is the PIC when the
        organisation has one, else ``N`` and a hash of its smallest record key.
    candidates:
        ``pairs`` with a ``status``: ``auto``, ``pending``, ``accepted``, ``rejected``,
        or ``below`` (under the review threshold; kept for the record).
    """
    keys = sorted(records["record_key"].unique())
    pic_of = dict(
        records.dropna(subset=["pic"]).drop_duplicates("record_key")[["record_key", "pic"]].values
    )
    decided: dict[tuple[str, str], bool] = {}
    for left, right, same in decisions[["left_key", "right_key", "same"]].itertuples(index=False):
        decided[(left, right)] = decided[(right, left)] = bool(same)

    # Records sharing a PIC share their key (pic:<PIC>), so they start as one cluster.
    clusters = _Clusters(keys, pic_of)

    statuses: list[str] = []
    method: dict[str, tuple[str, float]] = {}
    for left, right, probability in pairs[["left_key", "right_key", "probability"]].itertuples(
        index=False
    ):
        if str(left).startswith(LIST_PREFIX) and right in clusters.parent:
            statuses.append(link_status(float(probability), decided.get((left, right)), thresholds))
            continue
        if left not in clusters.parent or right not in clusters.parent:
            statuses.append("below")
            continue
        statuses.append(
            _pair_status(
                clusters,
                method,
                left,
                right,
                float(probability),
                decided.get((left, right)),
                thresholds,
            )
        )
    candidates = pairs.copy()
    candidates["status"] = statuses

    roots = {k: clusters.find(k) for k in keys}
    members: dict[str, list[str]] = {}
    for key, root in roots.items():
        members.setdefault(root, []).append(key)
    org_of_root = {}
    for root, group in members.items():
        pic = clusters.pic.get(root)
        org_of_root[root] = pic if pic else "N" + hashlib.sha1(min(group).encode()).hexdigest()[:12]
    links = pd.DataFrame(
        {
            "record_key": keys,
            "org_id": [org_of_root[roots[k]] for k in keys],
            "method": ["pic" if k in pic_of else method.get(k, ("new", None))[0] for k in keys],
            "probability": [method.get(k, (None, None))[1] for k in keys],
        }
    )
    return links, candidates
