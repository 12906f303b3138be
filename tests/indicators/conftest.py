"""The ASEM example of COINr (real data, ../shared/data/coinr-asem) and a tiny framework."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioconnect.indicators import Framework, validate_framework
from storekit import DATA, ROOT

ASEM = DATA / "coinr-asem"
ASEM_DATA = ASEM / "ASEM_iData.csv"
ASEM_META = ASEM / "ASEM_iMeta.csv"
ASEM_PIPELINE = ROOT / "examples" / "coinr-asem" / "pipeline.yaml"


@pytest.fixture(scope="session")
def asem_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(ASEM_DATA), pd.read_csv(ASEM_META)


@pytest.fixture(scope="session")
def asem(asem_frames: tuple[pd.DataFrame, pd.DataFrame]) -> Framework:
    return validate_framework(*asem_frames, data_source=ASEM_DATA.name, meta_source=ASEM_META.name)


def tiny_meta() -> pd.DataFrame:
    """x, y under P; z under Q; P and Q under Index."""
    return pd.DataFrame(
        {
            "iCode": ["x", "y", "z", "P", "Q", "Index"],
            "Level": [1, 1, 1, 2, 2, 3],
            "Parent": ["P", "P", "Q", "Index", "Index", None],
            "Weight": [1, 3, 1, 1, 1, 1],
            "Direction": [1, -1, 1, 1, 1, 1],
            "Denominator": [None, None, "pop", None, None, None],
            "Target": [10.0, None, None, None, None, None],
            "Type": ["Indicator"] * 3 + ["Aggregate"] * 3,
        }
    )


def tiny_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uCode": ["A", "B", "C"],
            "grp": ["e", "e", "w"],
            "pop": [1.0, 2.0, 4.0],
            "x": [0.0, 5.0, 10.0],
            "y": [4.0, 2.0, 0.0],
            "z": [2.0, 2.0, 8.0],
        }
    )


def write(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path
