"""Entity resolution: hand-made cases first, then the matcher on labelled real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bioconnect.registry.evaluate import evaluate
from bioconnect.registry.names import normalise_name, record_key
from bioconnect.registry.resolve import Thresholds, resolve

T = Thresholds(auto_merge=0.99, review=0.8)


def _pairs(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "left_key": a,
                "right_key": b,
                "probability": p,
                "left_name": a,
                "right_name": b,
                "evidence": "",
            }
            for a, b, p in rows
        ]
    )


NO_DECISIONS = pd.DataFrame(columns=["left_key", "right_key", "same"])


def test_names_normalise_legal_forms_and_accents() -> None:
    assert normalise_name("TALLINNA TEHNIKAÜLIKOOL") == "tallinna tehnikaulikool"
    assert normalise_name("Solar Foods Oy") == normalise_name("SOLAR FOODS OY")
    assert normalise_name(None) is None
    assert record_key("123", "x", "EE", None) == "pic:123"
    assert record_key(None, "Tartu Ülikool", "EE", "Tartu") == record_key(
        None, "TARTU ULIKOOL", "ee", "tartu"
    )


def test_pic_is_identity_and_thresholds_decide() -> None:
    records = pd.DataFrame(
        {
            "record_key": ["pic:1", "pic:2", "rec:a", "rec:b", "rec:c"],
            "pic": ["1", "2", None, None, None],
        }
    )
    links, cands = resolve(
        records,
        _pairs(("rec:a", "pic:1", 0.995), ("rec:b", "pic:2", 0.9), ("rec:c", "pic:2", 0.5)),
        NO_DECISIONS,
        T,
    )
    org = dict(zip(links["record_key"], links["org_id"], strict=True))
    assert org["rec:a"] == "1"  # merged automatically
    assert org["rec:b"] != "2"  # uncertain: waits for review
    assert org["rec:c"] != "2"
    assert list(cands["status"]) == ["auto", "pending", "below"]
    assert dict(zip(links["record_key"], links["method"], strict=True))["rec:a"] == "splink"


def test_decisions_override_scores() -> None:
    records = pd.DataFrame({"record_key": ["pic:1", "rec:a", "rec:b"], "pic": ["1", None, None]})
    pairs = _pairs(("rec:a", "pic:1", 0.999), ("rec:b", "pic:1", 0.85))
    decisions = pd.DataFrame(
        {"left_key": ["pic:1", "rec:b"], "right_key": ["rec:a", "pic:1"], "same": [False, True]}
    )
    links, cands = resolve(records, pairs, decisions, T)
    org = dict(zip(links["record_key"], links["org_id"], strict=True))
    assert org["rec:a"] != "1" and org["rec:b"] == "1"
    assert list(cands["status"]) == ["rejected", "accepted"]


def test_a_merge_never_joins_two_pics() -> None:
    records = pd.DataFrame({"record_key": ["pic:1", "pic:2", "rec:a"], "pic": ["1", "2", None]})
    links, cands = resolve(
        records, _pairs(("rec:a", "pic:1", 0.999), ("rec:a", "pic:2", 0.998)), NO_DECISIONS, T
    )
    org = dict(zip(links["record_key"], links["org_id"], strict=True))
    assert org["rec:a"] == "1" and org["pic:2"] == "2"
    assert list(cands["status"]) == ["auto", "pending"]


def test_ids_are_stable() -> None:
    records = pd.DataFrame({"record_key": ["rec:b", "rec:a"], "pic": [None, None]})
    first, _ = resolve(records, _pairs(("rec:a", "rec:b", 0.999)), NO_DECISIONS, T)
    second, _ = resolve(records.iloc[::-1], _pairs(("rec:a", "rec:b", 0.999)), NO_DECISIONS, T)
    assert first.equals(second)
    assert first["org_id"].nunique() == 1 and first["org_id"].iloc[0].startswith("N")


def test_matcher_precision_on_labelled_real_data(data_dir: Path) -> None:
    """Horizon Europe participants matched by name/country/city against the 2017 and FP7 names."""
    table = evaluate(data_dir, [T.review, T.auto_merge]).set_index("threshold")
    assert table.loc[T.auto_merge, "precision"] >= 0.99
    assert table.loc[T.auto_merge, "recall"] >= 0.6
    assert table.loc[T.review, "recall"] > table.loc[T.auto_merge, "recall"]


def test_a_list_row_is_linked_never_merged() -> None:
    records = pd.DataFrame({"record_key": ["pic:1", "pic:2"], "pic": ["1", "2"]})
    pairs = _pairs(
        ("list:s:a", "pic:1", 0.995), ("list:s:b", "pic:2", 0.9), ("list:s:c", "pic:1", 0.5)
    )
    links, cands = resolve(records, pairs, NO_DECISIONS, T)
    assert cands["status"].tolist() == ["auto", "pending", "below"]
    # the registry is untouched: no list key becomes a record, nothing is merged
    assert links["record_key"].tolist() == ["pic:1", "pic:2"]
    assert links["org_id"].tolist() == ["1", "2"]
    decisions = pd.DataFrame(
        {
            "left_key": ["list:s:b", "list:s:a"],
            "right_key": ["pic:2", "pic:1"],
            "same": [True, False],
        }
    )
    _, decided = resolve(records, pairs, decisions, T)
    assert decided["status"].tolist() == ["rejected", "accepted", "below"]
