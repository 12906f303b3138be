"""The base of the services' read models: what a service returns, and the API sends.

A read model is a frozen pydantic model, so a shape is described once: the service
builds it, the CLI prints ``model_dump(mode="json")``, the web pages read its attributes
and the API uses the class as its response model (and so its OpenAPI schema).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ReadModel(BaseModel):
    """A frozen result of a service (cached results are shared, so they must not change)."""

    model_config = ConfigDict(frozen=True)
