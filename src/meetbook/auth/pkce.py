"""The development issuer's authorization-code flow with PKCE (RFC 6749 section 4.1, RFC 7636 S256).

The booking page is a public client (it runs in the customer's browser and can keep no secret), so it
signs the customer in with an authorization code bound to a PKCE challenge:

1. The page sends the browser to `GET /oauth/authorize?response_type=code&client_id=booking-page&
   redirect_uri=...&code_challenge=...&code_challenge_method=S256&state=...&scope=customer`.
2. The development issuer shows a tiny sign-in form (customer number and name) and, on
   `POST /oauth/authorize`, redirects to `redirect_uri?code=...&state=...`.
3. The page redeems the code at `POST /oauth/token` (`grant_type=authorization_code`, see routes.py)
   with its `code_verifier` and gets a customer-scope access token whose subject is the customer number.

Only the public client `booking-page` may use this, and only with a `redirect_uri` on the same origin
as the request (the page is served by this process). There is no password: this is a development
issuer, so it answers 404 outside development, and does not exist when tokens are validated against a
real identity provider's JWKS: customers sign in at the bank's own identity provider instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from meetbook.core.errors import Invalid, NotFound
from meetbook.core.http import Now, json

router = APIRouter(tags=["Authentication"])

PUBLIC_CLIENT = "booking-page"
# The staff workspace's public client: its own sign-in form (auth/staff.py) picks an employee of the bank.
STAFF_CLIENT = "staff-workspace"
CODE_LIFETIME = dt.timedelta(minutes=2)
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url of a SHA-256 digest, without padding
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 section 4.1
_SUBJECT = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    subject: str
    name: str
    scope: str
    expires: dt.datetime


class CodeStore:
    """One-time authorization codes, kept in this process's memory for two minutes.

    Acceptable for the development issuer only: codes vanish on restart, and with several worker
    processes a code must be redeemed by the process that issued it (the page retries sign-in if
    not). A production identity provider keeps its codes in shared storage.
    """

    def __init__(self) -> None:
        self._codes: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, grant: Grant, now: dt.datetime) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes = {c: g for c, g in self._codes.items() if g.expires > now}
            self._codes[code] = grant
        return code

    def redeem(self, code: str, now: dt.datetime) -> Grant | None:
        """The grant for a code, at most once: a code is gone after its first use, even a failed one."""
        with self._lock:
            grant = self._codes.pop(code, None)
        if grant is None or grant.expires <= now:
            return None
        return grant


codes = CodeStore()


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _enabled(request: Request) -> None:
    settings = request.app.state.settings
    if not settings.is_development or not settings.builtin_issuer:
        raise NotFound("the development sign-in is off: customers sign in at the bank's identity provider")


def check_client(request: Request, client_id: str, redirect_uri: str, clients: tuple[str, ...] = (PUBLIC_CLIENT,)) -> None:
    """A public client may only send codes back to a page on this same origin."""
    if client_id not in clients:
        raise Invalid(f"unknown client '{client_id}': the development issuer knows only the public client '{clients[0]}' here")
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise Invalid("redirect_uri must be an absolute http(s) URL without a fragment")
    if _origin(redirect_uri) != _origin(str(request.base_url)):
        raise Invalid("redirect_uri must be on the same origin as this service")


def check_verifier(verifier: str) -> bool:
    return bool(_VERIFIER.match(verifier))


# -- the sign-in page ---------------------------------------------------------------------------------

TEXT = {
    "da": {
        "title": "Log ind",
        "lead": "Udviklingsudgaven af bankens log-ind. Skriv dit kundenummer og dit navn.",
        "number": "Kundenummer",
        "number_hint": "Bogstaver, tal, punktum, bindestreg; højst 64 tegn.",
        "name": "Navn",
        "submit": "Log ind",
        "cancel": "Annuller",
        "bad_number": "Skriv et kundenummer med bogstaver, tal, punktum eller bindestreg.",
        "bad_name": "Skriv dit navn.",
        "note": "Der er ingen adgangskode: denne log-ind findes kun i udviklingsmiljøet.",
        "other": ("en", "English"),
    },
    "en": {
        "title": "Sign in",
        "lead": "The development version of the bank's sign-in. Enter your customer number and your name.",
        "number": "Customer number",
        "number_hint": "Letters, digits, dot, hyphen; at most 64 characters.",
        "name": "Name",
        "submit": "Sign in",
        "cancel": "Cancel",
        "bad_number": "Enter a customer number of letters, digits, dots or hyphens.",
        "bad_name": "Enter your name.",
        "note": "There is no password: this sign-in exists only in development.",
        "other": ("da", "Dansk"),
    },
}


def _language(value: str | None) -> str:
    for tag in (value or "").replace(",", " ").split():
        if tag[:2].lower() in TEXT:
            return tag[:2].lower()
    return "da"


def _page(lang: str, fields: dict[str, str], number: str = "", name: str = "", problems: dict[str, str] | None = None) -> str:
    t = TEXT[lang]
    problems = problems or {}
    e = html.escape
    hidden = "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in fields.items() if k != "ui_locales")
    other_lang, other_label = t["other"]
    switch = "/oauth/authorize?" + urlencode({**fields, "ui_locales": other_lang})
    cancel = fields["redirect_uri"] + ("&" if "?" in fields["redirect_uri"] else "?") + urlencode(
        {"error": "access_denied", "state": fields.get("state", "")}
    )

    def field(key: str, label: str, value: str, autocomplete: str, hint: str | None = None) -> str:
        problem = problems.get(key)
        described = " ".join(x for x in (f"{key}-hint" if hint else "", f"{key}-error" if problem else "") if x)
        return (
            f'<div class="field"><label for="{key}">{e(label)}</label>'
            + (f'<p class="hint" id="{key}-hint">{e(hint)}</p>' if hint else "")
            + (f'<p class="error" id="{key}-error">{e(problem)}</p>' if problem else "")
            + f'<input id="{key}" name="{key}" value="{e(value)}" autocomplete="{autocomplete}" required'
            + (f' aria-describedby="{described}"' if described else "")
            + (' aria-invalid="true"' if problem else "")
            + (" autofocus" if problem or key == "customer_number" else "")
            + "></div>"
        )

    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(t["title"])}</title>
<link rel="stylesheet" href="/static/styles.css">
</head>
<body>
<header class="top"><div class="top-inner"><p class="brand">meetbook</p>
<a class="lang-switch" href="{e(switch)}" lang="{other_lang}" hreflang="{other_lang}">{e(other_label)}</a></div></header>
<main id="main" class="page">
<section class="card" aria-labelledby="signin-title">
<h1 id="signin-title">{e(t["title"])}</h1>
<p>{e(t["lead"])}</p>
<form method="post" action="/oauth/authorize" class="stack" novalidate>
<input type="hidden" name="ui_locales" value="{lang}">
{hidden}
{field("customer_number", t["number"], number, "username", t["number_hint"])}
{field("name", t["name"], name, "name")}
<div class="actions"><button type="submit" class="primary">{e(t["submit"])}</button>
<a class="button secondary" href="{e(cancel)}">{e(t["cancel"])}</a></div>
</form>
<p class="note">{e(t["note"])}</p>
</section>
</main>
</body>
</html>
"""


