"""Names in the customer's language: `?lang=` (da-DK, en-GB, kl-GL) fills the localized* fields of
topics, customer types, branches and the settings (meeting types, closing days) from the `names`
maps the configuration API and the bank file keep; Danish is the fallback. The .ics and the e-mails
speak the meeting's language. Bank: tests/bankdata.py with names added."""

from __future__ import annotations

import asyncio
import email
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

from icalendar import Calendar

from meetbook.bankfile.service import export_bank
from meetbook.core.db import run_in_transaction
from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve, search


def _named_bank() -> dict:
    bank = b.bank()
    housing = {"en-GB": "Home Housing", "kl-GL": "Illu Housing"}
    bank["topics"] = [{**t, "names": housing} if t["id"] == b.T_HOUSING else t for t in bank["topics"]]
    bank["customerTypes"] = [{**c, "names": {"en-GB": "Private customer"}} if c["id"] == b.CT_PRIVATE else c
                             for c in bank["customerTypes"]]
    copenhagen = {"en-GB": "Copenhagen centre", "kl-GL": "Københavni"}
    bank["locations"] = [{**loc, "names": copenhagen} if loc["location"] == "Copenhagen" else loc for loc in bank["locations"]]
    bank["organizationSettings"] = {
        **bank["organizationSettings"], "closingDays": ["2026-12-24"],
        "closingDayTranslations": {"2026-12-24": {"en-GB": "Christmas Eve"}},
        "meetingTypeNames": {"Physical": {"da-DK": "Møde i banken", "en-GB": "At the bank"}},
        "bankName": "Nordbank", "logoUrl": "/static/icon.svg",
    }
    return bank


def _refused_field(response, field: str) -> None:
    body = refused(response, 400)
    assert any(e["field"].startswith(field) for e in body.get("errors", [])), body


def test_lang_fills_the_localized_fields_with_danish_as_fallback(client, token, load_bank):
    load_bank(_named_bank())
    h = token()
    topics = client.get("/bookme/meeting-topics", params={"isCustomer": "true", "lang": "en-GB"}, headers=h).json()
    housing = next(t for t in topics if t["id"] == b.T_HOUSING)
    purchase = next(t for t in topics if t["id"] == b.T_PURCHASE)
    assert housing["localizedName"] == "Home Housing" and housing["name"] == "Housing"
    assert housing["names"] == {"en-GB": "Home Housing", "kl-GL": "Illu Housing"}
    assert purchase["localizedName"] == "Buying a home" and purchase["names"] is None  # a sub-topic without names: its name
    kl = client.get(f"/bookme/meeting-topics/{b.T_HOUSING}", params={"lang": "KL-gl"}, headers=h).json()
    assert kl["localizedName"] == "Illu Housing"
    plain = client.get(f"/bookme/meeting-topics/{b.T_HOUSING}", headers=h).json()
    assert plain["localizedName"] is None  # no language asked for: nothing localized

    types = client.get("/config/customer-types", params={"lang": "en-GB"}, headers=h).json()
    assert {c["name"]: c["localizedName"] for c in types} == {"Private": "Private customer", "Business": "Business"}
    private = client.get(f"/config/customer-types/{b.CT_PRIVATE}", params={"lang": "kl-GL"}, headers=h).json()
    assert private["localizedName"] == "Private"

    branches = {x["location"]: x for x in client.get("/bookme/config/locations", params={"lang": "kl-GL"}, headers=h).json()}
    assert branches["Copenhagen"]["localizedDisplayName"] == "Københavni"
    assert branches["Aarhus"]["localizedDisplayName"] == "Aarhus C"  # no translation: the display name

    settings = client.get("/bookme/config/organization-settings", params={"lang": "en-GB"}, headers=h).json()
    assert settings["localizedMeetingTypeNames"] == {"Physical": "At the bank", "Online": "Video meeting",
                                                     "Telephone": "Phone call", "OffSite": "At your place"}
    assert settings["localizedClosingDayNames"] == {"2026-12-24": "Christmas Eve"}
    assert settings["bankName"] == "Nordbank" and settings["logoUrl"] == "/static/icon.svg"
    greenlandic = client.get("/bookme/config/organization-settings", params={"lang": "kl-GL"}, headers=h).json()
    assert greenlandic["localizedMeetingTypeNames"]["Physical"] == "Møde i banken"  # the bank's Danish word
    assert greenlandic["localizedMeetingTypeNames"]["Online"] == "Videomøde"  # the built-in Danish word


