"""The action plan's REST API under ``/api/v1/plan``.

Readers read the plan, its lint findings, ranks, balance, snapshots, diffs and history;
stakeholders propose action items; editors create, change and delete goals, initiatives
and KPIs, merge action items and take snapshots. Every write goes through
:mod:`bioconnect.services.plan`, which validates the record, refuses lost updates with a
:class:`~bioconnect.services.plan.PlanConflict` (answered here with HTTP 409) and writes
the audit log.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from bioconnect.errors import ConflictError, NotFoundError
from bioconnect.services.accounts import Role, User
from bioconnect.services.plan import (
    CURRENT,
    RANK_SAMPLES,
    RANK_SEED,
    ActionItem,
    BalanceOut,
    FindingOut,
    Goal,
    HistoryEntry,
    Initiative,
    Kpi,
    Plan,
    PlanConfig,
    PlanConflict,
    RankRow,
    RecordKind,
    delete_record,
    diff_versions,
    list_snapshots,
    load_plan,
    load_plan_config,
    merge_action_item,
    plan_balance,
    plan_findings,
    plan_history,
    plan_ranks,
    propose_action_item,
    record_version,
    save_record,
    snapshot_plan,
)
from bioconnect.services.text_rules import TRIMMED_LINE
from bioconnect.web.routing import BUSY, CONFLICT_DESCRIPTION, Problem, ProblemDetail, RequestBody
from bioconnect.web.security import csrf_protect, require

#: The pattern of a record id (as :mod:`bioconnect.plan.model` defines it).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$"


class ConflictChange(BaseModel):
    field: str = Field(description="The field, such as ``budget`` or ``scores.impact``.")
    theirs: Any = Field(description="The stored value.")
    yours: Any = Field(description="The value of the refused edit.")


class ConflictOut(BaseModel):
    """Both versions of a record that two people edited at once (``PlanConflict.as_dict``)."""

    kind: str
    id: str
    theirs_version: int | None = Field(description="The stored version; null when deleted.")
    yours_version: int | None = Field(description="The version the edit started from.")
    theirs: dict[str, Any] | None
    yours: dict[str, Any] | None
    changes: list[ConflictChange]
    message: str


class ConflictDetail(ProblemDetail):
    conflict: ConflictOut


class ConflictProblem(BaseModel):
    """A refused edit: the problem, the fix, and both versions field by field."""

    detail: ConflictDetail


router = APIRouter(
    prefix="/plan",
    tags=["plan"],
    dependencies=[Depends(csrf_protect)],
    responses={
        304: {"description": "Not modified: the If-None-Match ETag is current."},
        400: {"model": Problem, "description": "The record or request is not valid."},
        401: {"model": Problem, "description": "Sign in first."},
        403: {"model": Problem, "description": "Your role may not do this, or no CSRF token."},
        404: {"model": Problem, "description": "No plan is stored, or no such record."},
        409: {"model": Problem, "description": CONFLICT_DESCRIPTION},
        422: {"model": Problem, "description": "A parameter is missing or malformed."},
        503: BUSY,
    },
)

Reader = Annotated[User | None, Depends(require(None))]
Stakeholder = Annotated[User, Depends(require(Role.stakeholder))]
Editor = Annotated[User, Depends(require(Role.editor))]
RecordId = Annotated[str, Path(max_length=100, pattern=ID_PATTERN, description="The record id.")]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ConflictProblem, "description": "Someone else changed the record."}
}
#: A change may also name another record than its address (RFC 9110 suggests 409 for a PUT
#: that does not fit its target).
EDIT_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ConflictProblem | Problem,
        "description": "Someone else changed the record (both versions are given), or the "
        "record's id is not the id in the address.",
    }
}


# ----------------------------------------------------------------- helpers the pages share


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def region_of(request: Request) -> str:
    """The region this app serves; its plan is the one shown and edited."""
    return str(request.app.state.preset.name)


def config_of(request: Request) -> PlanConfig:
    """The region's plan configuration (pillars, criteria, KPI library)."""
    return load_plan_config(region_of(request))


def conflict_response(conflict: PlanConflict) -> JSONResponse:
    """HTTP 409 with the problem, the fix and both versions."""
    return JSONResponse(
        {
            "detail": {
                "problem": conflict.problem,
                "fix": conflict.fix,
                "conflict": conflict.as_dict(),
            }
        },
        status_code=409,
    )


