"""Vega-Lite chart specifications: the same spec serves a web page, a PDF and the docs.

Functions here take plain data (as returned by the services) and return a Vega-Lite
specification (a dict). :func:`render` turns one into SVG or PNG with vl-convert.
"""

from bioconnect.charts.specs import atlas_chart, cross_border_chart, render

__all__ = ["atlas_chart", "cross_border_chart", "render"]
