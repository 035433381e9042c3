"""The OpenAPI document: FastAPI's, plus the schemas referenced by hand-written request bodies."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from meetbook.auth.tokens import LEEWAY_SECONDS
from meetbook.core.http import CODES, MEANINGS, error_answer
from meetbook.core.ratelimit import is_exempt
from meetbook.core.wire import LINE_PATTERN, PatchOperation
from meetbook.meetings.lifecycle import MeetingChanges

EXTRA_SCHEMAS = (PatchOperation, MeetingChanges)


def install(app: FastAPI) -> None:
    def build() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description + _contract_notes(), routes=app.routes,
            tags=app.openapi_tags,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in EXTRA_SCHEMAS:
            schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
            for name, nested in schema.pop("$defs", {}).items():
                schemas.setdefault(name, nested)
            schemas.setdefault(model.__name__, schema)
        _drop_422(document)
        _plain_parameters(document)
        _error_answers(document)
        _add_examples(document)
        app.openapi_schema = document
        return document

    app.openapi = build


def _contract_notes() -> str:
    """Built from the code's own tables, so the document cannot drift from what the service answers."""
    codes = "\n".join(f"- `{code}` ({status}): {MEANINGS[status]}" for status, code in CODES.items())
    return f"""
**Errors.** Every refusal is JSON `{{"code": "...", "message": "..."}}`; validation errors add
`"errors": [{{"field": ..., "message": ...}}]`, and 401 carries `WWW-Authenticate: Bearer`. The codes:

{codes}

**Tokens.** `exp` and `nbf` are checked with {LEEWAY_SECONDS} seconds of leeway for clock skew between
the token's issuer and this service.
"""


SAMPLES = {
    "date-time": "2026-06-01T07:00:00.000Z",
    "date": "2026-12-24",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "binary": None,
}


def _add_examples(document: dict) -> None:
    """Every JSON request body and answer gets an example, built from its schema where the
    route did not give one, so /docs always shows what a call looks like."""
    schemas = document.get("components", {}).get("schemas", {})
    for item in document.get("paths", {}).values():
        for operation in item.values():
            bodies = [operation.get("requestBody", {})] + [
                answer for status, answer in operation.get("responses", {}).items() if str(status).startswith("2")
            ]
            for body in bodies:
                media = body.get("content", {}).get("application/json")
                if media and "schema" in media and "example" not in media and "examples" not in media:
                    media["example"] = _example(media["schema"], schemas, depth=0)


def _example(schema: dict, schemas: dict, depth: int):
    if depth > 6:
        return None
    if "$ref" in schema:
        return _example(schemas.get(schema["$ref"].rsplit("/", 1)[-1], {}), schemas, depth + 1)
    if "examples" in schema and schema["examples"]:
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [s for s in schema.get(key, []) if s.get("type") != "null"]
        if options:
            return _example(options[0], schemas, depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: _example(sub, schemas, depth + 1) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema.get("items", {}), schemas, depth + 1)]
    if kind == "string":
        return SAMPLES.get(schema.get("format", ""), "string")
    if kind == "integer":
        return 0
    if kind == "number":
        return 0.0
    if kind == "boolean":
        return True
    return None


def _drop_422(document: dict) -> None:
    """Validation failures answer 400 with the error body (declared per route), never FastAPI's 422."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def _plain_parameters(document: dict) -> None:
    """Parameters as the service reads them. A query, path or header parameter is absent or a
    string, never JSON's null (FastAPI documents `str | None` as "a string or null", and a client
    that believes it sends `?x=null`). And every one is one line without control characters
    (`core.query.plain_parameters` refuses the rest for every route), which a parameter with its
    own pattern, format or enum already says."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                options = schema.get("anyOf")
                if options and any(o.get("type") == "null" for o in options):
                    kept = [o for o in options if o.get("type") != "null"]
                    del schema["anyOf"]
                    if len(kept) == 1:
                        schema.update({k: v for k, v in kept[0].items() if k not in schema})
                    else:
                        schema["anyOf"] = kept
                if schema.get("default", "") is None:
                    del schema["default"]
                for text in (schema, schema.get("items", {})):
                    if text.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(text):
                        text["pattern"] = LINE_PATTERN


def _error_answers(document: dict) -> None:
    """Every refusal an operation can meet is documented with the error body, whatever the route
    declared: a bad parameter or body (400), a token missing or lacking the scope (401, 403), an
    unknown id in the path (404), a body over the limit (413), a URL over the limit (414), a client over
    its rate limit (429), the server's own failure (500) and a database that does not answer (503). The
    middleware and the shared checks answer these for every route."""
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            parameters = operation.get("parameters", [])
            # 429: over the client's rate limit; 503: the database does not answer (it restarts, it is down)
            statuses = {414, 500, 503} if is_exempt(path) else {414, 429, 500, 503}
            if parameters or "requestBody" in operation:
                statuses.add(400)
            if any(p.get("in") == "path" for p in parameters):
                statuses.add(404)
            if "requestBody" in operation:
                statuses.add(413)
            if operation.get("security"):
                statuses |= {401, 403}
            responses = operation.setdefault("responses", {})
            # A refusal a route declared with a description only (the token endpoint's) is the error body too.
            statuses |= {int(s) for s, answer in responses.items() if s.isdigit() and int(s) >= 400 and "content" not in answer}
            for status in sorted(statuses):
                answer = responses.setdefault(str(status), {"description": MEANINGS.get(status, "Refused")})
                # A route whose own refusals are a page (the sign-in form) still answers these in JSON.
                answer.setdefault("content", {}).setdefault("application/json", error_answer(status))
