"""The PDF of a report's HTML, through WeasyPrint: tagged, paged, reproducible."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

_LOCK = threading.Lock()


def epoch_of(created: str) -> int:
    """Seconds since 1970 of an ISO 8601 timestamp (UTC when no zone is given).

    >>> epoch_of("2026-01-01T00:00:00Z")
    1767225600
    """
    moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def html_to_pdf(html: str, created: str) -> bytes:
    """A PDF of ``html``: A4 pages as the template's print styles lay them out.

    Parameters
    ----------
    html:
        A report's HTML (:func:`bioconnect.reports.render.render_html`).
    created:
        The report's stated timestamp. It becomes the PDF's dates and the fonts' time
        stamps, so the same HTML and timestamp give the same bytes.

    Returns
    -------
    bytes
        A tagged PDF (PDF/UA-1 as far as WeasyPrint supports it) with the document's
        outline from its headings.

    Example
    -------
    >>> page = "<html><head><title>T</title></head><body><h1>Hi</h1></body></html>"
    >>> a = html_to_pdf(page, "2026-01-01T00:00:00Z")
    >>> a[:5], a == html_to_pdf(page, "2026-01-01T00:00:00Z")
    (b'%PDF-', True)

    References
    ----------
    WeasyPrint documentation, "API" and "Common Use Cases" (PDF/UA, metadata);
    reproducible-builds.org, SOURCE_DATE_EPOCH (read by fontTools when it subsets fonts).
    """
    import weasyprint

    # fontTools stamps each subset font with the current time unless SOURCE_DATE_EPOCH is
    # set; the variable is process-wide, so renders take turns while it is set
    with _LOCK:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch_of(created))
        try:
            return bytes(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before
