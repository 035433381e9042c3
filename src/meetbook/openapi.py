"""The OpenAPI document: FastAPI's, plus the schemas referenced by hand-written request bodies."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from meetbook.meetings.lifecycle import MeetingChanges
from meetbook.schemas_base import PatchOperation

EXTRA_SCHEMAS = (PatchOperation, MeetingChanges)


def install(app: FastAPI) -> None:
    def build() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in EXTRA_SCHEMAS:
            schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
            for name, nested in schema.pop("$defs", {}).items():
                schemas.setdefault(name, nested)
            schemas.setdefault(model.__name__, schema)
        document["components"].setdefault("securitySchemes", {})
        app.openapi_schema = document
        return document

    app.openapi = build
