"""The interactive API documentation (/docs) with every file served by this service.

FastAPI's own page loads Swagger UI from a CDN and a favicon from FastAPI's site, so it is blank on
a bank's network without internet access. The `fastapi-offline` package (pinned in requirements.lock)
ships those files; this serves them from /docs/assets. There is no /redoc: ReDoc fetches its
attribution logo from its vendor's CDN whatever the options, and Swagger UI shows the same document.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs/assets"


def install(app: FastAPI) -> None:
    """Needs `FastAPI(docs_url=None, redoc_url=None)`, which drops FastAPI's CDN pages."""
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{title}: API documentation",
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/favicon.png",
            # Swagger UI would otherwise send the document's URL to validator.swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None},
        )
