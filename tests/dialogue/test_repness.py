"""Representative statements and consensus: a hand-computed matrix, then METHOD.md's
formulas recomputed with pandas on brexit-consensus."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bioconnect.dialogue import (
    consensus_statements,
    group_informed_consensus,
    representative_statements,
    stakeholder_consensus,
    statement_stats,
    two_proportion_z,
    weighted_agreement,
)

# Six participants, groups 0 (rows 0-2) and 1 (rows 3-5), three statements.
HAND = np.array(
    [
        [1.0, 1.0, -1.0],
        [1.0, 1.0, np.nan],
        [1.0, 0.0, -1.0],
        [-1.0, 1.0, 1.0],
        [-1.0, 1.0, 1.0],
        [-1.0, np.nan, 1.0],
    ]
)
GROUP = np.array([0, 0, 0, 1, 1, 1])


def test_hand_computed_statistics() -> None:
    s = statement_stats(HAND, GROUP == 0)
    assert s.na.tolist() == [3, 2, 0] and s.nd.tolist() == [0, 0, 2] and s.ns.tolist() == [3, 3, 2]
    assert s.pa[0] == pytest.approx(4 / 5)  # (3 + 1) / (3 + 2)
    assert s.pat[0] == pytest.approx(2 * 2 * (4 / 4 - 0.5))  # 2 sqrt(4) ((3+1)/(3+1) - 0.5) = 2
    # statement 0, group 0 against group 1: p1 = 4/4, p2 = 1/4, pooled 5/8
    z = two_proportion_z(np.array([3]), np.array([0]), np.array([3]), np.array([3]))
    assert z[0] == pytest.approx(0.75 / math.sqrt(5 / 8 * 3 / 8 * (1 / 4 + 1 / 4)))


def test_hand_computed_representative_statements() -> None:
    reps = representative_statements(HAND, GROUP, [10, 11, 12])
    # Group 0: statement 10 agreed by all three, by nobody in group 1: rat = 2.19, pat = 2.
    first = reps[0][0]
    assert (first.statement, first.repful_for) == (10, "agree")
    assert first.repness == pytest.approx((4 / 5) / (1 / 5))  # pa / ((0 + 1)/(3 + 2))
    assert first.repness_test == pytest.approx(0.75 / math.sqrt(5 / 8 * 3 / 8 * 0.5))
    assert first.best_agree
    # Group 1: statement 10 disagreed by all three; statement 12 agreed by all three.
    assert {(r.statement, r.repful_for) for r in reps[1]} >= {(12, "agree"), (10, "disagree")}
    assert [r.repful_for for r in reps[1]] == sorted(
        (r.repful_for for r in reps[1]), key=lambda d: d != "agree"
    )


def test_hand_computed_consensus() -> None:
    agree = consensus_statements(HAND, [10, 11, 12])["agree"]
    # statement 11: 4 agrees, 1 pass in 5 votes -> pa = 5/7, pat = 2 sqrt(6) (5/6 - 0.5)
    assert [c.statement for c in agree] == [11]
    assert agree[0].p_success == pytest.approx(5 / 7)
    assert agree[0].p_test == pytest.approx(2 * math.sqrt(6) * (5 / 6 - 0.5))
    gic = group_informed_consensus(HAND, GROUP)
    assert gic.tolist() == pytest.approx([(4 / 5) * (1 / 5), (3 / 5) * (3 / 4), (1 / 4) * (4 / 5)])


def test_stakeholder_weighting_gives_each_group_its_weight() -> None:
    votes = np.array([[1.0]] * 40 + [[-1.0]] * 5)
    groups = ["academia"] * 40 + ["investors"] * 5
    equal = weighted_agreement(votes, groups)["agree"][0]
    assert equal == pytest.approx((41 / 42 + 1 / 7) / 2)
    heavy = weighted_agreement(votes, groups, {"academia": 3.0})["agree"][0]
    assert heavy == pytest.approx((3 * 41 / 42 + 1 / 7) / 4)
    assert stakeholder_consensus(votes, groups)[0] == pytest.approx(41 / 42 * 1 / 7)


def _method_md_stats(votes: pd.DataFrame, members: set[int]) -> pd.DataFrame:
    """METHOD.md §6 counts, recomputed from the export's long table with pandas."""
    sub = votes[votes["participant"].isin(members)]
    grouped = sub.groupby("statement")["vote"]
    return pd.DataFrame(
        {
            "na": grouped.apply(lambda v: int((v == 1).sum())),
            "nd": grouped.apply(lambda v: int((v == -1).sum())),
            "ns": grouped.size(),
        }
    )


def test_brexit_against_method_md(brexit, brexit_groups) -> None:
    m = brexit.matrix
    long = (
        pd.DataFrame(m.values, index=list(m.participants), columns=list(m.statements))
        .stack()
        .dropna()
        .rename("vote")
        .rename_axis(["participant", "statement"])
        .reset_index()
    )
    members = {g: {m.participants[i] for i in brexit_groups.members(g)} for g in range(2)}
    reps = representative_statements(m.values, brexit_groups.group, m.statements)
    for g in range(2):
        own = _method_md_stats(long, members[g])
        rest = _method_md_stats(long, members[1 - g])
        for r in reps[g]:
            a, b = own.loc[r.statement], rest.loc[r.statement]
            key = "na" if r.repful_for == "agree" else "nd"
            p1, p2 = (a[key] + 1) / (a["ns"] + 1), (b[key] + 1) / (b["ns"] + 1)
            pooled = (a[key] + b[key] + 2) / (a["ns"] + b["ns"] + 2)
            z = (p1 - p2) / math.sqrt(
                pooled * (1 - pooled) * (1 / (a["ns"] + 1) + 1 / (b["ns"] + 1))
            )
            assert r.p_success == pytest.approx((a[key] + 1) / (a["ns"] + 2))
            assert r.p_test == pytest.approx(
                2 * math.sqrt(a["ns"] + 1) * ((a[key] + 1) / (a["ns"] + 1) - 0.5)
            )
            assert r.repness == pytest.approx(r.p_success / ((1 + b[key]) / (2 + b["ns"])))
            assert r.repness_test == pytest.approx(z)
        assert 1 <= len(reps[g]) <= 5
    everyone = _method_md_stats(long, set(m.participants))
    pa = (everyone["na"] + 1) / (everyone["ns"] + 2)
    pat = 2 * np.sqrt(everyone["ns"] + 1) * ((everyone["na"] + 1) / (everyone["ns"] + 1) - 0.5)
    expected = (
        (pa * pat)[(pa > 0.5) & (pat > 1.2816)].sort_values(ascending=False).index[:5].tolist()
    )
    assert [c.statement for c in consensus_statements(m.values, m.statements)["agree"]] == expected
    grouped = set().union(*members.values())
    gic = np.ones(len(m.statements))
    for g in range(2):
        s = _method_md_stats(long, members[g]).reindex(list(m.statements), fill_value=0)
        gic *= ((s["na"] + 1) / (s["ns"] + 2)).to_numpy()
    assert group_informed_consensus(m.values, brexit_groups.group) == pytest.approx(gic)
    assert len(grouped) == int((brexit_groups.group >= 0).sum())
