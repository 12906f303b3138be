"""The web app and REST API (FastAPI, Jinja2, HTMX): ``create_app`` builds it."""

from bioconnect.web.app import create_app

__all__ = ["create_app"]
