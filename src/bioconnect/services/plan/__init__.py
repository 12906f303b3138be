"""The action plan as a living, stored object: import, edit, lint, rank, version and audit.

Each goal, initiative, KPI and action item is one row holding the JSON of its
:mod:`bioconnect.plan` record, validated by the record's model on every write, and a
``version`` that every change bumps. An edit names the version it started from
(``expected_version``); when the stored version has moved on, the edit is refused with a
:class:`PlanConflict` that carries both records and their differences field by field, so
that nobody silently overwrites someone else's change.

Every write runs in one transaction together with its audit-log entries (who, what, which
record, and a short JSON of the changed fields). Writes that change nothing write nothing,
so importing the same file twice, or saving an unchanged record, leaves no trace.

The store holds one plan per region. Functions that read or edit a plan take ``region``;
when it is left out and the store holds exactly one plan, that plan is used.

The modules, one concern each:

* :mod:`~bioconnect.services.plan.records`: how records are stored, reading a plan back,
  and :class:`PlanConflict`;
* :mod:`~bioconnect.services.plan.files`: importing a plan file and exporting one;
* :mod:`~bioconnect.services.plan.edits`: saving and deleting records with optimistic locking;
* :mod:`~bioconnect.services.plan.inbox`: proposing action items and merging them;
* :mod:`~bioconnect.services.plan.versions`: snapshots, differences and history;
* :mod:`~bioconnect.services.plan.assess`: lint, rank, portfolio balance and the pillar ×
  country budget split, with the ranking's defaults.

The plan's record types (:class:`Plan`, :class:`Goal`, :class:`Initiative`, :class:`Kpi`,
:class:`ActionItem`, :class:`PlanConfig`) are re-exported here, so that pages, routes and
commands take them from the service layer.
"""

from bioconnect.model.values import ValueProblem, parse_number
from bioconnect.plan import (
    ActionItem,
    Finding,
    Goal,
    Initiative,
    Kpi,
    Plan,
    PlanConfig,
    load_plan_config,
)
from bioconnect.services.plan.assess import (
    RANK_SAMPLES,
    RANK_SEED,
    balance_plan,
    budget_split,
    lint_plan,
    rank_plan,
)
from bioconnect.services.plan.edits import (
    delete_record,
    record_version,
    save_goal,
    save_initiative,
    save_kpi,
    save_record,
)
from bioconnect.services.plan.files import (
    EXAMPLES,
    UPLOAD_LIMIT,
    ImportReport,
    example_plan,
    example_plan_available,
    export_plan,
    import_example_plan,
    import_plan,
    import_uploaded_plan,
)
from bioconnect.services.plan.inbox import merge_action_item, propose_action_item
from bioconnect.services.plan.overview import PlanOverview, plan_overview
from bioconnect.services.plan.records import (
    RECORD_KINDS,
    PlanConflict,
    RecordKind,
    SavedRecord,
    load_plan,
)
from bioconnect.services.plan.results import (
    BalanceOut,
    CountryBalance,
    FindingOut,
    PillarBalance,
    RankRow,
    YearBalance,
    plan_balance,
    plan_findings,
    plan_ranks,
)
from bioconnect.services.plan.versions import (
    CURRENT,
    HistoryEntry,
    Snapshot,
    UnknownVersion,
    diff_versions,
    list_snapshots,
    plan_history,
    plan_version,
    snapshot_plan,
)

__all__ = [
    "CURRENT",
    "EXAMPLES",
    "RANK_SAMPLES",
    "RANK_SEED",
    "RECORD_KINDS",
    "UPLOAD_LIMIT",
    "ActionItem",
    "BalanceOut",
    "CountryBalance",
    "Finding",
    "FindingOut",
    "Goal",
    "HistoryEntry",
    "ImportReport",
    "Initiative",
    "Kpi",
    "PillarBalance",
    "Plan",
    "PlanConfig",
    "PlanConflict",
    "PlanOverview",
    "RankRow",
    "RecordKind",
    "SavedRecord",
    "Snapshot",
    "UnknownVersion",
    "ValueProblem",
    "YearBalance",
    "balance_plan",
    "budget_split",
    "delete_record",
    "diff_versions",
    "example_plan",
    "example_plan_available",
    "export_plan",
    "import_example_plan",
    "import_plan",
    "import_uploaded_plan",
    "lint_plan",
    "list_snapshots",
    "load_plan",
    "load_plan_config",
    "merge_action_item",
    "parse_number",
    "plan_balance",
    "plan_findings",
    "plan_history",
    "plan_overview",
    "plan_ranks",
    "plan_version",
    "propose_action_item",
    "rank_plan",
    "record_version",
    "save_goal",
    "save_initiative",
    "save_kpi",
    "save_record",
    "snapshot_plan",
]