# The sign-in form may be framed like the booking page it belongs to (banks embed that page);
# it has no password, and it exists only in development.
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors *",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _error_page(message: str, status: int = 400) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Sign-in error</title><link rel="stylesheet" href="/static/styles.css"></head><body><main class="page">'
        f'<section class="card"><h1>Sign-in error</h1><p class="error">{html.escape(message)}</p></section></main></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def _redirect_error(redirect_uri: str, error: str, description: str, state: str | None) -> RedirectResponse:
    query = {"error": error, "error_description": description, **({"state": state} if state else {})}
    return RedirectResponse(redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(query), status_code=303)


def _validate(request: Request, response_type: str, client_id: str, redirect_uri: str, code_challenge: str, method: str, scope: str | None, state: str | None):
    """None when the request is good; else the answer (an error page before redirect_uri is trusted,
    a redirect with `error=` after, as RFC 6749 section 4.1.2.1 says)."""
    try:
        _enabled(request)
        check_client(request, client_id, redirect_uri)
    except (Invalid, NotFound) as problem:
        return _error_page(problem.message, 404 if isinstance(problem, NotFound) else 400)
    if response_type != "code":
        return _redirect_error(redirect_uri, "unsupported_response_type", "response_type must be code", state)
    if method != "S256" or not _CHALLENGE.match(code_challenge):
        return _redirect_error(redirect_uri, "invalid_request", "a code_challenge with code_challenge_method=S256 is required", state)
    if any(s != "customer" for s in (scope or "customer").split()):
        return _redirect_error(redirect_uri, "invalid_scope", "the booking page may ask only for the customer scope", state)
    return None