def _find(plan: Plan, kind: RecordKind, record_id: str) -> Any:
    records: dict[str, list[Any]] = {
        "goal": plan.goals,
        "initiative": plan.initiatives,
        "kpi": plan.kpis,
        "action_item": plan.action_items,
    }
    for record in records[kind]:
        if record.id == record_id:
            return record
    label = kind.replace("_", " ")
    raise NotFoundError(
        f"No {label} {record_id!r} in the {plan.region} plan.",
        "Check the id; GET /api/v1/plan lists the records.",
    )


def _same_id(record_id: str, record: Any) -> None:
    if record.id != record_id:
        raise ConflictError(
            f"The record's id {record.id!r} is not the id in the address, {record_id!r}.",
            "Ids cannot be changed: create a new record and delete the old one.",
        )


# ---------------------------------------------------------------------------- responses


class GoalOut(BaseModel):
    version: int
    record: Goal


class InitiativeOut(BaseModel):
    version: int
    record: Initiative


class KpiOut(BaseModel):
    version: int
    record: Kpi


class GoalEdit(RequestBody):
    record: Goal
    expected_version: int = Field(ge=1, le=2**31 - 1, description="The version you started from.")


class InitiativeEdit(RequestBody):
    record: Initiative
    expected_version: int = Field(ge=1, le=2**31 - 1, description="The version you started from.")


class KpiEdit(RequestBody):
    record: Kpi
    expected_version: int = Field(ge=1, le=2**31 - 1, description="The version you started from.")


class Deleted(BaseModel):
    deleted: bool = Field(description="False when the record was already gone.")


class Proposal(RequestBody):
    text: str = Field(min_length=1, max_length=5000, description="The idea.")


class MergeInto(RequestBody):
    initiative: str = Field(max_length=100, pattern=ID_PATTERN)


class SnapshotOut(BaseModel):
    name: str
    created_at: str
    created_by: str
    region: str


class NewSnapshot(RequestBody):
    name: str = Field(
        max_length=200,
        # one line, without leading or trailing white space, other than 'current'
        pattern=TRIMMED_LINE,
        json_schema_extra={"not": {"const": CURRENT}},
    )


class FieldChangeOut(BaseModel):
    field: str
    old: Any
    new: Any


class RecordChangeOut(BaseModel):
    kind: str
    id: str
    change: Literal["added", "removed", "changed"]
    fields: list[FieldChangeOut]


class DiffOut(BaseModel):
    a: str
    b: str
    metadata: list[FieldChangeOut]
    records: list[RecordChangeOut]


# ------------------------------------------------------------------------------- reading


@router.get("", response_model=Plan)
def get_plan(request: Request, user: Reader) -> Plan:
    """The whole stored plan: goals, initiatives (with versions), KPIs and action items."""
    return load_plan(engine_of(request), region=region_of(request))


@router.get("/lint", response_model=list[FindingOut])
def get_lint(request: Request, user: Reader) -> list[FindingOut]:
    """The plan's lint findings, errors first, each with a fix."""
    return plan_findings(engine_of(request), region=region_of(request))


@router.get("/rank", response_model=list[RankRow])
def get_rank(
    request: Request,
    user: Reader,
    samples: Annotated[
        int, Query(ge=1, le=20_000, description="Monte Carlo draws.")
    ] = RANK_SAMPLES,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="Random seed.")] = RANK_SEED,
) -> list[RankRow]:
    """Initiatives by weighted-sum priority, with rank intervals over uncertain weights."""
    return plan_ranks(engine_of(request), samples=samples, seed=seed, region=region_of(request))


@router.get("/balance", response_model=BalanceOut)
def get_balance(request: Request, user: Reader) -> BalanceOut:
    """Initiatives and budget by pillar, country and year, with totals against the envelope."""
    return plan_balance(engine_of(request), region=region_of(request))


# ------------------------------------------------------------------ goals, initiatives, KPIs


def _get(request: Request, kind: RecordKind, record_id: str) -> dict[str, Any]:
    record = _find(load_plan(engine_of(request), region=region_of(request)), kind, record_id)
    version = (
        record.version
        if kind == "initiative"
        else record_version(engine_of(request), kind, record_id, region=region_of(request))
    )
    return {"version": version, "record": record}


