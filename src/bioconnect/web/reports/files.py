"""What the Reports page and the reports API share: the numbers they accept, and a
rendered report as a download.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from fastapi.responses import Response

from bioconnect.services.reports import RenderedReport

#: The largest edition number asked for (a 32-bit id: PostgreSQL's integer).
MAX_EDITION = 2**31 - 1

EditionId = Annotated[int, Path(ge=1, le=MAX_EDITION, description="The edition's number.")]
EditionParam = Annotated[int, Query(ge=1, le=MAX_EDITION, description="An edition's number.")]


def download(report: RenderedReport) -> Response:
    """The report's bytes as a file to save, named as the services name it."""
    return Response(
        report.content,
        media_type=report.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{report.filename}"',
            "X-Report-Edition": str(report.edition),
        },
    )
