"""Action plans: model, configuration, lint, prioritisation, AHP, files, diff and balance.

Pure functions over :class:`Plan` records; no database and no web. The store and the web
app persist and show plans; this package decides what a good plan is.
"""

from bioconnect.plan.ahp import (
    AhpResult,
    ahp_weights,
    combine_judgements,
    combine_weights,
    pairwise_from_judgements,
    pairwise_from_weights,
)
from bioconnect.plan.config import PlanConfig, load_plan_config
from bioconnect.plan.diff import FieldChange, PlanDiff, RecordChange, diff_plans
from bioconnect.plan.files import read_plan, write_plan
from bioconnect.plan.lint import RULES, Finding, dependency_cycles, lint
from bioconnect.plan.model import (
    ActionItem,
    Goal,
    Initiative,
    Kpi,
    Measurement,
    Milestone,
    OrgRef,
    Plan,
)
from bioconnect.plan.plan_yaml import plan_from_yaml, plan_to_yaml, read_yaml, write_yaml
from bioconnect.plan.portfolio import PortfolioBalance, portfolio_balance
from bioconnect.plan.prioritise import (
    criteria_matrix,
    normalise_weights,
    rank_matrix,
    rank_stability,
    score_initiatives,
)
from bioconnect.plan.workbook import XLSX_COLUMNS, read_xlsx, write_xlsx

__all__ = [
    "RULES",
    "XLSX_COLUMNS",
    "ActionItem",
    "AhpResult",
    "FieldChange",
    "Finding",
    "Goal",
    "Initiative",
    "Kpi",
    "Measurement",
    "Milestone",
    "OrgRef",
    "Plan",
    "PlanConfig",
    "PlanDiff",
    "PortfolioBalance",
    "RecordChange",
    "ahp_weights",
    "combine_judgements",
    "combine_weights",
    "criteria_matrix",
    "dependency_cycles",
    "diff_plans",
    "lint",
    "load_plan_config",
    "normalise_weights",
    "pairwise_from_judgements",
    "pairwise_from_weights",
    "plan_from_yaml",
    "plan_to_yaml",
    "portfolio_balance",
    "rank_matrix",
    "rank_stability",
    "read_plan",
    "read_xlsx",
    "read_yaml",
    "score_initiatives",
    "write_plan",
    "write_xlsx",
    "write_yaml",
]