def _save(request: Request, user: User, kind: RecordKind, record: Any, expected: int | None) -> Any:
    try:
        saved = save_record(
            engine_of(request),
            kind,
            record,
            expected_version=expected,
            actor=user.username,
            region=region_of(request),
        )
    except PlanConflict as conflict:
        return conflict_response(conflict)
    return {"version": saved.version, "record": saved.record}


def _delete(request: Request, user: User, kind: RecordKind, record_id: str, expected: int) -> Any:
    try:
        deleted = delete_record(
            engine_of(request),
            kind,
            record_id,
            expected_version=expected,
            actor=user.username,
            region=region_of(request),
        )
    except PlanConflict as conflict:
        return conflict_response(conflict)
    return {"deleted": deleted}


Expected = Annotated[int, Query(ge=1, le=2**31 - 1, description="The version you started from.")]


@router.get("/goals", response_model=list[Goal])
def get_goals(request: Request, user: Reader) -> list[Goal]:
    """The plan's goals."""
    return load_plan(engine_of(request), region=region_of(request)).goals


@router.post("/goals", response_model=GoalOut, status_code=201, responses=CONFLICT)
def post_goal(request: Request, user: Editor, record: Annotated[Goal, Body()]) -> Any:
    """Add a goal (editors); 409 when the id is taken."""
    return _save(request, user, "goal", record, None)


@router.get("/goals/{record_id}", response_model=GoalOut)
def get_goal(request: Request, user: Reader, record_id: RecordId) -> dict[str, Any]:
    """One goal and its version."""
    return _get(request, "goal", record_id)


@router.put("/goals/{record_id}", response_model=GoalOut, responses=EDIT_CONFLICT)
def put_goal(
    request: Request, user: Editor, record_id: RecordId, edit: Annotated[GoalEdit, Body()]
) -> Any:
    """Change a goal (editors); 409 with both versions when it changed meanwhile."""
    _same_id(record_id, edit.record)
    return _save(request, user, "goal", edit.record, edit.expected_version)


@router.delete("/goals/{record_id}", response_model=Deleted, responses=CONFLICT)
def delete_goal(
    request: Request, user: Editor, record_id: RecordId, expected_version: Expected
) -> Any:
    """Delete a goal (editors) if it is still at ``expected_version``."""
    return _delete(request, user, "goal", record_id, expected_version)


@router.get("/initiatives", response_model=list[Initiative])
def get_initiatives(request: Request, user: Reader) -> list[Initiative]:
    """The plan's initiatives, each with its version."""
    return load_plan(engine_of(request), region=region_of(request)).initiatives


@router.post("/initiatives", response_model=InitiativeOut, status_code=201, responses=CONFLICT)
def post_initiative(request: Request, user: Editor, record: Annotated[Initiative, Body()]) -> Any:
    """Add an initiative (editors); 409 when the id is taken."""
    return _save(request, user, "initiative", record, None)


@router.get("/initiatives/{record_id}", response_model=InitiativeOut)
def get_initiative(request: Request, user: Reader, record_id: RecordId) -> dict[str, Any]:
    """One initiative and its version."""
    return _get(request, "initiative", record_id)


@router.put("/initiatives/{record_id}", response_model=InitiativeOut, responses=EDIT_CONFLICT)
def put_initiative(
    request: Request, user: Editor, record_id: RecordId, edit: Annotated[InitiativeEdit, Body()]
) -> Any:
    """Change an initiative (editors); 409 with both versions when it changed meanwhile."""
    _same_id(record_id, edit.record)
    return _save(request, user, "initiative", edit.record, edit.expected_version)


@router.delete("/initiatives/{record_id}", response_model=Deleted, responses=CONFLICT)
def delete_initiative(
    request: Request, user: Editor, record_id: RecordId, expected_version: Expected
) -> Any:
    """Delete an initiative (editors) if it is still at ``expected_version``."""
    return _delete(request, user, "initiative", record_id, expected_version)


@router.get("/kpis", response_model=list[Kpi])
def get_kpis(request: Request, user: Reader) -> list[Kpi]:
    """The plan's KPIs."""
    return load_plan(engine_of(request), region=region_of(request)).kpis


@router.post("/kpis", response_model=KpiOut, status_code=201, responses=CONFLICT)
def post_kpi(request: Request, user: Editor, record: Annotated[Kpi, Body()]) -> Any:
    """Add a KPI (editors); 409 when the id is taken."""
    return _save(request, user, "kpi", record, None)


