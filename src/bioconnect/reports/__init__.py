"""Reports: the status report, the action plan and the evaluation plan as documents.

A report is a Jinja2 template over read models that the services hand it; nothing here
computes a figure or touches the store. This package renders the HTML, turns it into its
other forms: PDF (WeasyPrint) and an editable Word copy (python-docx), and compares the
key figures of two editions.
"""

from bioconnect.reports.diff import FigureChange, diff_figures
from bioconnect.reports.document import Figure, ReportDocument, Source, Table, format_cell
from bioconnect.reports.numbering import Numbering
from bioconnect.reports.pdf import html_to_pdf
from bioconnect.reports.render import TEMPLATES, render_html
from bioconnect.reports.word import html_to_docx

__all__ = [
    "TEMPLATES",
    "Figure",
    "FigureChange",
    "Numbering",
    "ReportDocument",
    "Source",
    "Table",
    "diff_figures",
    "format_cell",
    "html_to_docx",
    "html_to_pdf",
    "render_html",
]
