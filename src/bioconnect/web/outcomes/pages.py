"""The outcomes pages: newcomer cohorts with their survival, the KPI dashboard, a KPI's
history and forecast, and the forms that record observations (one, or a CSV of them).

Each page renders a read model of :mod:`bioconnect.services.outcomes`; each form writes
through it, so a bad value is refused with one error naming the field and nothing is
written. The form is shown again with the values as typed, and HTTP 400.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import StringConstraints
from starlette.datastructures import UploadFile

from bioconnect.errors import BioconnectError, InputError, NotFoundError
from bioconnect.services.accounts import Role
from bioconnect.services.outcomes import (
    CSV_COLUMNS,
    FORECAST_PATHS,
    FORECAST_SEED,
    H2020_LAST_YEAR,
    STATUS_RULES,
    UPLOAD_LIMIT,
    cohort_csv,
    cohorts_view,
    import_uploaded_observations,
    kpi_dashboard,
    kpi_view,
    observations_csv,
    record_observation,
)
from bioconnect.web.limits import Costly
from bioconnect.web.rendering import filter_choices, render
from bioconnect.web.routing import (
    Editor,
    Reader,
    engine_of,
    page_router,
    preset_of,
    region_countries,
)
from bioconnect.web.routing import SubmittedForm as Form
from bioconnect.web.security import current_user

router = page_router()

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
Countries = Annotated[list[CountryCode], Query(max_length=40, description="Country codes.")]
Breakdown = Literal["country", "stakeholder_group", "domain", "sme"]
Gap = Annotated[int, Query(ge=1, le=10)]
EndYear = Annotated[int, Query(ge=1980, le=2100)]
KpiId = Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")]
BREAKDOWN_LABELS = {
    "country": "country",
    "stakeholder_group": "stakeholder group",
    "domain": "domain",
    "sme": "SME status",
}
OBSERVATION_FIELDS = ("value", "date", "unit", "source")


def _may_edit(request: Request) -> bool:
    user = current_user(request)
    return user is not None and user.role >= Role.editor


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ------------------------------------------------------------------------------- cohorts


@router.get("/outcomes", dependencies=[Costly])
def cohorts_page(
    request: Request,
    user: Reader,
    country: Countries = [],  # noqa: B006 (FastAPI copies the default)
    by: Breakdown = "country",
    gap: Gap = 3,
    end_year: EndYear = H2020_LAST_YEAR,
) -> Response:
    codes = [c.upper() for c in country] or list(region_countries(request))
    view = cohorts_view(engine_of(request), codes, by=by, gap_years=gap, end_year=end_year)
    query = request.url.query
    return render(
        request,
        "outcomes/cohorts.html",
        active="outcomes",
        view=view,
        report=view.report,
        selected=codes,
        by=by,
        breakdowns=BREAKDOWN_LABELS,
        gap=gap,
        end_year=end_year,
        query=query,
        **filter_choices(request),
    )


@router.get("/outcomes/cohorts.csv", dependencies=[Costly])
def cohorts_csv(
    request: Request,
    user: Reader,
    table: Literal["entries", "survival"] = "entries",
    country: Countries = [],  # noqa: B006 (FastAPI copies the default)
    by: Breakdown = "country",
    gap: Gap = 3,
    end_year: EndYear = H2020_LAST_YEAR,
) -> Response:
    codes = [c.upper() for c in country] or list(region_countries(request))
    view = cohorts_view(engine_of(request), codes, by=by, gap_years=gap, end_year=end_year)
    return _csv(cohort_csv(view, table), f"newcomers-{table}.csv")


# --------------------------------------------------------------------------------- KPIs


def _dashboard(
    request: Request,
    status: int = 200,
    error: BioconnectError | None = None,
    imported: Any = None,
) -> Response:
    try:
        dashboard = kpi_dashboard(engine_of(request), region=preset_of(request))
    except NotFoundError:
        dashboard = None
    return render(
        request,
        "outcomes/kpis.html",
        status,
        active="outcomes",
        dashboard=dashboard,
        rules=STATUS_RULES,
        columns=CSV_COLUMNS,
        limit_mb=UPLOAD_LIMIT // 1024 // 1024,
        may_edit=_may_edit(request),
        error=error,
        imported=imported,
    )


@router.get("/outcomes/kpis")
def kpis_page(request: Request, user: Reader) -> Response:
    return _dashboard(request)


@router.get("/outcomes/kpis/observations.csv")
def kpis_csv(request: Request, user: Reader) -> Response:
    return _csv(observations_csv(engine_of(request), region=preset_of(request)), "observations.csv")


@router.post("/outcomes/kpis/import")
def kpis_import(request: Request, user: Editor, form: Form) -> Response:
    """Import an uploaded CSV of observations: all rows or none."""
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("no file was chosen", "choose a .csv file of observations")
        # one byte more than the limit tells a file that is too large
        content = upload.file.read(UPLOAD_LIMIT + 1)
        report = import_uploaded_observations(
            engine_of(request),
            upload.filename,
            content,
            actor=user.username,
            region=preset_of(request),
        )
    except InputError as exc:
        return _dashboard(request, 400, error=exc)
    return _dashboard(request, imported=report)


def _kpi_page(
    request: Request,
    kpi: str,
    *,
    seed: int = FORECAST_SEED,
    uplift: float = 0.0,
    status: int = 200,
    error: BioconnectError | None = None,
    typed: dict[str, str] | None = None,
    recorded: str | None = None,
) -> Response:
    view = kpi_view(engine_of(request), kpi, region=preset_of(request), seed=seed, uplift=uplift)
    fields = {"value": "", "date": "", "unit": view.status.unit, "source": ""}
    fields.update(typed or {})
    return render(
        request,
        "outcomes/kpi.html",
        status,
        active="outcomes",
        view=view,
        kpi=view.status,
        forecast=view.forecast,
        f=fields,
        seed=seed,
        uplift=uplift,
        paths=FORECAST_PATHS,
        rules=STATUS_RULES,
        may_edit=_may_edit(request),
        error=error,
        recorded=recorded,
    )


@router.get("/outcomes/kpis/{kpi}")
def kpi_page(
    request: Request,
    user: Reader,
    kpi: KpiId,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = FORECAST_SEED,
    uplift: Annotated[float, Query(ge=-0.9, le=5.0)] = 0.0,
    recorded: Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
) -> Response:
    return _kpi_page(request, kpi, seed=seed, uplift=uplift, recorded=recorded)


@router.post("/outcomes/kpis/{kpi}/observations")
def kpi_record(request: Request, user: Editor, kpi: KpiId, form: Form) -> Response:
    """Record one observation from the form; a bad value shows the form again with it."""
    typed = {
        name: value.strip()[:600]
        for name in OBSERVATION_FIELDS
        if isinstance(value := form.get(name), str)
    }
    try:
        saved = record_observation(
            engine_of(request),
            kpi,
            typed.get("value", ""),
            typed.get("date", ""),
            unit=typed.get("unit", ""),
            source=typed.get("source", ""),
            actor=user.username,
            region=preset_of(request),
        )
    except InputError as exc:
        return _kpi_page(request, kpi, status=400, error=exc, typed=typed)
    return RedirectResponse(
        f"/outcomes/kpis/{kpi}?recorded={saved.date.isoformat()}#observations", status_code=303
    )
