"""The action plan's pages: overview, initiative and KPI editors, the inbox, and import.

Each page reads through :mod:`bioconnect.services.plan` and each form writes through it,
so that every change is validated, version-checked and audited. A save that started from
an outdated version is answered with HTTP 409 and the form again, the user's values kept,
next to a field-by-field table of the stored version and theirs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from bioconnect.errors import BioconnectError, InputError, NotFoundError
from bioconnect.services.accounts import Role, User
from bioconnect.services.dialogue import accept_goal, goal_proposals, next_goal_id
from bioconnect.services.plan import (
    UPLOAD_LIMIT,
    Plan,
    PlanConfig,
    PlanConflict,
    RecordKind,
    delete_record,
    example_plan,
    example_plan_available,
    import_example_plan,
    import_uploaded_plan,
    load_plan,
    merge_action_item,
    plan_history,
    plan_overview,
    propose_action_item,
    record_version,
    save_record,
)
from bioconnect.web.plan import forms
from bioconnect.web.plan.api import (
    ID_PATTERN,
    config_of,
    engine_of,
    region_of,
)
from bioconnect.web.rendering import render
from bioconnect.web.routing import SubmittedForm as Form
from bioconnect.web.security import csrf_protect, current_user, require

router = APIRouter(prefix="/plan", dependencies=[Depends(csrf_protect)], include_in_schema=False)

Reader = Annotated[User | None, Depends(require(None))]
Stakeholder = Annotated[User, Depends(require(Role.stakeholder))]
Editor = Annotated[User, Depends(require(Role.editor))]
RecordId = Annotated[str, Path(max_length=100, pattern=ID_PATTERN)]

STATUSES = ["idea", "planned", "active", "done", "dropped"]


def _stored_plan(request: Request) -> Plan | None:
    try:
        return load_plan(engine_of(request), region=region_of(request))
    except NotFoundError:
        return None


def _may(request: Request, role: Role) -> bool:
    user = current_user(request)
    return user is not None and user.role >= role


# ------------------------------------------------------------------------------ overview


def _overview(request: Request, plan: Plan, config: PlanConfig, view: str) -> dict[str, Any]:
    overview = plan_overview(engine_of(request), plan, config, region=region_of(request))
    return {**vars(overview), "statuses": STATUSES, "view": view}


@router.get("")
def plan_page(
    request: Request,
    user: Reader,
    view: Annotated[str, Query(pattern="^(table|kanban)$")] = "table",
) -> Response:
    plan = _stored_plan(request)
    if plan is None:
        return _empty(request)
    config = config_of(request)
    return render(
        request,
        "plan.html",
        active="plan",
        plan=plan,
        may_edit=_may(request, Role.editor),
        **_overview(request, plan, config, view),
    )


def import_command(region: str) -> str:
    """The command that imports the region's example plan in a source checkout."""
    return f"bioconnect plan import examples/{example_plan(region).name}"


def _empty(request: Request, status: int = 200, error: Exception | None = None) -> Response:
    return render(
        request,
        "plan_empty.html",
        status,
        active="plan",
        command=import_command(region_of(request)),
        example_available=example_plan_available(region_of(request)),
        may_edit=_may(request, Role.editor),
        error=error,
    )


@router.post("/import")
def plan_import(request: Request, user: Editor, form: Form) -> Response:
    """Import the example plan (``source=example``) or an uploaded YAML/XLSX file."""
    source = form.get("source")
    region = region_of(request)
    try:
        if source == "example":
            import_example_plan(engine_of(request), actor=user.username, region=region)
        elif source == "upload":
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InputError("No file was chosen.", "Choose a .yaml, .yml or .xlsx file.")
            # one byte more than the limit tells a file that is too large
            content = upload.file.read(UPLOAD_LIMIT + 1)
            import_uploaded_plan(
                engine_of(request), upload.filename, content, actor=user.username, region=region
            )
        else:
            raise InputError("Say what to import.", "Use the buttons on the plan page.")
    except BioconnectError as exc:
        if _stored_plan(request) is None:
            return _empty(request, 404 if isinstance(exc, NotFoundError) else 400, exc)
        raise
    return RedirectResponse("/plan", status_code=303)


