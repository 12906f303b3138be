"""country_ties: tie ends at home and abroad, and eigenvector position, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bioconnect.errors import InputError
from bioconnect.network import country_ties


def test_a_hand_computed_case() -> None:
    # P1: a, b (EE) and c (LV); P2: a (EE) and d (FI); a repeated row of a in P1 counts once
    p = pd.DataFrame(
        {
            "project_id": ["P1", "P1", "P1", "P1", "P2", "P2"],
            "org_id": ["a", "a", "b", "c", "a", "d"],
            "country": ["EE", "EE", "EE", "LV", "EE", "FI"],
        }
    )
    ties = country_ties(p)
    # EE: P1 2 orgs x 2 other participants + P2 1 x 1 = 5 ends; abroad 2 x 1 + 1 x 1 = 3
    assert ties.loc["EE", "tie_ends"] == 5 and ties.loc["EE", "cross_border_ends"] == 3
    assert ties.loc["LV", "cross_border_share"] == 1.0
    # W: EE-LV = 2, EE-FI = 1; the leading eigenvector of [[0,2,1],[2,0,0],[1,0,0]]
    # is (sqrt 5, 2, 1) / norm, so scaled to the largest: EE 1, LV 2/sqrt 5, FI 1/sqrt 5
    assert ties.loc["EE", "eigenvector"] == pytest.approx(1.0)
    assert ties.loc["LV", "eigenvector"] == pytest.approx(2 / math.sqrt(5))
    assert ties.loc["FI", "eigenvector"] == pytest.approx(1 / math.sqrt(5))


def test_a_country_alone_has_no_share_and_no_position() -> None:
    p = pd.DataFrame({"project_id": ["P1"], "org_id": ["a"], "country": ["EE"]})
    ties = country_ties(p)
    assert ties.loc["EE", "tie_ends"] == 0
    assert math.isnan(ties.loc["EE", "cross_border_share"])
    assert ties.loc["EE", "eigenvector"] == 0.0


def test_a_missing_column_is_named() -> None:
    with pytest.raises(InputError, match="column country"):
        country_ties(pd.DataFrame({"project_id": ["P1"], "org_id": ["a"]}))
