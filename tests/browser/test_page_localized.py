"""The page in the customer's language (the bank's names, the .ics, the meeting's language), and its
rough edges smoothed: the bank's name in the header, where and with whom on every time for "any
branch", the held time marked, the chosen day kept, a reload that keeps the hold, a 360 px phone,
/favicon.ico. Bank: tests/bankdata.py with names, Dora (Copenhagen) and Erik (Aarhus) added; the
clocks stand at Monday 1 June 2026 08:00 Copenhagen time."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests import bankdata as b
from tests.browser import flow

pytestmark = pytest.mark.browser

DORA = b.ident("dora")
ERIK = b.ident("erik")
NINE = "2026-06-01T07:00:00.000Z"  # 09.00 in Copenhagen
PHONE_360 = {"width": 360, "height": 740}


def named_bank() -> dict:
    bank = b.bank()
    bank["organizationSettings"] = {**bank["organizationSettings"], "bankName": "Nordbank",
                                    "iCalMeetingTitle": "Møde med {{employee}}"}
    bank["customerTypes"] = [{**c, "names": {"en-GB": "Private customer"}} if c["id"] == b.CT_PRIVATE else c
                             for c in bank["customerTypes"]]
    bank["topics"] = [{**t, "names": {"en-GB": "Home and housing"}} if t["id"] == b.T_HOUSING else t for t in bank["topics"]]
    bank["locations"] = [{**loc, "names": {"en-GB": "Copenhagen centre"}} if loc["location"] == "Copenhagen" else loc
                         for loc in bank["locations"]]
    bank["employees"] += [
        {"id": DORA, "firstName": "Dora", "lastName": "Dahl", "email": "dora@bank.test", "initials": "DD",
         "location": "Copenhagen"},
        {"id": ERIK, "firstName": "Erik", "lastName": "Eriksen", "email": "erik@bank.test", "initials": "EE",
         "location": "Aarhus"},
    ]
    bank["employeeSchedules"] += [
        {"employeeId": DORA, "workdays": b.week("09:00:00", "12:00:00", "Copenhagen", ["Physical"])},
        {"employeeId": ERIK, "workdays": b.week("09:00:00", "12:00:00", "Aarhus", ["Physical"])},
    ]
    return bank


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], "the page scrolls sideways"


def test_the_page_in_english_gives_english_names_ics_and_meeting(serve, browser, open_page):
    live = serve(named_bank())
    page = open_page(browser, live)
    page.goto(live.url + "/?lang=en")
    expect(page.locator(".brand")).to_have_text("Nordbank")  # the bank, not the product, from the first screen
    expect(page.locator("footer")).not_to_contain_text("server")
    flow.sign_in(page, live.url + "/?lang=en", text=flow.EN)
    topic = page.get_by_label("Topic", exact=True)
    expect(topic.locator("optgroup")).to_have_attribute("label", "Home and housing")
    flow.choose(page, "Private customer", "Home and housing – general", "At a branch", branch="Copenhagen centre", text=flow.EN)
    expect(page.get_by_text("Home and housing · At a branch · 60 min · Copenhagen centre")).to_be_visible()
    flow.wait_for_times(page)
    flow.pick(page, "09:00", text=flow.EN)
    flow.fill_details(page, description="We would like to buy a house.", text=flow.EN)
    with page.expect_request(lambda r: r.url.endswith("/bookme/meetings") and r.method == "POST") as created:
        page.get_by_role("button", name="Confirm booking").click()
    flow.step_heading(page, flow.EN["done_title"])
    assert created.value.post_data_json["language"] == "en-GB"
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Home and housing")
    expect(facts).to_contain_text("Copenhagen centre")

    # Through the API: the meeting is in English.
    meeting = live.client.get("/bookme/meetings", headers=live.headers("1234567890")).json()[0]
    assert meeting["language"] == "en-GB"

    with page.expect_request(lambda r: "/ical" in r.url) as asked, page.expect_download() as downloading:
        page.get_by_role("button", name="Download calendar file (.ics)").click()
    assert "lang=en-GB" in asked.value.url
    assert downloading.value.suggested_filename == "meeting-2026-06-01.ics"
    event = Calendar.from_ical(open(downloading.value.path(), "rb").read()).walk("VEVENT")[0]
    # The bank's title is Danish (its default language): an English meeting gets the English words.
    assert str(event["SUMMARY"]).startswith("Meeting with ")
    assert "Copenhagen centre" in str(event["LOCATION"])

    # Back to Danish: the bank's Danish names.
    page.get_by_role("button", name="Skift til dansk").click()
    expect(facts).to_contain_text("Housing")
    expect(facts).to_contain_text("Copenhagen City")


def test_any_branch_says_where_and_with_whom_and_keeps_the_held_day(serve, browser, open_page, shoot):
    live = serve(named_bank())
    page = open_page(browser, live)
    flow.sign_in(page, live.url)
    flow.choose(page, "Private", "Housing – generelt", "Møde i filialen")  # no branch chosen: all of them
    flow.wait_for_times(page)
    tuesday = page.get_by_role("button", name=re.compile(r"^tirsdag 2\. juni, \d+ ledige tider$"))
    tuesday.click()
    nine = flow.times(page).filter(has_text=re.compile(r"^09\.00"))
    expect(nine).to_have_count(2)  # one at each branch
    expect(nine.filter(has_text="Aarhus C · Erik Eriksen")).to_have_count(1)
    expect(nine.filter(has_text=re.compile(r"Copenhagen City · (Anna Andersen|Dora Dahl)"))).to_have_count(1)
    shoot(page, "4f-any-branch")
    nine.filter(has_text="Aarhus C").click()
    flow.step_heading(page, "Dine oplysninger")
    expect(page.locator(".hold-box")).to_contain_text("Aarhus C · Erik Eriksen")

    # Back to the week: the same day, and the held time marked (a colleague may be free at that start).
    page.get_by_role("button", name="Vælg en anden tid").click()
    flow.step_heading(page, "Vælg et tidspunkt")
    expect(page.get_by_role("button", name=re.compile(r"^tirsdag 2\. juni"))).to_have_attribute("aria-pressed", "true")
    held = page.get_by_role("button", name=re.compile(r"^09\.00 til 10\.00, Aarhus C · Erik Eriksen, holdt til dig$"))
    expect(held).to_have_attribute("aria-pressed", "true")
    expect(page.locator("div.held")).to_contain_text("Aarhus C · Erik Eriksen")
    expect(flow.times(page).filter(has_text=re.compile(r"^09\.00"))).to_have_count(2)


def test_the_held_time_is_marked_when_a_colleague_is_free_at_the_same_start(serve, browser, open_page):
    live = serve(named_bank())
    page = open_page(browser, live)
    flow.sign_in(page, live.url)
    flow.choose(page, "Private", "Housing – generelt", "Møde i filialen", branch="Copenhagen City")
    flow.wait_for_times(page)
    flow.pick(page, "09.00")
    assert len([s for s in live.free_starts(b.T_HOUSING, meetingLocation="Copenhagen") if s == NINE]) == 1  # the colleague
    page.get_by_role("button", name="Vælg en anden tid").click()
    expect(page.get_by_role("button", name="09.00 til 10.00, holdt til dig")).to_have_attribute("aria-pressed", "true")
    expect(flow.times(page).filter(has_text="09.00")).to_have_count(1)


def test_a_reload_keeps_the_hold(serve, browser, open_page, shoot):
    live = serve(named_bank())
    page = open_page(browser, live)
    flow.sign_in(page, live.url)
    flow.choose(page, "Private", "Housing – generelt", "Møde i filialen", branch="Copenhagen City")
    flow.wait_for_times(page)
    flow.pick(page, "09.00")
    token = flow.reservation_token(page)
    page.reload()
    flow.step_heading(page, "Dine oplysninger")
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^[45]:\d\d$"))
    expect(page.locator(".hold-box")).to_contain_text("mandag 1. juni kl. 09.00–10.00")
    assert flow.reservation_token(page) == token, "the same token after the reload"
    held = page.evaluate("JSON.parse(sessionStorage.getItem('meetbook.hold'))")
    answer = live.client.get(f"/bookme/time-slots/{held['id']}", headers=live.headers("1234567890"))
    assert answer.status_code == 200 and answer.json()["status"] == "Reserved"
    flow.fill_details(page)
    page.get_by_role("button", name="Bekræft booking").click()
    flow.step_heading(page, "Dit møde er booket")
    assert page.evaluate("sessionStorage.getItem('meetbook.hold')") is None


def test_a_360_px_phone_never_scrolls_sideways(serve, browser, open_page):
    live = serve(named_bank())
    page = open_page(browser, live, viewport=PHONE_360)
    flow.sign_in(page, live.url)
    no_sideways_scroll(page)
    flow.choose(page, "Private", "Housing – generelt", "Møde i filialen")
    flow.wait_for_times(page)
    no_sideways_scroll(page)
    flow.times(page).first.click()
    flow.step_heading(page, "Dine oplysninger")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Vælg en anden tid").click()
    flow.wait_for_times(page)
    no_sideways_scroll(page)
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Choose a time")
    no_sideways_scroll(page)


def test_favicon_is_served(serve):
    live = serve(b.bank())
    answer = live.client.get("/favicon.ico")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/")