def _history(request: Request, kind: RecordKind, record_id: str) -> list[dict[str, Any]]:
    user = current_user(request)
    entries = plan_history(
        engine_of(request),
        record_id,
        region=region_of(request),
        limit=50,
        viewer=user.role if user is not None else None,
    )
    out = []
    for e in entries:
        if e.entity != f"plan.{kind}":
            continue
        detail = e.detail
        fields = detail.get("fields") or {}
        out.append(
            {
                "at": str(e.at).replace("T", " ")[:19],
                "actor": e.actor,
                "action": e.action,
                "version": detail.get("version"),
                "fields": {k: forms.shown(v) for k, v in fields.items()},
            }
        )
    return out


# --------------------------------------------------------------------------- initiatives


def _initiative_page(
    request: Request,
    plan: Plan,
    item: dict[str, Any],
    *,
    new: bool,
    expected: int | None,
    status: int = 200,
    error: Exception | None = None,
    **extra: Any,
) -> Response:
    config = config_of(request)
    countries = list(request.app.state.preset.all_countries)
    countries += [c for c in item.get("countries") or [] if c not in countries]
    pillars = [(p.id, p.label) for p in config.pillars]
    if item.get("pillar") and item["pillar"] not in {p for p, _ in pillars}:
        pillars.append((item["pillar"], item["pillar"]))
    lead = item.get("lead") or {}
    partners = "\n".join(
        p["name"] + (f" | {p['org_id']}" if p.get("org_id") else "")
        for p in item.get("partners") or []
    )
    return render(
        request,
        "plan_initiative.html",
        status,
        active="plan",
        plan=plan,
        item=item,
        new=new,
        expected=expected,
        error=error,
        may_edit=_may(request, Role.editor),
        pillars=pillars,
        criteria=config.criteria,
        countries=countries,
        statuses=STATUSES,
        lead=lead,
        partners=partners,
        history=[] if new else _history(request, "initiative", item.get("id", "")),
        others=[i for i in plan.initiatives if i.id != item.get("id")],
        **extra,
    )


def _plan_or_404(request: Request) -> Plan:
    return load_plan(engine_of(request), region=region_of(request))


@router.get("/initiatives/new")
def initiative_new(request: Request, user: Editor) -> Response:
    plan = _plan_or_404(request)
    return _initiative_page(request, plan, {"status": "idea"}, new=True, expected=None)


def _save_initiative(
    request: Request, user: User, form: FormData, base: dict[str, Any], expected: int | None
) -> Response:
    plan = _plan_or_404(request)
    config = config_of(request)
    data = forms.initiative_from(form, base, config)
    new = expected is None
    try:
        saved = save_record(
            engine_of(request),
            "initiative",
            forms.typed(data, form),
            expected_version=expected,
            actor=user.username,
            region=region_of(request),
        )
    except PlanConflict as conflict:
        context = forms.conflict_context(conflict)
        return _initiative_page(
            request,
            plan,
            data,
            new=new and conflict.theirs_version is None,
            expected=conflict.theirs_version,
            status=409,
            **context,
        )
    except InputError as exc:
        return _initiative_page(
            request, plan, data, new=new, expected=expected, status=400, error=exc
        )
    return RedirectResponse(f"/plan/initiatives/{saved.id}?saved={saved.version}", status_code=303)


@router.post("/initiatives/new")
def initiative_create(request: Request, user: Editor, form: Form) -> Response:
    return _save_initiative(request, user, form, {}, None)


def _expected(form: FormData) -> int:
    text = forms.field_text(form, "expected_version")
    if not text.isdigit() or not 1 <= int(text) < 2**31:
        raise InputError("The form has no valid expected version.", "Reload the page.")
    return int(text)


