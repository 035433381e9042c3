"""The bank's message templates and message settings over HTTP and in the bank definition file, on
SQLite and PostgreSQL: a template that does not render is refused when it is saved, naming its line."""

from __future__ import annotations

import asyncio

import yaml

from meetbook.bankfile.service import export_bank, import_bank, parse
from meetbook.catalog.store import configuration_version
from meetbook.core.db import run_in_transaction
from meetbook.messages import KINDS, LANGUAGES, VARIABLES, default_template
from tests import bankdata as b
from tests.integration.test_config_api import expect

TEMPLATES = "/config/message-templates"
SETTINGS = "/bookme/config/organization-settings"
GOOD = {"subject": "Booked: {{ date }}", "body": "Dear {{ greeting_name }},\n\nSee you {{ when }} at {{ place }}.\n"}


def version(database_url) -> int:
    return asyncio.run(run_in_transaction(database_url, configuration_version))


def test_templates_are_listed_written_read_and_reset(client, token, load_bank, database_url):
    load_bank(b.bank())
    admin, employee = token("admin"), token("employee")
    listed = expect(client.get(TEMPLATES, headers=employee), 200)
    assert [(t["kind"], t["language"]) for t in listed] == [(k, lang) for k in KINDS for lang in LANGUAGES]
    assert all(t["isDefault"] for t in listed)
    shipped = default_template("booked", "da-DK")
    assert listed[0] == {"kind": "booked", "language": "da-DK", "subject": shipped.subject, "body": shipped.body, "isDefault": True}
    assert expect(client.get(f"{TEMPLATES}/variables", headers=employee), 200) == VARIABLES

    before = version(database_url)
    written = expect(client.put(f"{TEMPLATES}/booked/en-GB", json=GOOD, headers=admin), 200)
    assert written == {"kind": "booked", "language": "en-GB", **GOOD, "isDefault": False}
    assert version(database_url) == before + 1  # cached snapshots of the bank reload
    assert expect(client.get(f"{TEMPLATES}/booked/en-GB", headers=employee), 200) == written
    assert [t for t in expect(client.get(TEMPLATES, headers=employee), 200) if not t["isDefault"]] == [written]

    assert client.delete(f"{TEMPLATES}/booked/en-GB", headers=admin).status_code == 204
    back = expect(client.get(f"{TEMPLATES}/booked/en-GB", headers=employee), 200)
    assert back["isDefault"] and back["subject"] == default_template("booked", "en-GB").subject
    assert client.delete(f"{TEMPLATES}/booked/en-GB", headers=admin).status_code == 204  # already the default


