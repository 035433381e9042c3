"""Serves the customer booking page at `/`, its files at `/static/...`, and `/booking-config.json`
(where the page finds the sign-in endpoints); and the staff workspace at `/staff/` (its files under
`/static/staff/`, its sign-in endpoints in `/staff/config.json`).

The files are read once at import and served from memory with an ETag, so a page load costs a few
dictionary look-ups. There is no path handling of user input: only the files in this folder exist.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from meetbook.auth.pkce import PUBLIC_CLIENT, STAFF_CLIENT
from meetbook.core.errors import NotFound
from meetbook.core.http import json
from meetbook.tables.catalog import OrganizationSettings

router = APIRouter(include_in_schema=False)

HERE = Path(__file__).parent
STATIC = HERE / "static"

# Everything comes from this origin (no CDN, no web fonts from elsewhere); banks may frame the page.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors *"
)
SECURITY = {
    "Content-Security-Policy": PAGE_CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml",
         ".html": "text/html; charset=utf-8", ".json": "application/json"}


class _File:
    def __init__(self, path: Path):
        self.body = path.read_bytes()
        self.gzipped = gzip.compress(self.body, compresslevel=9, mtime=0)
        self.etag = hashlib.sha256(self.body).hexdigest()[:20]
        self.media_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    def response(self, request: Request, headers: dict[str, str]) -> Response:
        zipped = "gzip" in request.headers.get("accept-encoding", "") and len(self.gzipped) < len(self.body)
        etag = f'"{self.etag}{"-gz" if zipped else ""}"'
        # no-cache: the browser keeps the file but asks each time; an unchanged file is a bodiless 304.
        common = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding", **headers}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=common)
        if zipped:
            return Response(self.gzipped, media_type=self.media_type, headers={**common, "Content-Encoding": "gzip"})
        return Response(self.body, media_type=self.media_type, headers=common)


def _load() -> dict[str, _File]:
    return {p.relative_to(STATIC).as_posix(): _File(p) for p in sorted(STATIC.rglob("*")) if p.is_file()}


FILES = _load()
INDEX = _File(HERE / "index.html")
STAFF = _File(HERE / "staff.html")


def _page_headers(settings, staff: bool = False) -> dict[str, str]:
    """The page may also talk to the bank's own token endpoint and send customers (or staff) to its sign-in."""
    token, authorize = ((settings.staff_token_endpoint, settings.staff_authorization_endpoint) if staff
                        else (settings.page_token_endpoint, settings.page_authorization_endpoint))
    extra = " ".join(_origin(u) for u in (token,) if u and _origin(u))
    forms = " ".join(_origin(u) for u in (authorize,) if u and _origin(u))
    if not extra and not forms:
        return SECURITY
    csp = PAGE_CSP.replace("connect-src 'self'", f"connect-src 'self' {extra}".rstrip())
    csp = csp.replace("form-action 'self'", f"form-action 'self' {forms}".rstrip())
    return {**SECURITY, "Content-Security-Policy": csp}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@router.get("/")
async def page(request: Request):
    return INDEX.response(request, _page_headers(request.app.state.settings))


@router.get("/static/{name:path}")
async def static(request: Request, name: str):
    found = FILES.get(name)
    if found is None:
        raise NotFound(f"no such file: /static/{name}")
    return found.response(request, {"X-Content-Type-Options": "nosniff"})


@router.get("/favicon.ico")
async def favicon(request: Request):
    """Browsers ask for it whatever the page links; the page's own icon (an SVG) answers."""
    return FILES["icon.svg"].response(request, {"X-Content-Type-Options": "nosniff"})


@router.get("/booking-config.json")
async def booking_config(request: Request):
    """Where the page signs the customer in: the bank's identity provider when configured, else
    the development issuer. Relative URLs resolve against the page's own address, so the page
    works behind a proxy path prefix too."""
    settings = request.app.state.settings
    async with request.app.state.read_sessions() as session:
        bank = await session.get(OrganizationSettings, 1)
    return json(
        {
            "authorizationEndpoint": settings.page_authorization_endpoint or "oauth/authorize",
            "tokenEndpoint": settings.page_token_endpoint or "oauth/token",
            "clientId": settings.page_client_id or PUBLIC_CLIENT,
            "scope": settings.page_scope,
            # Whether the customer is told "an invitation has been sent to ..." after booking.
            "sendsInvitations": bank.send_confirmation_to_customer if bank is not None else True,
            # The header shows the bank, not the product, from the first screen on (before sign-in).
            "bankName": bank.bank_name if bank is not None else None,
            "logoUrl": bank.logo_url if bank is not None else None,
        },
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/staff")
async def staff_slash():
    return RedirectResponse("staff/", status_code=308)


@router.get("/staff/")
async def staff_page(request: Request):
    """The staff workspace: agenda, booking for a customer, changes, outcomes, the branch view (docs/workspace.md)."""
    return STAFF.response(request, _page_headers(request.app.state.settings, staff=True))


@router.get("/staff/config.json")
async def staff_config(request: Request):
    """Where the workspace signs staff in: the bank's identity provider when configured, else the development
    issuer's staff form. Relative to /staff/, so a proxy path prefix works here too."""
    settings = request.app.state.settings
    return json(
        {
            "authorizationEndpoint": settings.staff_authorization_endpoint or "../oauth/staff/authorize",
            "tokenEndpoint": settings.staff_token_endpoint or "../oauth/token",
            "clientId": settings.staff_client_id or STAFF_CLIENT,
            "scope": settings.staff_scope,
        },
        headers={"Cache-Control": "no-cache"},
    )