@router.get("/initiatives/{record_id}")
def initiative_page(
    request: Request,
    user: Reader,
    record_id: RecordId,
    saved: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    plan = _plan_or_404(request)
    try:
        item = plan.initiative(record_id)
    except KeyError:
        raise NotFoundError(
            f"No initiative {record_id!r} in the plan.", "Go back to the plan at /plan."
        ) from None
    return _initiative_page(
        request, plan, item.model_dump(mode="json"), new=False, expected=item.version, saved=saved
    )


@router.post("/initiatives/{record_id}")
def initiative_save(request: Request, user: Editor, record_id: RecordId, form: Form) -> Response:
    expected = _expected(form)
    plan = _plan_or_404(request)
    try:
        stored = plan.initiative(record_id).model_dump(mode="json")
    except KeyError:
        # deleted meanwhile: the service reports it as a conflict with nothing stored
        stored = {"id": record_id}
    return _save_initiative(request, user, form, stored, expected)


@router.post("/initiatives/{record_id}/delete")
def initiative_delete(request: Request, user: Editor, record_id: RecordId, form: Form) -> Response:
    expected = _expected(form)
    try:
        delete_record(
            engine_of(request),
            "initiative",
            record_id,
            expected_version=expected,
            actor=user.username,
            region=region_of(request),
        )
    except PlanConflict as conflict:
        plan = _plan_or_404(request)
        item = conflict.theirs or {"id": record_id}
        return _initiative_page(
            request,
            plan,
            item,
            new=False,
            expected=conflict.theirs_version,
            status=409,
            **forms.conflict_context(conflict),
        )
    return RedirectResponse("/plan", status_code=303)


# ----------------------------------------------------------------------------------- KPIs


def _kpi_page(
    request: Request,
    plan: Plan,
    item: dict[str, Any],
    *,
    new: bool,
    expected: int | None,
    status: int = 200,
    error: Exception | None = None,
    raw: FormData | None = None,
    **extra: Any,
) -> Response:
    fields = forms.kpi_fields(item)
    if raw is not None:  # the values as typed, to correct them
        fields.update({k: v for k, v in raw.items() if k in fields and isinstance(v, str)})
    return render(
        request,
        "plan_kpi.html",
        status,
        active="plan",
        plan=plan,
        item=item,
        f=fields,
        new=new,
        expected=expected,
        error=error,
        may_edit=_may(request, Role.editor),
        history=[] if new else _history(request, "kpi", item.get("id", "")),
        **extra,
    )


@router.get("/kpis/new")
def kpi_new(request: Request, user: Editor) -> Response:
    plan = _plan_or_404(request)
    return _kpi_page(request, plan, {"direction": "increase"}, new=True, expected=None)


def _save_kpi(
    request: Request, user: User, form: FormData, base: dict[str, Any], expected: int | None
) -> Response:
    plan = _plan_or_404(request)
    new = expected is None
    data = dict(base)
    try:
        data = forms.kpi_from(form, base)
        saved = save_record(
            engine_of(request),
            "kpi",
            forms.typed(data, form),
            expected_version=expected,
            actor=user.username,
            region=region_of(request),
        )
    except PlanConflict as conflict:
        return _kpi_page(
            request,
            plan,
            data,
            new=new and conflict.theirs_version is None,
            expected=conflict.theirs_version,
            status=409,
            **forms.conflict_context(conflict),
        )
    except InputError as exc:
        if new:
            data = {
                **data,
                "initiatives": forms.many(form, "initiatives"),
                "goals": forms.many(form, "goals"),
            }
        return _kpi_page(
            request, plan, data, new=new, expected=expected, status=400, error=exc, raw=form
        )
    return RedirectResponse(f"/plan/kpis/{saved.id}?saved={saved.version}", status_code=303)


@router.post("/kpis/new")
def kpi_create(request: Request, user: Editor, form: Form) -> Response:
    return _save_kpi(request, user, form, {}, None)


def _kpi(plan: Plan, record_id: str) -> dict[str, Any]:
    for kpi in plan.kpis:
        if kpi.id == record_id:
            return kpi.model_dump(mode="json")
    raise NotFoundError(f"No KPI {record_id!r} in the plan.", "Go back to the plan at /plan.")


@router.get("/kpis/{record_id}")
def kpi_page(
    request: Request,
    user: Reader,
    record_id: RecordId,
    saved: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    plan = _plan_or_404(request)
    item = _kpi(plan, record_id)
    version = record_version(engine_of(request), "kpi", record_id, region=region_of(request))
    return _kpi_page(request, plan, item, new=False, expected=version, saved=saved)


@router.post("/kpis/{record_id}")
def kpi_save(request: Request, user: Editor, record_id: RecordId, form: Form) -> Response:
    expected = _expected(form)
    plan = _plan_or_404(request)
    try:
        stored = _kpi(plan, record_id)
    except NotFoundError:
        stored = {"id": record_id}
    return _save_kpi(request, user, form, stored, expected)


# ---------------------------------------------------------------------------------- inbox


@router.get("/inbox")
def inbox_page(request: Request, user: Reader) -> Response:
    plan = _plan_or_404(request)
    return render(
        request,
        "plan_inbox.html",
        active="plan",
        plan=plan,
        may_propose=_may(request, Role.stakeholder),
        may_edit=_may(request, Role.editor),
        goal_items=goal_proposals(plan.action_items),
        next_goal=next_goal_id(plan.goals),
    )


@router.post("/inbox")
def inbox_propose(request: Request, user: Stakeholder, form: Form) -> Response:
    text = forms.field_text(form, "text")
    if not text:
        raise InputError("The idea is empty.", "Describe the idea in a sentence or two.")
    if len(text) > 5000:
        raise InputError("The idea is longer than 5000 characters.", "Shorten it.")
    item = propose_action_item(
        engine_of(request), text, actor=user.username, region=region_of(request)
    )
    return RedirectResponse(f"/plan/inbox#item-{item.id}", status_code=303)


@router.post("/inbox/{record_id}/merge")
def inbox_merge(request: Request, user: Editor, record_id: RecordId, form: Form) -> Response:
    initiative = forms.field_text(form, "initiative")
    if not initiative:
        raise InputError("No initiative was chosen.", "Choose the initiative to merge into.")
    merge_action_item(
        engine_of(request), record_id, initiative, actor=user.username, region=region_of(request)
    )
    return RedirectResponse(f"/plan/inbox#item-{record_id}", status_code=303)


@router.post("/inbox/{record_id}/accept-goal")
def inbox_accept_goal(request: Request, user: Editor, record_id: RecordId, form: Form) -> Response:
    """Accept a goal proposed from a consultation: it becomes a plan goal with its evidence."""
    goal_id = forms.field_text(form, "goal_id")
    if not goal_id:
        raise InputError("No goal id was given.", "Give the new goal an id such as G4.")
    goal = accept_goal(
        engine_of(request), record_id, goal_id, actor=user.username, region=region_of(request)
    )
    return RedirectResponse(f"/plan/goals/{goal.id}", status_code=303)


# ---------------------------------------------------------------------------------- goals


@router.get("/goals/{record_id}")
def goal_page(request: Request, user: Reader, record_id: RecordId) -> Response:
    """A goal: its title, where it came from (the evidence) and what serves it."""
    plan = _plan_or_404(request)
    goal = next((g for g in plan.goals if g.id == record_id), None)
    if goal is None:
        raise NotFoundError(f"The plan has no goal {record_id}.", "See the plan's goals at /plan.")
    return render(
        request,
        "plan_goal.html",
        active="plan",
        plan=plan,
        goal=goal,
        initiatives=[i for i in plan.initiatives if goal.id in (i.goals or [])],
        kpis=[k for k in plan.kpis if goal.id in (k.goals or [])],
    )
