"""The public surface of bioconnect.plan."""

from __future__ import annotations

import bioconnect.plan as plan


def test_public_surface() -> None:
    assert plan.__all__ == [
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
    for name in plan.__all__:
        assert getattr(plan, name) is not None


def test_plan_does_not_import_store_or_web() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bioconnect.plan; "
        "print(sorted(m for m in sys.modules if m.startswith(('bioconnect.store', "
        "'bioconnect.services', 'bioconnect.web', 'bioconnect.cli', 'sqlalchemy', 'openpyxl'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
