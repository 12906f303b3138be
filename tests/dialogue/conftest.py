"""Fixtures for the dialogue tests: the Pol.is conversations of ../shared/data/polis."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from bioconnect.dialogue import OpinionGroups, VoteMatrix, opinion_groups, vote_matrix


@dataclass(frozen=True)
class Conversation:
    """One Pol.is export as published, and its vote matrix (the last vote counts)."""

    votes: pd.DataFrame
    comments: pd.DataFrame
    participants: pd.DataFrame
    matrix: VoteMatrix

    @property
    def moderated_out(self) -> list[int]:
        return self.comments.loc[self.comments["moderated"] == -1, "comment-id"].tolist()


def load(folder: Path) -> Conversation:
    votes = pd.read_csv(folder / "votes.csv").sort_values("timestamp", kind="stable")
    matrix = vote_matrix(votes["voter-id"], votes["comment-id"], votes["vote"])
    return Conversation(
        votes=votes,
        comments=pd.read_csv(folder / "comments.csv"),
        participants=pd.read_csv(folder / "participants-votes.csv"),
        matrix=matrix,
    )


@pytest.fixture(scope="session")
def brexit(data_dir) -> Conversation:
    return load(data_dir / "polis" / "brexit-consensus")


@pytest.fixture(scope="session")
def uberx(data_dir) -> Conversation:
    return load(data_dir / "polis" / "vtaiwan.uberx")


@pytest.fixture(scope="session")
def brexit_groups(brexit) -> OpinionGroups:
    return opinion_groups(brexit.matrix, moderated_out=brexit.moderated_out)
