"""The booking page end to end: sign-in with PKCE, topic, week view, hold, details, confirmation,
the .ics file and cancelling, with the demo bank (a Danish bank: København, Aarhus, Odense)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from meetbook import demo
from tests.browser import flow

pytestmark = pytest.mark.browser
CPH = ZoneInfo("Europe/Copenhagen")


def test_a_customer_books_a_meeting_from_sign_in_to_ics(serve, browser, open_page, shoot):
    live = serve(demo.demo_bank())
    page = open_page(browser, live)
    reserves = []
    page.on("request", lambda r: reserves.append(r.post_data_json) if r.url.endswith("/bookme/time-slots/reserve") else None)

    page.goto(live.url + "/")
    flow.step_heading(page, "Log ind for at booke")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    shoot(page, "1-sign-in")

    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page).to_have_url(re.compile(r"/oauth/authorize\?.*code_challenge_method=S256"))
    page.get_by_label("Kundenummer").fill("1234567890")
    page.get_by_label("Navn", exact=True).fill("Karen Jensen")
    shoot(page, "2-identity-provider")
    page.get_by_role("button", name="Log ind", exact=True).click()
    flow.step_heading(page, "Hvad vil du tale om?")
    expect(page.get_by_text("Logget ind som Karen Jensen")).to_be_visible()

    # Only customer-visible topics, each sub-topic under its parent.
    topic = page.get_by_label("Emne", exact=True)
    groups = topic.locator("optgroup")
    expect(groups.filter(has=page.locator("option", has_text="Boligkøb"))).to_have_attribute("label", "Bolig")
    expect(topic.locator("option", has_text="Intern opfølgning")).to_have_count(0)
    page.get_by_role("radio", name="Privat", exact=True).check()
    topic.select_option(label="Boligkøb")
    # Boligkøb is for physical meetings only; the page offers what the topic allows.
    expect(page.get_by_role("radio", name="Møde i filialen")).to_be_checked()
    expect(page.get_by_role("radio", name="Videomøde")).to_have_count(0)
    page.get_by_label("Filial", exact=True).select_option(label="København City")
    shoot(page, "3-topic")
    page.get_by_role("button", name="Se ledige tider").click()
    flow.step_heading(page, "Vælg et tidspunkt")
    flow.wait_for_times(page)
    expect(page.get_by_text("Tiderne er vist i Centraleuropæisk tid (Europe/Copenhagen).")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Uge 23: 1\.–7\. juni 2026$"))).to_be_visible()
    monday = page.get_by_role("button", name=re.compile(r"^mandag 1\. juni, \d+ ledige tider?$"))
    expect(monday).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="lørdag 6. juni, ingen ledige tider")).to_be_disabled()
    shoot(page, "4-week")

    first = flow.times(page).first
    label = first.inner_text()  # e.g. "10.00", Copenhagen time
    first.click()
    flow.step_heading(page, "Dine oplysninger")
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^[45]:\d\d$"))
    expect(page.get_by_label("Navn", exact=True)).to_have_value("Karen Jensen")  # from the sign-in
    flow.fill_details(page)
    shoot(page, "5-details")

    with page.expect_request(lambda r: r.url.endswith("/bookme/meetings") and r.method == "POST") as created:
        page.get_by_role("button", name="Bekræft booking").dblclick()  # a double click books once
    flow.step_heading(page, "Dit møde er booket")
    request = created.value
    body = request.post_data_json
    assert request.headers.get("idempotency-key"), "the create carries an Idempotency-Key"
    assert request.headers.get("x-meetbook-channel") == "booking-page", "the meeting's history names the booking page"
    assert body["bookedBy"] == "customer" and body["type"] == "physical"
    assert body["customerName"] == "Karen Jensen" and body["customerEmail"] == "karen@example.com"
    assert body["customerPhone"] == "+45 12 34 56 78" and body["description"] == "Vi vil gerne købe et hus."
    assert body["topicId"] == demo.tp("boligkoeb") and body["customerTypeId"] == demo.ct("privat")
    assert body["roomId"] and body["employeeId"] and body["timeSlotId"]
    assert len(reserves) == 1 and reserves[0]["token"] == flow.reservation_token(page)

    assert body["language"] == "da-DK"  # the invitation comes in the page's language
    expect(page.get_by_text("Vi har sendt en invitation til karen@example.com.")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Boligkøb")
    expect(facts).to_contain_text(f"mandag 1. juni kl. {label}–")
    expect(facts).to_contain_text("København City")
    expect(facts).to_contain_text("Kongens Nytorv 8")
    expect(facts).to_contain_text(re.compile(r"Lokale: Mødelokale (Amalienborg|Rosenborg)"))
    advisor = live.client.get(f"/config/employees/{body['employeeId']}", headers=live.headers()).json()
    expect(facts).to_contain_text(advisor["displayName"] or f"{advisor['firstName']} {advisor['lastName']}")
    shoot(page, "6-confirmation")

    # The meeting is the customer's own: the token's subject is the customer number.
    mine = live.client.get("/bookme/meetings", headers=live.headers("1234567890")).json()
    assert len(mine) == 1 and mine[0]["customerId"] == "1234567890" and mine[0]["status"] == "Booked"

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Hent kalenderfil (.ics)").click()
    download = downloading.value
    assert download.suggested_filename == "moede-2026-06-01.ics"
    calendar = Calendar.from_ical(open(download.path(), "rb").read())
    event = next(c for c in calendar.walk("VEVENT"))
    start = event.decoded("DTSTART").astimezone(CPH)
    assert start.date() == dt.date(2026, 6, 1) and start.strftime("%H.%M") == label
    assert str(event["SUMMARY"]).startswith("Møde med ")
    assert "København" in str(event["LOCATION"])

    page.get_by_role("button", name="Aflys mødet").click()
    expect(page.get_by_text(f"Vil du aflyse mødet mandag 1. juni kl. {label}?")).to_be_focused()
    page.get_by_role("button", name="Ja, aflys mødet").click()
    flow.step_heading(page, "Mødet er aflyst")
    assert live.client.get(f"/bookme/meetings/{mine[0]['id']}", headers=live.headers("1234567890")).json()["status"] == "Cancelled"


def test_a_topic_nobody_at_the_branch_takes_offers_another_branch_that_books(serve, browser, open_page, shoot):
    """Anna, the only advisor in Copenhagen, does business credit only; Bo in Aarhus takes housing at his branch."""
    from tests import bankdata as b

    document = b.bank()
    for employee in document["employees"]:
        if employee["id"] == b.ANNA:
            employee["skills"] = {"topicIds": [b.T_BUSINESS]}
    for schedule in document["employeeSchedules"]:
        if schedule["employeeId"] == b.BO:
            schedule["workdays"] = b.week("09:00:00", "12:00:00", "Aarhus", ["Physical", "Online"])
    live = serve(document)
    page = open_page(browser, live)
    flow.sign_in(page, live.url)
    flow.choose(page, "Private", "Housing – generelt", "Møde i filialen", branch="Copenhagen City")
    expect(page.locator(".empty ul.reasons li")).to_have_text(
        ["Ingen rådgiver her tager sig af dette emne fra mandag 1. juni til søndag 7. juni."])
    other = page.get_by_role("button", name="I en anden filial: Aarhus C, mandag 1. juni kl. 09.00, Bo Berg")
    expect(other).to_be_visible()
    shoot(page, "4g-another-branch")

    other.click()
    flow.step_heading(page, "Dine oplysninger")
    # The page now books at Aarhus: the hold and the choice say so.
    expect(page.get_by_text("Aarhus C · Bo Berg")).to_be_visible()
    assert page.evaluate("JSON.parse(sessionStorage.getItem('meetbook.choice')).branch") == "Aarhus"
    flow.fill_details(page)
    with page.expect_request(lambda r: r.url.endswith("/bookme/meetings") and r.method == "POST") as created:
        page.get_by_role("button", name="Bekræft booking").click()
    flow.step_heading(page, "Dit møde er booket")
    body = created.value.post_data_json
    assert body["employeeId"] == b.BO and body["type"] == "physical" and body["topicId"] == b.T_HOUSING
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("mandag 1. juni kl. 09.00–")
    expect(facts).to_contain_text("Aarhus C")
    expect(facts).to_contain_text("Bo Berg")