def test_a_template_that_does_not_render_is_refused_naming_its_line(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    url = f"{TEMPLATES}/cancelled/da-DK"
    body = expect(client.put(url, json={"subject": "Aflyst", "body": "Hej\n\n{{ kunde }}"}, headers=admin), 400, "BAD_REQUEST",
                  "does not render", "body, line 3", "'kunde' is undefined")
    assert body["errors"] == [{"field": "body", "message": "line 3: 'kunde' is undefined (see the documented variables)"}]
    expect(client.put(url, json={"subject": "{% if %}", "body": "x"}, headers=admin), 400, "BAD_REQUEST", "subject, line 1")
    expect(client.put(url, json={"subject": "x", "body": "{{ ''.__class__ }}"}, headers=admin), 400, "BAD_REQUEST", "unsafe")
    expect(client.put(url, json={"subject": "x", "body": "{% for i in range(999) %}{% for j in range(999) %}{% endfor %}{% endfor %}"},
                      headers=admin), 400, "BAD_REQUEST", "too much work")
    expect(client.put(url, json={"subject": "x", "body": "y" * 20_001}, headers=admin), 400, "BAD_REQUEST")
    expect(client.put(url, json={"subject": "x"}, headers=admin), 400, "BAD_REQUEST")
    assert expect(client.get(url, headers=admin), 200)["isDefault"]  # nothing was stored


def test_unknown_kinds_and_languages_are_404s_naming_the_known_ones(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    expect(client.get(f"{TEMPLATES}/welcome/da-DK", headers=admin), 404, "NOT_FOUND", "welcome", "booked, rescheduled")
    expect(client.put(f"{TEMPLATES}/booked/de-DE", json=GOOD, headers=admin), 404, "NOT_FOUND", "de-DE", "da-DK, en-GB")
    expect(client.delete(f"{TEMPLATES}/booked/sv", headers=admin), 404, "NOT_FOUND", "sv")


def test_only_admins_write_and_customers_do_not_read(client, token, load_bank):
    load_bank(b.bank())
    for who in ("employee", "customer"):
        expect(client.put(f"{TEMPLATES}/booked/en-GB", json=GOOD, headers=token(who)), 403, "FORBIDDEN")
        expect(client.delete(f"{TEMPLATES}/booked/en-GB", headers=token(who)), 403, "FORBIDDEN")
    expect(client.get(TEMPLATES, headers=token("customer")), 403, "FORBIDDEN")
    expect(client.get(TEMPLATES), 401, "UNAUTHORIZED")


def test_message_settings_are_validated_and_returned(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    defaults = expect(client.get(SETTINGS, headers=admin), 200)
    assert defaults["defaultLanguage"] == "da-DK" and defaults["sendConfirmationToCustomer"] is True
    assert defaults["reminderLeadTimes"] == ["1.00:00:00"] and defaults.get("bankName") is None

    new = {"timeZone": "Europe/Copenhagen", "bankName": "Nordbank", "defaultLanguage": "en-US",
           "sendConfirmationToCustomer": False, "reminderLeadTimes": ["2.00:00:00", "01:00:00"]}
    body = expect(client.put(SETTINGS, json=new, headers=admin), 200)
    assert (body["bankName"], body["defaultLanguage"], body["sendConfirmationToCustomer"]) == ("Nordbank", "en-GB", False)
    assert body["reminderLeadTimes"] == ["01:00:00", "2.00:00:00"]
    assert expect(client.get(SETTINGS, headers=admin), 200) == body

    patched = expect(client.patch(SETTINGS, json=[{"op": "replace", "path": "/reminderLeadTimes", "value": []},
                                                  {"op": "replace", "path": "/defaultLanguage", "value": "da"}], headers=admin), 200)
    assert patched["reminderLeadTimes"] == [] and patched["defaultLanguage"] == "da-DK" and patched["bankName"] == "Nordbank"

    for bad in ({"defaultLanguage": "de-DE"}, {"reminderLeadTimes": ["00:00:30"]}, {"reminderLeadTimes": ["31.00:00:00"]},
                {"reminderLeadTimes": ["01:00:00", "01:00:00"]}, {"reminderLeadTimes": [f"{h:02}:00:00" for h in range(1, 12)]},
                {"reminderLeadTimes": [3600]}, {"bankName": "x" * 201}, {"sendConfirmationToCustomer": "maybe"}):
        expect(client.put(SETTINGS, json=bad, headers=admin), 400, "BAD_REQUEST")
    assert expect(client.get(SETTINGS, headers=admin), 200) == patched


def test_the_bank_file_carries_templates_and_settings_both_ways(database_url):
    document = b.bank(
        organizationSettings={"bankName": "Nordbank", "defaultLanguage": "en", "sendConfirmationToCustomer": False,
                              "reminderLeadTimes": ["1.00:00:00", "02:00:00"]},
        messageTemplates=[{"kind": "reminder", "language": "da-DK", "subject": "Snart: {{ date }}", "body": "Vi ses {{ when }}."},
                          {"kind": "booked", "language": "en", **GOOD}],
    )
    counts = asyncio.run(run_in_transaction(database_url, lambda s: import_bank(s, parse(document))))
    assert counts["messageTemplates"] == 2
    exported = asyncio.run(run_in_transaction(database_url, export_bank))
    settings = exported["organizationSettings"]
    assert (settings["bankName"], settings["defaultLanguage"], settings["sendConfirmationToCustomer"]) == ("Nordbank", "en-GB", False)
    assert settings["reminderLeadTimes"] == ["02:00:00", "1.00:00:00"]
    assert exported["messageTemplates"] == [{"kind": "booked", "language": "en-GB", **GOOD},
                                            {"kind": "reminder", "language": "da-DK", "subject": "Snart: {{ date }}",
                                             "body": "Vi ses {{ when }}."}]
    # Importing the export again changes nothing.
    asyncio.run(run_in_transaction(database_url, lambda s: import_bank(s, parse(exported))))
    assert asyncio.run(run_in_transaction(database_url, export_bank)) == exported


def test_a_bad_template_refuses_the_whole_file_naming_its_place(meetbook, tmp_path, client, token):
    document = b.bank(
        organizationSettings={"bankName": "Nordbank"},
        messageTemplates=[{"kind": "booked", "language": "da-DK", **GOOD},
                          {"kind": "cancelled", "language": "en-GB", "subject": "Cancelled", "body": "Hi\n{{ customer.name }}"},
                          {"kind": "booked", "language": "da", **GOOD},
                          {"kind": "welcome", "language": "en-GB", **GOOD}],
    )
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    result = meetbook("import", bank_file)
    assert result.exit_code == 1 and result.stderr.startswith("error: "), result.output
    assert "messageTemplates[3].kind" in result.stderr  # the shape first: an unknown kind

    document["messageTemplates"].pop()
    bank_file.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    result = meetbook("import", bank_file)
    assert result.exit_code == 1, result.output
    assert "messageTemplates[1].body: line 2: 'customer' is undefined" in result.stderr
    assert "messageTemplates[2]: booked in da-DK is already given by messageTemplates[0]" in result.stderr

    # Nothing of the file was stored: no bank name, no template.
    admin = token("admin")
    assert expect(client.get(SETTINGS, headers=admin), 200).get("bankName") is None
    assert all(t["isDefault"] for t in expect(client.get(TEMPLATES, headers=admin), 200))
