"""Consultations: Pol.is opinion groups and consensus, stakeholder weighting, Delphi, surveys."""

from bioconnect.dialogue.clusters import Clustering, group_clusterings, kmeans, silhouette
from bioconnect.dialogue.consensus import (
    ConsensusStatement,
    consensus_statements,
    group_informed_consensus,
    stakeholder_consensus,
    weighted_agreement,
)
from bioconnect.dialogue.delphi import (
    Concordance,
    ItemFeedback,
    consensus_reached,
    item_feedback,
    kendall_w,
    stability,
)
from bioconnect.dialogue.groups import NOT_CLUSTERED, OpinionGroups, opinion_groups
from bioconnect.dialogue.matrix import VoteMatrix, clustered_participants, vote_matrix
from bioconnect.dialogue.projection import (
    Components,
    principal_components,
    project_participants,
    project_statements,
)
from bioconnect.dialogue.repness import (
    Z_90,
    RepStatement,
    StatementStats,
    representative_statements,
    statement_stats,
    two_proportion_z,
)
from bioconnect.dialogue.survey import LikertSummary, borda, choice_counts, likert_summary, schulze

__all__ = [
    "NOT_CLUSTERED",
    "Z_90",
    "Clustering",
    "Components",
    "Concordance",
    "ConsensusStatement",
    "ItemFeedback",
    "LikertSummary",
    "OpinionGroups",
    "RepStatement",
    "StatementStats",
    "VoteMatrix",
    "borda",
    "choice_counts",
    "clustered_participants",
    "consensus_reached",
    "consensus_statements",
    "group_clusterings",
    "group_informed_consensus",
    "item_feedback",
    "kendall_w",
    "kmeans",
    "likert_summary",
    "opinion_groups",
    "principal_components",
    "project_participants",
    "project_statements",
    "representative_statements",
    "schulze",
    "silhouette",
    "stability",
    "stakeholder_consensus",
    "statement_stats",
    "two_proportion_z",
    "vote_matrix",
    "weighted_agreement",
]
