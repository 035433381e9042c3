"""The page in Danish and English, for keyboards and screen readers, in a bank's iframe, and when a
week has no free times. Bank: tests/bankdata.py (Anna, Copenhagen, Monday to Friday 09-12)."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from tests import bankdata as b
from tests.browser import flow

pytestmark = pytest.mark.browser

NAMED_ROLES = {"button", "textbox", "combobox", "radio", "checkbox", "link", "listbox", "spinbutton", "switch", "timer", "group", "radiogroup"}


def audit(page: Page, step_heading: str, flow_step: bool = True) -> None:
    """What a screen reader user relies on, from Chromium's own accessibility tree."""
    assert page.evaluate("document.activeElement.id") == "step-title", "focus is on the step's heading"
    assert page.evaluate("document.activeElement.textContent") == step_heading
    assert page.evaluate("document.documentElement.lang") in ("da", "en")
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    shown = [n for n in nodes if not n.get("ignored")]
    role = lambda n: n.get("role", {}).get("value")  # noqa: E731
    name = lambda n: (n.get("name", {}).get("value") or "").strip()  # noqa: E731
    unnamed = [(role(n), n.get("backendDOMNodeId")) for n in shown if role(n) in NAMED_ROLES - {"group", "timer"} and not name(n)]
    assert not unnamed, f"controls without an accessible name: {unnamed}"
    levels = [next(p["value"]["value"] for p in n.get("properties", []) if p["name"] == "level") for n in shown if role(n) == "heading"]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"headings skip a level: {levels}"
    landmarks = {role(n) for n in shown}
    assert {"banner", "main", "contentinfo"} <= landmarks
    assert ("navigation" in landmarks) == flow_step, "the steps are a navigation landmark during the booking"
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), "ids are unique"
    # Every form field has a <label> (or is in a labelled fieldset), and every described-by target exists.
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(e => !(e.labels && e.labels.length)).map(e => e.outerHTML)"""
    )
    assert not unlabelled, unlabelled
    dangling = page.evaluate(
        """[...document.querySelectorAll('[aria-describedby], [aria-labelledby]')]
             .flatMap(e => (e.getAttribute('aria-describedby') || '').split(' ').concat((e.getAttribute('aria-labelledby') || '').split(' ')))
             .filter(id => id && !document.getElementById(id))"""
    )
    assert not dangling, dangling


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_every_step_is_keyboard_operable_and_labelled(serve, browser, open_page, shoot):
    live = serve(b.bank())
    page = open_page(browser, live)
    page.goto(live.url + "/")
    flow.step_heading(page, "Log ind for at booke")
    audit(page, "Log ind for at booke", flow_step=False)
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Kundenummer")).to_be_focused()  # the sign-in form starts in its first field
    page.keyboard.type("1001")
    page.keyboard.press("Tab")
    page.keyboard.type("Karen Jensen")
    page.keyboard.press("Enter")

    flow.step_heading(page, "Hvad vil du tale om?")
    audit(page, "Hvad vil du tale om?")
    # Nothing chosen: the errors are announced, tied to their fields, and focus goes to the first.
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="Hvilken slags kunde er du?")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("radio", name="Business")).to_be_focused()
    expect(page.get_by_text("Vælg, hvilken slags kunde du er.")).to_be_visible()
    page.keyboard.press("ArrowDown")  # radios: arrow keys choose within the group
    expect(page.get_by_role("radio", name="Private", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="Private", exact=True)).to_be_focused()
    tab_to(page, "#topic")
    page.keyboard.press("ArrowDown")  # from "Vælg et emne" to the first topic
    expect(page.locator("#topic")).to_have_value(b.T_HOUSING)
    expect(page.locator("#topic")).to_be_focused()
    tab_to(page, "input[name=meetingType]")
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Møde i filialen")).to_be_checked()
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    flow.step_heading(page, "Vælg et tidspunkt")
    flow.wait_for_times(page)
    audit(page, "Vælg et tidspunkt")
    expect(page.get_by_role("button", name="mandag 1. juni, 5 ledige tider")).to_have_attribute("aria-pressed", "true")
    tab_to(page, "button.time")
    # Any branch: each time says where and with whom.
    expect(page.locator(":focus")).to_have_accessible_name("09.00 til 10.00, Copenhagen City · Anna Andersen")
    page.keyboard.press("Enter")

    flow.step_heading(page, "Dine oplysninger")
    audit(page, "Dine oplysninger")
    expect(page.get_by_role("timer")).to_have_accessible_name("Tiden er holdt til dig i")
    tab_to(page, "#name")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.press("Tab")
    page.keyboard.type("not-an-address")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    name = page.get_by_label("Navn", exact=True)
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description("Skriv dit navn.")
    expect(page.get_by_label("E-mail", exact=True)).to_have_accessible_description("Skriv en e-mailadresse som navn@eksempel.dk.")
    shoot(page, "5c-details-errors")
    page.keyboard.type("Karen Jensen")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("karen@example.com")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    flow.step_heading(page, "Dit møde er booket")
    audit(page, "Dit møde er booket")
    # Cancelling before the API has the endpoint (or when it refuses): a clear message.
    page.route("**/bookme/meetings/*", lambda route: route.fulfill(status=405, json={"code": "BAD_REQUEST", "message": "method not allowed"})
               if route.request.method == "DELETE" else route.fallback())
    tab_to(page, "button.danger")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Vil du aflyse mødet mandag 1. juni kl. 09.00?")).to_be_focused()
    tab_to(page, "button.danger")
    expect(page.locator(":focus")).to_have_text("Ja, aflys mødet")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Mødet kan ikke aflyses her endnu. Kontakt banken for at aflyse det.")
    expect(alert).to_be_focused()


def test_the_page_speaks_danish_and_english(serve, browser, open_page, shoot):
    live = serve(b.bank())
    # A customer abroad: the times are still the bank's, and the page says so.
    page = open_page(browser, live, timezone="America/New_York", locale="en-US")
    page.goto(live.url + "/")
    flow.step_heading(page, "Log ind for at booke")
    switch = page.get_by_role("button", name="Switch to English")
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2)).to_have_text("Sign in to book")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a meeting with an advisor")
    expect(page).to_have_title("Sign in to book – Book a meeting")
    expect(page.get_by_role("button", name="Skift til dansk")).to_be_focused()

    flow.sign_in(page, live.url, text=flow.EN)  # the sign-in form is in English too (ui_locales)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    flow.choose(page, "Private", "Housing – general", "Video meeting", text=flow.EN)
    flow.wait_for_times(page)
    expect(page.get_by_text("Times are shown in Central European Time (Europe/Copenhagen). Your device uses a different time zone.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Week 23: 1\s?–\s?7 June 2026$"))).to_be_visible()
    expect(page.get_by_role("button", name="Monday 1 June, 5 free times")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="Free times on Monday 1 June")).to_be_visible()
    expect(flow.times(page)).to_have_text(["09:00", "09:30", "10:00", "10:30", "11:00"])
    shoot(page, "4e-week-english")

    page.get_by_role("button", name="Skift til dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=2)).to_have_text("Vælg et tidspunkt")
    expect(page.get_by_role("button", name="mandag 1. juni, 5 ledige tider")).to_be_visible()
    expect(flow.times(page)).to_have_text(["09.00", "09.30", "10.00", "10.30", "11.00"])
    expect(page.get_by_text("Housing · Videomøde · 60 min.")).to_be_visible()
    expect(page.get_by_role("button", name="Switch to English")).to_be_focused()

    # A bank can link straight to the English page.
    other = open_page(browser, live)
    other.goto(live.url + "/?lang=en")
    flow.step_heading(other, "Sign in to book")


CLOSED_WEEK = {"timeZone": "Europe/Copenhagen", "defaultMeetingDuration": "01:00:00",
               "closingDays": ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05"],
               "closingDayTranslations": {"2026-06-05": {"da-DK": "Grundlovsdag", "en-GB": "Constitution Day"}}}


def test_a_week_without_free_times_says_why_and_holds_the_next_free_time_in_one_click(serve, browser, open_page, shoot):
    live = serve(b.bank(organizationSettings=CLOSED_WEEK))
    page = open_page(browser, live)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/bookme/time-slots/unavailability" in r.url else None)
    flow.sign_in(page, live.url)
    flow.choose(page, "Private", "Buying a home", "Møde i filialen", branch="Copenhagen City")
    empty = page.locator(".empty")
    expect(empty).to_contain_text("Ingen ledige tider i denne uge.")
    reasons = empty.locator("ul.reasons li")
    expect(reasons).to_have_text([
        "Filialen er lukket fra mandag 1. juni til torsdag 4. juni.",
        "Filialen er lukket fredag 5. juni: Grundlovsdag.",
        "Ingen af vores rådgivere på dette emne arbejder fra lørdag 6. juni til søndag 7. juni.",
    ])
    assert asked and "lang=da-DK" in asked[0] and "meetingLocation=Copenhagen" in asked[0]
    later = page.get_by_role("list", name="Du kan i stedet vælge").get_by_role("button")
    expect(later).to_have_count(1)
    expect(later).to_have_accessible_name("Første ledige tid, mandag 8. juni kl. 09.00, Copenhagen City · Anna Andersen")
    expect(page.get_by_role("button", name=re.compile(r"^mandag 1\. juni, ingen ledige tider$"))).to_be_disabled()
    shoot(page, "4b-no-free-times")

    # In English the reasons and the holiday's name follow the page.
    page.get_by_role("button", name="Switch to English").click()
    expect(reasons.nth(1)).to_have_text("The branch is closed on Friday 5 June: Constitution Day.")
    expect(page.get_by_role("button", name=re.compile(r"^The first free time, Monday 8 June at 09:00"))).to_be_visible()
    page.get_by_role("button", name="Skift til dansk").click()
    expect(reasons.nth(1)).to_have_text("Filialen er lukket fredag 5. juni: Grundlovsdag.")

    # From the keyboard: the alternative holds the time at once, like a time in the week.
    tab_to(page, "button.alternative")
    with page.expect_request(lambda r: r.url.endswith("/bookme/time-slots/reserve")) as reserved:
        page.keyboard.press("Enter")
    flow.step_heading(page, "Dine oplysninger")
    assert reserved.value.post_data_json["timeSlot"]["startDate"] == "2026-06-08T07:00:00.000Z"
    page.get_by_role("button", name="Vælg en anden tid").click()
    expect(page.get_by_role("heading", name="Uge 24: 8.–14. juni 2026")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^mandag 8\. juni, \d+ ledige tider?$"))).to_have_attribute("aria-pressed", "true")


def test_without_an_answer_on_why_the_page_points_to_the_next_free_time(serve, browser, open_page):
    live = serve(b.bank(organizationSettings=CLOSED_WEEK))
    page = open_page(browser, live)
    # A server that cannot say why (an older version): the page looks further ahead itself.
    page.route("**/bookme/time-slots/unavailability?*", lambda route: route.fulfill(
        status=404, json={"code": "NotFound", "message": "no such endpoint"}))
    flow.sign_in(page, live.url)
    flow.choose(page, "Private", "Buying a home", "Møde i filialen", branch="Copenhagen City")
    empty = page.locator(".empty")
    expect(empty).to_contain_text("Næste ledige tid er mandag 8. juni kl. 09.00.")
    page.get_by_role("button", name="Gå til uge 24").click()
    expect(page.get_by_role("heading", name="Uge 24: 8.–14. juni 2026")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^mandag 8\. juni, \d+ ledige tider$"))).to_have_attribute("aria-pressed", "true")
    times_heading = page.get_by_role("heading", name="Ledige tider mandag 8. juni")
    expect(times_heading).to_be_focused()
    expect(flow.times(page).first).to_have_text("09.00")  # a 30-minute topic: 09.00, 09.30, ...
    page.get_by_role("button", name="Forrige uge").click()
    expect(page.get_by_role("heading", name="Uge 23: 1.–7. juni 2026")).to_be_visible()
    expect(page.get_by_role("button", name="Forrige uge")).to_be_disabled()


def test_a_bank_can_embed_the_page_in_an_iframe(serve, browser, open_page):
    live = serve(b.bank())
    response = live.client.get("/")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "default-src 'self'" in policy and "x-frame-options" not in response.headers
    # The bank's own site: another origin (another port), on loopback like the service, because
    # Chromium's local network access checks keep public sites from framing loopback addresses.
    html = ('<!doctype html><html lang="da"><title>Nordhavn Bank</title><h1>Nordhavn Bank</h1>'
            f'<iframe title="Book et møde" src="{live.url}/" width="400" height="700"></iframe></html>').encode()

    class BankSite(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), BankSite)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    bank_site = f"http://127.0.0.1:{site.server_address[1]}"
    page = open_page(browser, live, allow=(bank_site,))
    page.goto(bank_site + "/")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Log ind for at booke")).to_be_visible()
    frame.get_by_role("button", name="Log ind", exact=True).click()
    frame.get_by_label("Kundenummer").fill("1001")
    frame.get_by_label("Navn", exact=True).fill("Karen Jensen")
    frame.get_by_role("button", name="Log ind", exact=True).click()
    expect(frame.get_by_role("heading", name="Hvad vil du tale om?")).to_be_visible()
    site.shutdown()