_PAGE = {"text/html": {"schema": {"type": "string"}}}
# What the sign-in form answers besides itself: an error page while redirect_uri is not trusted,
# a redirect to it with `error=` after (RFC 6749 section 4.1.2.1), the form again with its problems.
PAGE_REFUSALS = {
    303: {"description": "Back to redirect_uri, with a code or with error= and error_description="},
    400: {"description": "The request or the form is not valid (an error page, or the form with its problems)", "content": _PAGE},
    404: {"description": "The development issuer is off, or the client is unknown (an error page)", "content": _PAGE},
}


@router.get(
    "/oauth/authorize",
    summary="Sign-in form of the development issuer (authorization code with PKCE, S256)",
    response_class=HTMLResponse,
    responses=PAGE_REFUSALS,
)
async def authorize_form(
    request: Request,
    response_type: Annotated[str, Query()] = "",
    client_id: Annotated[str, Query()] = "",
    redirect_uri: Annotated[str, Query()] = "",
    code_challenge: Annotated[str, Query()] = "",
    code_challenge_method: Annotated[str, Query()] = "",
    state: Annotated[str | None, Query(max_length=500)] = None,
    scope: Annotated[str | None, Query()] = None,
    ui_locales: Annotated[str | None, Query(description="da or en")] = None,
):
    refused = _validate(request, response_type, client_id, redirect_uri, code_challenge, code_challenge_method, scope, state)
    if refused is not None:
        return refused
    fields = {
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "code_challenge": code_challenge,
        "code_challenge_method": "S256", "state": state or "", "scope": scope or "customer",
    }
    return HTMLResponse(_page(_language(ui_locales), fields), headers=_HEADERS)


@router.post(
    "/oauth/authorize",
    summary="Sign in (development issuer): redirects to redirect_uri with a one-time code and the state",
    response_class=HTMLResponse,
    status_code=303,
    responses=PAGE_REFUSALS,
)
async def authorize(
    now: Now,
    request: Request,
    response_type: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
    redirect_uri: Annotated[str, Form()] = "",
    code_challenge: Annotated[str, Form()] = "",
    code_challenge_method: Annotated[str, Form()] = "",
    state: Annotated[str | None, Form(max_length=500)] = None,
    scope: Annotated[str | None, Form()] = None,
    ui_locales: Annotated[str | None, Form()] = None,
    customer_number: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
):
    refused = _validate(request, response_type, client_id, redirect_uri, code_challenge, code_challenge_method, scope, state)
    if refused is not None:
        return refused
    lang = _language(ui_locales)
    number, name = customer_number.strip(), " ".join(name.split())[:200]
    problems = {}
    if not _SUBJECT.match(number):
        problems["customer_number"] = TEXT[lang]["bad_number"]
    if not name:
        problems["name"] = TEXT[lang]["bad_name"]
    if problems:
        fields = {
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "code_challenge": code_challenge,
            "code_challenge_method": "S256", "state": state or "", "scope": scope or "customer",
        }
        return HTMLResponse(_page(lang, fields, number, name, problems), status_code=400, headers=_HEADERS)
    now = now
    grant = Grant(client_id, redirect_uri, code_challenge, number, name, "customer", now + CODE_LIFETIME)
    query = {"code": codes.issue(grant, now), **({"state": state} if state else {})}
    return RedirectResponse(
        redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(query),
        status_code=303,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.get("/.well-known/oauth-authorization-server", include_in_schema=False)
async def metadata(request: Request):
    """RFC 8414 metadata of the development issuer, for integrators' tools."""
    _enabled(request)
    base = str(request.base_url).rstrip("/")
    return json(
        {
            "issuer": request.app.state.settings.auth_issuer,
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
            "scopes_supported": ["customer", "employee", "admin"],
            "ui_locales_supported": ["da", "en"],
        }
    )
