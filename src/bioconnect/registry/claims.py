"""PICs that users' lists claim for an organisation in another country.

The PIC is the strongest evidence the resolver has: records sharing one are merged at
once (:mod:`bioconnect.registry.resolve`, rule 1). A PIC typed into a stakeholder list
by hand can be wrong, and then it silently merged, say, "Vilniaus universitetas, LT"
into an organisation in Greece. So a row of a user's list whose PIC belongs, in the open
data, to an organisation of another country keeps its PIC out of its key: it is keyed
by its name, country and city like a row without a PIC (and so matched within its own
country), and the claim goes to the review queue as a pair with the PIC's organisation.
"""

from __future__ import annotations

import pandas as pd

from bioconnect.registry.names import record_key

#: The European Commission's country codes and their ISO 3166-1 equivalents.
_SAME_COUNTRY = {"EL": "GR", "UK": "GB"}

PAIR_COLUMNS = ["left_key", "right_key", "probability", "left_name", "right_name", "evidence"]


def foreign_pic_claims(
    records: pd.DataFrame, trusted: pd.Series, *, probability: float
) -> tuple[pd.Series, pd.DataFrame]:
    """New keys for untrusted records whose PIC is another country's, and review pairs.

    Parameters
    ----------
    records:
        ``record_key, pic, name, country, city``, best source first.
    trusted:
        Boolean, aligned with ``records``: True for the open data (CORDIS and the
        preset's own sources), False for users' lists.
    probability:
        The score the pairs carry: the review threshold, so that each is queued and
        none is merged without a reviewer.

    Returns
    -------
    keys:
        ``record_key`` for every record, changed only for the claims.
    pairs:
        One pair per claim (``left_key`` the claim, ``right_key`` the PIC's record),
        in the shape of :func:`bioconnect.registry.resolve.score_pairs`.

    Example
    -------
    >>> records = pd.DataFrame({
    ...     "record_key": ["pic:999990001", "pic:999990001"], "pic": ["999990001"] * 2,
    ...     "name": ["ETHNIKO PANEPISTIMIO", "Vilniaus universitetas"],
    ...     "country": ["EL", "LT"], "city": ["Athina", "Vilnius"]})
    >>> keys, pairs = foreign_pic_claims(records, pd.Series([True, False]), probability=0.8)
    >>> keys.iloc[1].startswith("rec:"), pairs.loc[0, "right_key"]
    (True, 'pic:999990001')
    >>> print(pairs.loc[0, "evidence"])
    PIC 999990001 is ETHNIKO PANEPISTIMIO (EL) in the open data; this row says LT

    References
    ----------
    The PIC: European Commission, Funding & Tenders Portal, "Participant Identification
    Code" (one per legal entity, held with its legal address).
    """
    trusted = trusted.astype(bool)
    country = records["country"].map(lambda c: _SAME_COUNTRY.get(c, c) if isinstance(c, str) else c)
    official = records[trusted & records["pic"].notna() & country.notna()]
    first = official.drop_duplicates("pic")
    home = first.set_index("pic")["country"].map(lambda c: _SAME_COUNTRY.get(c, c))
    home_name = official.dropna(subset=["name"]).drop_duplicates("pic").set_index("pic")["name"]
    claimed = records["pic"].map(home)
    foreign = ~trusted & records["pic"].notna() & country.notna() & claimed.notna()
    foreign &= country != claimed
    keys = records["record_key"].copy()
    if not foreign.any():
        return keys, pd.DataFrame(columns=PAIR_COLUMNS)
    rows = records[foreign]
    new_keys = [
        record_key(None, n, c, t)
        for n, c, t in zip(rows["name"], rows["country"], rows["city"], strict=True)
    ]
    keys.loc[foreign] = new_keys
    pairs = pd.DataFrame(
        {
            "left_key": new_keys,
            "right_key": ("pic:" + rows["pic"].astype(str)).to_numpy(),
            "probability": probability,
            "left_name": rows["name"].to_numpy(),
            "right_name": rows["pic"].map(home_name).to_numpy(),
            "evidence": [
                f"PIC {pic} is {home_name.get(pic)} ({first.set_index('pic').at[pic, 'country']}) "
                f"in the open data; this row says {c}"
                for pic, c in zip(rows["pic"], rows["country"], strict=True)
            ],
        }
    )
    return keys, pairs.drop_duplicates(["left_key", "right_key"]).reset_index(drop=True)