def test_an_unknown_lang_is_a_400_naming_the_accepted_ones(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    for path in ("/bookme/meeting-topics", "/config/customer-types", "/bookme/config/locations",
                 "/bookme/config/organization-settings", f"/bookme/meeting-topics/{b.T_HOUSING}"):
        body = refused(client.get(path, params={"isCustomer": "true", "lang": "fr-FR"}, headers=h), 400, "da-DK, en-GB, kl-GL")
        assert body["errors"][0]["field"] == "lang"


def test_names_through_the_configuration_api_are_checked_and_kept(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    topic = f"/bookme/meeting-topics/{b.T_PURCHASE}"

    def names(value):
        return client.patch(topic, json=[{"op": "add", "path": "/names", "value": value}], headers=admin)

    for wrong in ({"de-DE": "Hauskauf"}, {"en-GB": "x" * 201}, {"en-GB": "   "}, {"en-GB": "two\nlines"}):
        _refused_field(names(wrong), "names")
    changed = names({"en_gb": "Buying a house"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["names"] == {"en-GB": "Buying a house"}
    patched = client.patch(f"/config/customer-types/{b.CT_BUSINESS}", headers=admin,
                           json=[{"op": "add", "path": "/names", "value": {"en-GB": "Business customer", "kl-GL": "Niuerneq"}}])
    assert patched.status_code == 200, patched.text
    h = token()
    english = client.get(f"/bookme/meeting-topics/{b.T_PURCHASE}", params={"lang": "en-GB"}, headers=h).json()
    assert english["localizedName"] == "Buying a house"
    greenlandic = client.get(f"/config/customer-types/{b.CT_BUSINESS}", params={"lang": "kl-GL"}, headers=h).json()
    assert greenlandic["localizedName"] == "Niuerneq"

    settings = client.get("/bookme/config/organization-settings", headers=admin).json()
    stray = {**settings, "closingDays": [], "closingDayTranslations": {"2026-12-24": {"en-GB": "Christmas Eve"}}}
    stray_refused = refused(client.put("/bookme/config/organization-settings", json=stray, headers=admin), 400)
    assert "closingDays" in str(stray_refused)
    for logo in ("https://cdn.example/logo.png", "//cdn.example/logo.png", "javascript:alert(1)"):
        answer = client.put("/bookme/config/organization-settings", json={**settings, "logoUrl": logo}, headers=admin)
        _refused_field(answer, "logoUrl")
    named = {**settings, "closingDays": ["2026-12-24"], "closingDayTranslations": {"2026-12-24": {"en-GB": "Christmas Eve"}}}
    assert client.put("/bookme/config/organization-settings", json=named, headers=admin).status_code == 200
    # Removing the closing day takes its translations along.
    assert client.delete("/bookme/config/organization-settings/closing-days/2026-12-24", headers=admin).status_code == 204
    after = client.get("/bookme/config/organization-settings", params={"lang": "en-GB"}, headers=h).json()
    assert after["closingDayTranslations"] is None and after["localizedClosingDayNames"] == {}


def test_names_go_through_the_bank_file_both_ways(load_bank, database_url):
    load_bank(_named_bank())
    exported = asyncio.run(run_in_transaction(database_url, export_bank))
    housing = next(t for t in exported["topics"] if t["id"] == b.T_HOUSING)
    assert housing["names"] == {"en-GB": "Home Housing", "kl-GL": "Illu Housing"} and "localizedName" not in housing
    assert next(c for c in exported["customerTypes"] if c["id"] == b.CT_PRIVATE)["names"] == {"en-GB": "Private customer"}
    assert next(x for x in exported["locations"] if x["location"] == "Copenhagen")["names"]["kl-GL"] == "Københavni"
    settings = exported["organizationSettings"]
    assert settings["closingDayTranslations"] == {"2026-12-24": {"en-GB": "Christmas Eve"}}
    assert settings["meetingTypeNames"] == {"Physical": {"da-DK": "Møde i banken", "en-GB": "At the bank"}}
    assert "localizedMeetingTypeNames" not in settings
    # The export imports into the same bank (the read-only localized* fields, if a file has them, are ignored).
    load_bank({**exported, "organizationSettings": {**settings, "localizedMeetingTypeNames": {"Physical": "x"}}})
    assert asyncio.run(run_in_transaction(database_url, export_bank)) == exported


def test_the_ics_and_the_email_speak_the_meetings_language(client, token, load_bank, settings):
    load_bank(_named_bank())
    h = token("customer", "c-english")
    slot = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", meetingLocation="Copenhagen")[0]
    hold = reserve(client, h, slot).json()
    created = book(client, h, hold, b.T_HOUSING, language="en-GB", customerEmail="karen@example.com", customerName="Karen")
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert meeting["language"] == "en-GB"

    def event(**params):
        answer = client.post(f"/bookme/meetings/{meeting['id']}/ical", params=params, json={}, headers=h)
        assert answer.status_code == 200, answer.text
        return Calendar.from_ical(answer.content).walk("VEVENT")[0]

    english = event()
    # The bank's own title is in its default language (Danish); an English meeting gets the English default.
    assert str(english["SUMMARY"]) == "Meeting with Anna Andersen"
    assert "Copenhagen centre" in str(english["LOCATION"])
    danish = event(lang="da-DK")
    assert str(danish["SUMMARY"]) == "Meeting with Anna Andersen"  # the bank's title, written for its default language
    assert "Copenhagen City" in str(danish["LOCATION"])
    assert "Københavni" in str(event(lang="kl-GL")["LOCATION"])
    refused(client.post(f"/bookme/meetings/{meeting['id']}/ical", params={"lang": "xx"}, json={}, headers=h), 400, "lang")


    # The customer's invitation names the topic and the branch in English; the advisor's (the bank's language) in Danish.
    client.portal.call(client.app.state.dispatcher.run_until_idle)
    files = sorted(Path(settings.mail_dir).glob("*.eml"))
    parsed = [email.message_from_bytes(f.read_bytes(), policy=DEFAULT_POLICY) for f in files]
    to = {str(m["To"].addresses[0].addr_spec): m for m in parsed}
    customer = to["karen@example.com"].get_body(("plain",)).get_content()
    assert "Home Housing" in customer and "Copenhagen centre" in customer, customer
    advisor = to["anna@bank.test"].get_body(("plain",)).get_content()
    assert "Housing" in advisor and "Home Housing" not in advisor and "Copenhagen City" in advisor, advisor
