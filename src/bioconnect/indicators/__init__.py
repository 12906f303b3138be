"""Composite indicators: COINr's method in Python, pure functions on pandas and numpy.

The framework (iData/iMeta), the building steps (denominate, impute, screen, treat,
normalise, aggregate), the pipeline file that runs them, analysis, and sensitivity and
uncertainty analysis. See docs/indicators.md.
"""

from bioconnect.indicators.aggregate import (
    AGGREGATE_METHODS,
    a_amean,
    a_copeland,
    a_gmean,
    a_hmean,
    a_wmedian,
    aggregate,
    effective_weights,
)
from bioconnect.indicators.analysis import correlations, cronbach_alpha, pca_weights, remove_one
from bioconnect.indicators.denominate import denominate
from bioconnect.indicators.eis import (
    GROUPS,
    best_practice_matrix,
    cooperation_areas,
    group_changes,
    group_probabilities,
    performance_group,
    performance_groups,
    strengths_weaknesses,
)
from bioconnect.indicators.framework import Framework, validate_framework
from bioconnect.indicators.impute import IMPUTE_METHODS, impute, impute_em
from bioconnect.indicators.normalise import (
    NORMALISE_METHODS,
    min_ranks,
    n_borda,
    n_dist2max,
    n_dist2ref,
    n_dist2targ,
    n_fracmax,
    n_goalposts,
    n_minmax,
    n_prank,
    n_rank,
    n_zscore,
    normalise,
)
from bioconnect.indicators.pipeline import (
    STEP_ARGUMENTS,
    IndexResult,
    Pipeline,
    Step,
    parse_pipeline,
    rank_scores,
    run_pipeline,
)
from bioconnect.indicators.screen import data_availability, screen_units
from bioconnect.indicators.sensitivity import (
    SensitivityResult,
    noisy_weights,
    rank_intervals,
    sensitivity_analysis,
)
from bioconnect.indicators.treat import (
    TreatmentResult,
    kurtosis,
    log_ct,
    passes_skew_kurt,
    skewness,
    treat,
    winsorise,
)

__all__ = [
    "AGGREGATE_METHODS",
    "GROUPS",
    "IMPUTE_METHODS",
    "NORMALISE_METHODS",
    "STEP_ARGUMENTS",
    "Framework",
    "IndexResult",
    "Pipeline",
    "SensitivityResult",
    "Step",
    "TreatmentResult",
    "a_amean",
    "a_copeland",
    "a_gmean",
    "a_hmean",
    "a_wmedian",
    "aggregate",
    "best_practice_matrix",
    "cooperation_areas",
    "correlations",
    "cronbach_alpha",
    "data_availability",
    "denominate",
    "effective_weights",
    "group_changes",
    "group_probabilities",
    "impute",
    "impute_em",
    "kurtosis",
    "log_ct",
    "min_ranks",
    "n_borda",
    "n_dist2max",
    "n_dist2ref",
    "n_dist2targ",
    "n_fracmax",
    "n_goalposts",
    "n_minmax",
    "n_prank",
    "n_rank",
    "n_zscore",
    "noisy_weights",
    "normalise",
    "parse_pipeline",
    "passes_skew_kurt",
    "pca_weights",
    "performance_group",
    "performance_groups",
    "rank_intervals",
    "rank_scores",
    "remove_one",
    "run_pipeline",
    "screen_units",
    "sensitivity_analysis",
    "skewness",
    "strengths_weaknesses",
    "treat",
    "validate_framework",
    "winsorise",
]
