"""RFC 6902 JSON Patch applied to a wire shape, then validated again like a fresh request."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
from pydantic import BaseModel, ValidationError

from meetbook.core.errors import Invalid


def operations(body: Any) -> list[dict]:
    """A patch document: a list of operations, or the published API's single PatchOperation."""
    if isinstance(body, dict) and "op" in body:
        body = [body]
    if not isinstance(body, list) or not all(isinstance(op, dict) and "op" in op and "path" in op for op in body):
        raise Invalid(
            "the body must be a JSON Patch document: [{\"op\": \"replace\", \"path\": \"/title\", \"value\": \"...\"}]",
            [{"field": "body", "message": "expected a list of {op, path, value} operations"}],
        )
    return body


def apply(document: dict, body: Any, schema: type[BaseModel], allowed: set[str] | None = None) -> BaseModel:
    """Apply the patch to `document` (camelCase wire shape) and validate the result with `schema`."""
    ops = operations(body)
    if allowed is not None:
        for op in ops:
            top = str(op["path"]).lstrip("/").split("/", 1)[0]
            if top not in allowed:
                raise Invalid(
                    f"'{op['path']}' cannot be changed here; changeable: {', '.join(sorted(allowed))}",
                    [{"field": str(op["path"]), "message": "not changeable"}],
                )
    try:
        patched = jsonpatch.apply_patch(copy.deepcopy(document), ops)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, ValueError) as exc:
        raise Invalid(f"the patch cannot be applied: {exc}", [{"field": "body", "message": str(exc)}]) from None
    try:
        return schema.model_validate(patched)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"].removeprefix("Value error, ")}
            for e in exc.errors()
        ]
        raise Invalid("the patched object is not valid", problems) from None
