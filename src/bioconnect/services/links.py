"""Where to read more about an organisation or a project: the EU's own pages.

An organisation that the loaded files know only by its PIC gets a reason and a link to
its entry in the EU Funding & Tenders portal's participant register, where anyone can
look a PIC up; a project without a title links to its CORDIS page.
"""

from __future__ import annotations

from urllib.parse import quote

#: The participant register of the EU Funding & Tenders portal: one page a PIC.
PIC_REGISTER = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/"
    "how-to-participate/org-details/{pic}"
)
CORDIS_PROJECT = "https://cordis.europa.eu/project/{kind}/{ident}"

UNNAMED_REASON = "CORDIS names this organisation only by its PIC in the files loaded"


def pic_search_url(pic: str | None) -> str | None:
    """The participant register's page of a PIC (None without a PIC).

    >>> pic_search_url("919399660")
    'https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/how-to-participate/org-details/919399660'
    >>> pic_search_url(None) is None
    True
    """
    if not pic:
        return None
    return PIC_REGISTER.format(pic=quote(str(pic).strip(), safe=""))


def unnamed_reason(name: str | None, pic: str | None, sources: list[str]) -> str | None:
    """Why an organisation has no name: None when it has one.

    >>> unnamed_reason(None, "919399660", ["h2020-participations"])
    'CORDIS names this organisation only by its PIC in the files loaded (h2020-participations).'
    >>> unnamed_reason("Tartu Ülikool", "999895013", []) is None
    True
    """
    if name:
        return None
    if not pic:
        return "No file loaded gives this organisation a name."
    listed = f" ({', '.join(sources)})" if sources else ""
    return f"{UNNAMED_REASON}{listed}."


def cordis_project_url(project_id: str, grant_id: str | None = None, rcn: str | None = None) -> str:
    """The CORDIS page of a project: by grant number where known, else by record number
    (an H2020 project of ``h2020.csv.gz`` is known only as ``rcn:<rcn>``).

    >>> cordis_project_url("rcn:227591", rcn="227591")
    'https://cordis.europa.eu/project/rcn/227591'
    >>> cordis_project_url("101039118", grant_id="101039118")
    'https://cordis.europa.eu/project/id/101039118'
    >>> cordis_project_url("rcn:227591")
    'https://cordis.europa.eu/project/rcn/227591'
    """
    if grant_id:
        return CORDIS_PROJECT.format(kind="id", ident=quote(grant_id, safe=""))
    if not rcn and project_id.startswith("rcn:"):
        rcn = project_id.removeprefix("rcn:")
    if rcn:
        return CORDIS_PROJECT.format(kind="rcn", ident=quote(rcn, safe=""))
    return CORDIS_PROJECT.format(kind="id", ident=quote(project_id, safe=""))
