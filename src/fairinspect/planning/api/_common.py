"""The router, bearers, schemas and helpers every section shares."""

from __future__ import annotations

from ninja import Router

from fairinspect.registry.api import Error

router = Router(tags=["计划与抽查 planning"])
ERRORS = {400: Error, 403: Error, 404: Error, 409: Error, 422: Error}