@router.get("/kpis/{record_id}", response_model=KpiOut)
def get_kpi(request: Request, user: Reader, record_id: RecordId) -> dict[str, Any]:
    """One KPI and its version."""
    return _get(request, "kpi", record_id)


@router.put("/kpis/{record_id}", response_model=KpiOut, responses=EDIT_CONFLICT)
def put_kpi(
    request: Request, user: Editor, record_id: RecordId, edit: Annotated[KpiEdit, Body()]
) -> Any:
    """Change a KPI (editors); 409 with both versions when it changed meanwhile."""
    _same_id(record_id, edit.record)
    return _save(request, user, "kpi", edit.record, edit.expected_version)


@router.delete("/kpis/{record_id}", response_model=Deleted, responses=CONFLICT)
def delete_kpi(
    request: Request, user: Editor, record_id: RecordId, expected_version: Expected
) -> Any:
    """Delete a KPI (editors) if it is still at ``expected_version``."""
    return _delete(request, user, "kpi", record_id, expected_version)


# --------------------------------------------------------------------------------- inbox


@router.post("/action-items", response_model=ActionItem, status_code=201)
def post_action_item(
    request: Request, user: Stakeholder, proposal: Annotated[Proposal, Body()]
) -> ActionItem:
    """Propose an idea for the plan (stakeholders and above); the same idea twice is one."""
    return propose_action_item(
        engine_of(request), proposal.text, actor=user.username, region=region_of(request)
    )


@router.post("/action-items/{record_id}/merge", response_model=ActionItem)
def post_merge(
    request: Request, user: Editor, record_id: RecordId, into: Annotated[MergeInto, Body()]
) -> ActionItem:
    """Merge an idea into an initiative (editors); the idea keeps the link."""
    return merge_action_item(
        engine_of(request),
        record_id,
        into.initiative,
        actor=user.username,
        region=region_of(request),
    )


# ------------------------------------------------------------------ versions and history


def _snapshot(s: Any) -> dict[str, Any]:
    return {"name": s.name, "created_at": s.created_at, "created_by": s.created_by} | {
        "region": s.region
    }


@router.get("/snapshots", response_model=list[SnapshotOut])
def get_snapshots(request: Request, user: Reader) -> list[dict[str, Any]]:
    """The plan's named versions, oldest first."""
    return [_snapshot(s) for s in list_snapshots(engine_of(request), region=region_of(request))]


@router.post("/snapshots", response_model=SnapshotOut, status_code=201)
def post_snapshot(
    request: Request, user: Editor, new: Annotated[NewSnapshot, Body()]
) -> dict[str, Any]:
    """Keep the plan as it is now under a name (editors)."""
    return _snapshot(
        snapshot_plan(engine_of(request), new.name, actor=user.username, region=region_of(request))
    )


Version = Annotated[
    str, Query(min_length=1, max_length=200, description="'current' or a snapshot's name.")
]


@router.get("/diff", response_model=DiffOut)
def get_diff(request: Request, user: Reader, a: Version, b: Version = CURRENT) -> dict[str, Any]:
    """What changed from version ``a`` to version ``b``, record by record, field by field."""
    engine, region = engine_of(request), region_of(request)
    names = {s.name for s in list_snapshots(engine, region=region)} | {CURRENT}
    for ref in (a, b):
        # Only stored versions: the service would also read plan files from the server.
        if ref not in names:
            raise NotFoundError(
                f"There is no snapshot called {ref!r}.",
                "Use 'current' or a name from GET /api/v1/plan/snapshots.",
            )
    diff = diff_versions(engine, a, b, region=region)

    def change(c: Any) -> dict[str, Any]:
        return json.loads(json.dumps({"field": c.field, "old": c.old, "new": c.new}, default=str))

    return {
        "a": a,
        "b": b,
        "metadata": [change(c) for c in diff.metadata],
        "records": [
            {"kind": r.kind, "id": r.id, "change": r.change}
            | {"fields": [change(c) for c in r.fields]}
            for r in diff.records
        ],
    }


@router.get("/history", response_model=list[HistoryEntry])
def get_history(
    request: Request,
    user: Reader,
    id: Annotated[str | None, Query(max_length=200, description="Only this record.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[HistoryEntry]:
    """Who changed what in the plan, newest first (from the audit log)."""
    load_plan(engine_of(request), region=region_of(request))  # 404 when there is no plan
    return plan_history(
        engine_of(request),
        id,
        region=region_of(request),
        limit=limit,
        viewer=user.role if user is not None else None,
    )
