"""The development issuer's sign-in for the staff workspace (`/staff/`): the same authorization code
flow with PKCE as the booking page's (pkce.py), for the public client `staff-workspace`.

Instead of a customer number, the form lists the bank's employees; the token's subject is the chosen
employee's id, its scope `employee`, or `admin` when "branch manager" is ticked. Like the booking page's
form it has no password, so it exists only in development with the built-in issuer (404 elsewhere):
in production staff sign in at the bank's identity provider (`MEETBOOK_STAFF_*` settings).
"""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from meetbook.auth.pkce import (
    _CHALLENGE,
    _HEADERS,
    CODE_LIFETIME,
    PAGE_REFUSALS,
    STAFF_CLIENT,
    Grant,
    _enabled,
    _error_page,
    _redirect_error,
    check_client,
    codes,
)
from meetbook.core.errors import Invalid, NotFound
from meetbook.core.http import Now
from meetbook.tables.catalog import EmployeeRow

router = APIRouter(tags=["Authentication"])

TEXT = {
    "da": {
        "title": "Log ind som medarbejder",
        "lead": "Udviklingsudgaven af bankens log-ind for medarbejdere. Vælg, hvem du er.",
        "employee": "Medarbejder",
        "choose": "Vælg en medarbejder",
        "manager": "Filialchef: må se filialoversigten (administrator)",
        "submit": "Log ind",
        "cancel": "Annuller",
        "bad_employee": "Vælg en medarbejder.",
        "none": "Banken har ingen medarbejdere endnu.",
        "note": "Der er ingen adgangskode: denne log-ind findes kun i udviklingsmiljøet.",
        "other": ("en", "English"),
    },
    "en": {
        "title": "Sign in as staff",
        "lead": "The development version of the bank's sign-in for staff. Choose who you are.",
        "employee": "Employee",
        "choose": "Choose an employee",
        "manager": "Branch manager: may see the branch view (admin)",
        "submit": "Sign in",
        "cancel": "Cancel",
        "bad_employee": "Choose an employee.",
        "none": "The bank has no employees yet.",
        "note": "There is no password: this sign-in exists only in development.",
        "other": ("da", "Dansk"),
    },
}


def _language(value: str | None) -> str:
    tag = (value or "").replace(",", " ").split()
    return tag[0][:2].lower() if tag and tag[0][:2].lower() in TEXT else "da"


def _name(e: EmployeeRow) -> str:
    return " ".join(x for x in (e.first_name, e.last_name) if x) or e.display_name or e.initials


async def _employees(request: Request) -> list[EmployeeRow]:
    async with request.app.state.read_sessions() as session:
        rows = (await session.scalars(select(EmployeeRow))).all()
    return sorted(rows, key=lambda e: (e.location or "", _name(e).lower()))


