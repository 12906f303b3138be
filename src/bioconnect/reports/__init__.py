"""Reports: the status report, the action plan and the evaluation plan as documents.

A report is a Jinja2 template over read models that the services hand it; nothing here
computes a figure or touches the store. This package turns the rendered HTML into its
other forms: PDF (WeasyPrint) and an editable Word copy (python-docx), and compares the
key figures of two editions.
"""

from bioconnect.reports.word import html_to_docx

__all__: list[str] = ["html_to_docx"]