def _page(lang: str, fields: dict[str, str], employees: list[EmployeeRow], chosen: str = "", manager: bool = False,
          problem: str | None = None) -> str:
    t = TEXT[lang]
    e = html.escape
    hidden = "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in fields.items())
    other_lang, other_label = t["other"]
    switch = "/oauth/staff/authorize?" + urlencode({**fields, "ui_locales": other_lang})
    cancel = fields["redirect_uri"] + ("&" if "?" in fields["redirect_uri"] else "?") + urlencode(
        {"error": "access_denied", "state": fields.get("state", "")}
    )
    branches: dict[str, list[str]] = {}
    for x in employees:
        selected = " selected" if x.id == chosen else ""
        label = f"{_name(x)} ({x.initials})"
        branches.setdefault(x.location or "–", []).append(f'<option value="{e(x.id)}"{selected}>{e(label)}</option>')
    options = "".join(f'<optgroup label="{e(b)}">{"".join(o)}</optgroup>' for b, o in branches.items())
    error = f'<p class="error" id="employee-error">{e(problem)}</p>' if problem else ""
    invalid = ' aria-invalid="true" aria-describedby="employee-error"' if problem else ""
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
<p>{e(t["lead"] if employees else t["none"])}</p>
<form method="post" action="/oauth/staff/authorize" class="stack" novalidate>
<input type="hidden" name="ui_locales" value="{lang}">
{hidden}
<div class="field"><label for="employee">{e(t["employee"])}</label>{error}
<select id="employee" name="employee" required autofocus{invalid}>
<option value="">{e(t["choose"])}</option>{options}</select></div>
<label class="choice"><input type="checkbox" name="manager" value="yes"{" checked" if manager else ""}> {e(t["manager"])}</label>
<div class="actions"><button type="submit" class="primary">{e(t["submit"])}</button>
<a class="button secondary" href="{e(cancel)}">{e(t["cancel"])}</a></div>
</form>
<p class="note">{e(t["note"])}</p>
</section>
</main>
</body>
</html>
"""


def _validate(request: Request, response_type: str, client_id: str, redirect_uri: str, code_challenge: str, method: str,
              scope: str | None, state: str | None):
    """None when the request is good; else the answer (as pkce._validate, for the staff client and scopes)."""
    try:
        _enabled(request)
        check_client(request, client_id, redirect_uri, (STAFF_CLIENT,))
    except (Invalid, NotFound) as problem:
        return _error_page(problem.message, 404 if isinstance(problem, NotFound) else 400)
    if response_type != "code":
        return _redirect_error(redirect_uri, "unsupported_response_type", "response_type must be code", state)
    if method != "S256" or not _CHALLENGE.match(code_challenge):
        return _redirect_error(redirect_uri, "invalid_request", "a code_challenge with code_challenge_method=S256 is required",
                               state)
    if any(s not in ("employee", "admin") for s in (scope or "employee").split()):
        return _redirect_error(redirect_uri, "invalid_scope", "the staff workspace may ask only for the employee and admin scopes",
                               state)
    return None


def _fields(client_id: str, redirect_uri: str, code_challenge: str, state: str | None, scope: str | None) -> dict[str, str]:
    return {
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "code_challenge": code_challenge,
        "code_challenge_method": "S256", "state": state or "", "scope": scope or "employee",
    }


@router.get(
    "/oauth/staff/authorize",
    summary="Staff sign-in form of the development issuer (authorization code with PKCE, S256)",
    response_class=HTMLResponse,
    responses=PAGE_REFUSALS,
)
async def staff_authorize_form(
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
    fields = _fields(client_id, redirect_uri, code_challenge, state, scope)
    return HTMLResponse(_page(_language(ui_locales), fields, await _employees(request)), headers=_HEADERS)


@router.post(
    "/oauth/staff/authorize",
    summary="Sign in as an employee (development issuer): redirects to redirect_uri with a one-time code and the state",
    response_class=HTMLResponse,
    status_code=303,
    responses=PAGE_REFUSALS,
)
async def staff_authorize(
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
    employee: Annotated[str, Form(max_length=200)] = "",
    manager: Annotated[str | None, Form()] = None,
):
    refused = _validate(request, response_type, client_id, redirect_uri, code_challenge, code_challenge_method, scope, state)
    if refused is not None:
        return refused
    lang = _language(ui_locales)
    employees = await _employees(request)
    chosen = next((x for x in employees if x.id == employee), None)
    if chosen is None:
        fields = _fields(client_id, redirect_uri, code_challenge, state, scope)
        page = _page(lang, fields, employees, employee, bool(manager), TEXT[lang]["bad_employee"])
        return HTMLResponse(page, status_code=400, headers=_HEADERS)
    # The form decides the role here; at the bank's identity provider its own roles do.
    grant = Grant(client_id, redirect_uri, code_challenge, chosen.id, _name(chosen), "admin" if manager else "employee",
                  now + CODE_LIFETIME)
    query = {"code": codes.issue(grant, now), **({"state": state} if state else {})}
    return RedirectResponse(
        redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(query),
        status_code=303,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
