"""The staff workspace at /staff/ in Chromium, both databases: an advisor's agenda (a customer's
booking appears in it), booking for a customer at the counter, moving and cancelling with a reason,
outcomes, the branch view of a manager, keyboard-only use and the accessibility tree. Screenshots at
desktop and tablet width go to docs/screenshots/staff-*.png (SQLite run)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from meetbook import demo
from tests import bankdata as b
from tests.browser.conftest import DESKTOP, SCREENSHOTS
from tests.browser.test_page_languages_and_access import NAMED_ROLES, tab_to

pytestmark = pytest.mark.browser
TABLET = {"width": 1024, "height": 768}
METTE = demo.emp("mette-hansen")


@pytest.fixture
def shoot_staff(database_url):
    """shoot(page, name): docs/screenshots/staff-<name>-desktop.png and -tablet.png (from the SQLite run only)."""

    def take(page: Page, name: str) -> None:
        if not database_url.startswith("sqlite"):
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        for label, viewport in (("desktop", DESKTOP), ("tablet", TABLET)):
            page.set_viewport_size(viewport)
            page.screenshot(path=str(SCREENSHOTS / f"staff-{name}-{label}.png"), full_page=True, animations="disabled", caret="hide")
        page.set_viewport_size(size)

    return take


def title(page: Page, text: str) -> None:
    """The screen's heading is shown and has the keyboard focus."""
    heading = page.get_by_role("heading", level=1, name=text)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()


def sign_in(page: Page, url: str, employee: str, manager: bool = False, shoot=None) -> None:
    page.goto(url + "/staff/")
    title(page, "Log ind som medarbejder")
    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page).to_have_url(re.compile(r"/oauth/staff/authorize\?.*code_challenge_method=S256"))
    page.get_by_label("Medarbejder", exact=True).select_option(label=employee)
    if manager:
        page.get_by_role("checkbox", name=re.compile("Filialchef")).check()
    if shoot:
        shoot(page, "0-sign-in")
    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page.get_by_role("navigation", name="Arbejdsområde")).to_be_visible()
    assert "code=" not in page.url


def audit(page: Page, heading: str) -> None:
    """What a screen reader user relies on, from Chromium's own accessibility tree."""
    assert page.evaluate("document.activeElement.id") == "view-title", "focus is on the screen's heading"
    assert page.evaluate("document.activeElement.textContent") == heading
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
    assert {"banner", "main", "contentinfo", "navigation"} <= {role(n) for n in shown}
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), "ids are unique"
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(e => !(e.labels && e.labels.length)).map(e => e.outerHTML)"
    )
    assert not unlabelled, unlabelled
    dangling = page.evaluate(
        """[...document.querySelectorAll('[aria-describedby], [aria-labelledby]')]
             .flatMap(e => (e.getAttribute('aria-describedby') || '').split(' ').concat((e.getAttribute('aria-labelledby') || '').split(' ')))
             .filter(id => id && !document.getElementById(id))"""
    )
    assert not dangling, dangling


def customer_books(live, advisor: str = METTE, topic: str = "boligkoeb", day_offset: int = 0) -> dict:
    """A customer books the advisor's first free time at the København branch, as the booking page would."""
    customer = live.headers("2233445566")
    slots = live.client.get("/bookme/time-slots/available", headers=customer, params={
        "requireEmployeeParticipation": "true", "explicitEmployeeIds": advisor, "topic": demo.tp(topic), "meetingTypes": "physical",
        "meetingLocation": "Copenhagen", "lookForwardTime": "7.00:00:00"}).json()
    slot = slots[day_offset]
    hold = live.client.post("/bookme/time-slots/reserve", headers=customer, json={
        "timeSlot": {k: slot[k] for k in ("startDate", "endDate", "employeeId", "roomId") if slot.get(k)}, "token": str(uuid.uuid4())})
    assert hold.status_code == 200, hold.text
    meeting = live.client.post("/bookme/meetings", headers={**customer, "X-Meetbook-Channel": "booking-page"}, json={
        "bookedBy": "customer", "timeSlotId": hold.json()["id"], "type": "physical", "topicId": demo.tp(topic),
        "employeeId": advisor, "roomId": slot.get("roomId"), "customerName": "Karen Jensen", "customerEmail": "karen@example.com",
        "description": "Vi vil gerne købe et hus."})
    assert meeting.status_code == 201, meeting.text
    return meeting.json()


def test_an_advisor_sees_a_customers_booking_appear_and_records_the_outcome(serve, browser, open_page, shoot_staff):
    live = serve(demo.demo_bank())
    page = open_page(browser, live)
    sign_in(page, live.url, "Mette Hansen (MEH)", shoot=shoot_staff)
    title(page, "Min kalender")
    expect(page.get_by_text("Logget ind som Mette Hansen")).to_be_visible()
    expect(page.get_by_role("link", name="Min kalender")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Filialen")).to_have_count(0)  # not a manager
    today = page.get_by_role("region", name="mandag 1. juni (i dag)")
    expect(today).to_contain_text("Arbejder 08.00–16.00, København City")
    expect(today).to_contain_text("Ingen møder eller aftaler.")
    audit(page, "Min kalender")

    # Someone holds a time with Mette while she looks; a customer books another; both show.
    meeting = customer_books(live)
    other = live.headers("9988776655")
    slot = live.client.get("/bookme/time-slots/available", headers=other, params={
        "requireEmployeeParticipation": "true", "explicitEmployeeIds": METTE, "topic": demo.tp("boligkoeb"), "meetingTypes": "physical",
        "meetingLocation": "Copenhagen", "lookForwardTime": "7.00:00:00"}).json()[1]
    live.client.post("/bookme/time-slots/reserve", headers=other, json={
        "timeSlot": {k: slot[k] for k in ("startDate", "endDate", "employeeId", "roomId") if slot.get(k)}, "token": "t-1"})
    busy = live.client.post("/bookme/time-slots", headers=live.headers(METTE, "employee"), json={
        "startDate": "2026-06-01T13:00:00Z", "endDate": "2026-06-01T14:00:00Z", "status": "Busy", "employeeId": METTE})
    assert busy.status_code == 201, busy.text
    page.get_by_role("link", name="Min kalender").click()
    entry = page.get_by_role("link", name=re.compile(r"^10\.00–11\.00 Karen Jensen · Boligkøb · Møde i filialen · Mødelokale"))
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("Vi vil gerne købe et hus.")
    expect(today).to_contain_text(re.compile(r"12\.00–13\.00Holdt af en booking i gang \(til 08\.05\) · Mødelokale"))
    expect(today).to_contain_text("15.00–16.00Optaget")

    page.get_by_role("button", name="Uge").click()
    expect(page.get_by_role("heading", level=2, name="Uge 23: mandag 1. juni – søndag 7. juni")).to_be_visible()
    expect(page.get_by_role("region", name="torsdag 4. juni")).to_contain_text("Arbejder 08.00–16.00")
    expect(page.get_by_role("region", name="fredag 5. juni")).to_contain_text("Banken har lukket")  # Grundlovsdag
    expect(page.get_by_role("region", name="søndag 7. juni")).to_contain_text("Ingen arbejdstid")
    shoot_staff(page, "1-agenda-week")
    page.get_by_role("button", name="Dag", exact=True).click()
    shoot_staff(page, "1-agenda-day")

    entry.click()
    title(page, "Møde med Karen Jensen")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Kunden selv")
    expect(facts).to_contain_text("København City")
    expect(page.get_by_text("Fremmøde kan registreres, når mødet er begyndt.")).to_be_visible()
    history = page.get_by_role("region", name="Historik")
    expect(history).to_contain_text("Booket")
    expect(history).to_contain_text("Af 2233445566 (kunde) via bookingsiden")
    audit(page, "Møde med Karen Jensen")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Hent .ics").click()
    assert downloading.value.suggested_filename == f"meeting-{meeting['id']}.ics"
    assert b"BEGIN:VEVENT" in open(downloading.value.path(), "rb").read()

    # The meeting begins (server and page clocks together); Mette records the outcome, and corrects it.
    live.clock.advance(hours=2, minutes=5)
    page.clock.fast_forward("02:05:00")
    page.reload()
    # Two hours on, the hour-long sign-in has run out: Mette signs in again and opens the meeting.
    expect(page.get_by_role("heading", level=1, name="Log ind som medarbejder")).to_be_visible()
    sign_in(page, live.url, "Mette Hansen (MEH)")
    page.goto(f"{live.url}/staff/#meeting/{meeting['id']}")
    title(page, "Møde med Karen Jensen")
    page.get_by_role("button", name="Udeblev").click()
    expect(page.get_by_role("status").filter(has_text="Registreret: Udeblev.")).to_be_focused()
    expect(page.get_by_role("button", name="Udeblev")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Mødte op").click()
    expect(page.get_by_text("Registreret: Mødte op.")).to_be_visible()
    expect(facts).to_contain_text("FremmødeMødte op")
    expect(history).to_contain_text("Fremmøde registreret")
    expect(history).to_contain_text("Af Mette Hansen (medarbejder) via medarbejdersiden")
    expect(history).to_contain_text("Fremmøde: Udeblev → Mødte op")
    shoot_staff(page, "3-meeting-outcome")
    staff = live.headers(METTE, "employee")
    assert live.client.get(f"/bookme/meetings/{meeting['id']}", headers=staff).json()["outcome"] == "Attended"
    page.get_by_role("button", name="Fjern markeringen").click()
    expect(page.get_by_text("Markeringen er fjernet.")).to_be_visible()
    assert live.client.get(f"/bookme/meetings/{meeting['id']}", headers=staff).json()["outcome"] is None
    page.get_by_role("link", name="Tilbage til kalenderen").click()
    title(page, "Min kalender")


def test_booking_for_a_customer_at_the_counter_then_moving_and_cancelling_with_a_reason(serve, browser, open_page, shoot_staff):
    live = serve(demo.demo_bank())
    page = open_page(browser, live, viewport=TABLET)
    sign_in(page, live.url, "Mette Hansen (MEH)")
    page.get_by_role("link", name="Book for en kunde").click()
    title(page, "Book for en kunde")
    page.get_by_label("Kundetype").select_option(label="Privat")
    page.get_by_label("Emne", exact=True).select_option(label="Boligkøb")
    expect(page.get_by_label("Mødeform")).to_have_value("Physical")
    expect(page.get_by_label("Filial", exact=True)).to_have_value("Copenhagen")
    expect(page.get_by_label("Rådgiver", exact=True)).to_have_value(METTE)
    page.get_by_label("Lokale").select_option(label="Mødelokale Amalienborg (6 pladser)")
    page.get_by_role("checkbox", name="Sofie Jensen").check()
    shoot_staff(page, "2-book-choose")
    page.get_by_role("button", name="Se ledige tider").click()
    # The internal rules: a time at 08.00 today, inside the customers' two hours' notice.
    monday = page.get_by_role("button", name=re.compile(r"^mandag 1\. juni, \d+ ledige tider$"))
    expect(monday).to_have_attribute("aria-pressed", "true")
    first = page.locator("ul.times button").first
    expect(first).to_have_text("08.30")  # Sofie starts at 08.30
    shoot_staff(page, "2-book-times")
    first.click()
    expect(page.get_by_text(re.compile(r"^Holdt: mandag 1\. juni kl\. 08\.30–09\.30 \(til 08\.05\)"))).to_be_visible()
    page.get_by_role("button", name="Book mødet").click()
    expect(page.get_by_label("Kundens navn")).to_be_focused()
    expect(page.get_by_text("Skriv kundens navn.")).to_be_visible()
    page.get_by_label("Kundens navn").fill("Ole Olsen")
    page.get_by_label("Kundenummer").fill("1122334455")
    page.get_by_label("E-mail").fill("ole@example.com")
    page.get_by_label("Noter").fill("Kom forbi skranken; vil låne til et rækkehus.")
    shoot_staff(page, "2-book-details")
    with page.expect_request(lambda r: r.url.endswith("/bookme/meetings") and r.method == "POST") as created:
        page.get_by_role("button", name="Book mødet").click()
    title(page, "Mødet er booket")
    body = created.value.post_data_json
    assert created.value.headers["x-meetbook-channel"] == "staff-workspace"
    assert body["bookedBy"] == "employee" and body["additionalEmployees"] == [demo.emp("sofie-jensen")]
    assert body["roomId"] == demo.ident("room", "Copenhagen/Amalienborg") and body["customerId"] == "1122334455"
    shoot_staff(page, "2-book-done")
    # Sofie joins as an additional advisor: the meeting is in her agenda too, with whom she meets.
    sofie = open_page(browser, live)
    sign_in(sofie, live.url, "Sofie Jensen (SOJ)")
    title(sofie, "Min kalender")
    joined = sofie.get_by_role("link", name=re.compile(r"^08\.30–09\.30 Ole Olsen · Boligkøb · Møde i filialen"))
    expect(joined).to_contain_text("med Mette Hansen")
    sofie.close()
    page.get_by_role("link", name="Åbn mødet").click()
    title(page, "Møde med Ole Olsen")
    expect(page.locator("dl.facts")).to_contain_text("Sofie Jensen")
    expect(page.locator("dl.facts")).to_contain_text("En medarbejder")

    # Move it to Tuesday.
    page.get_by_role("link", name="Flyt mødet").click()
    title(page, "Flyt mødet")
    page.get_by_role("button", name=re.compile(r"^tirsdag 2\. juni, \d+ ledige tider$")).click()
    expect(page.get_by_role("heading", name="Ledige tider tirsdag 2. juni")).to_be_focused()
    page.locator("ul.times button", has_text="10.00").click()
    expect(page.get_by_text("Nyt tidspunkt holdt: tirsdag 2. juni kl. 10.00–11.00.")).to_be_visible()
    shoot_staff(page, "4-move")
    page.get_by_role("button", name="Bekræft flytningen").click()
    expect(page.get_by_text("Mødet er flyttet til tirsdag 2. juni kl. 10.00–11.00.")).to_be_visible()
    history = page.get_by_role("region", name="Historik")
    expect(history).to_contain_text("Flyttet")
    expect(history).to_contain_text("Start: mandag 1. juni 08.30 → tirsdag 2. juni 10.00")

    # Cancel it with a reason.
    page.get_by_role("link", name="Aflys mødet").click()
    expect(page.get_by_role("heading", name="Aflys mødet", level=2)).to_be_visible()
    page.get_by_role("button", name="Aflys mødet nu").click()
    expect(page.get_by_label("Årsag")).to_be_focused()
    expect(page.get_by_text("Skriv, hvorfor mødet aflyses.")).to_be_visible()
    page.get_by_label("Årsag").fill("Kunden ringede: er syg")
    shoot_staff(page, "5-cancel")
    page.get_by_role("button", name="Aflys mødet nu").click()
    expect(page.get_by_text("Mødet er aflyst.")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Årsag til aflysningKunden ringede: er syg")
    expect(facts).to_contain_text("Aflyst afMette Hansen")
    expect(history).to_contain_text("Aflyst")
    meeting_id = page.url.rsplit("/", 1)[1]
    stored = live.client.get(f"/bookme/meetings/{meeting_id}", headers=live.headers(METTE, "employee")).json()
    assert stored["status"] == "Cancelled" and stored["cancellationReason"] == "Kunden ringede: er syg" and stored["cancelledBy"] == METTE
    page.get_by_role("link", name="Min kalender").click()
    page.get_by_role("button", name="Næste dag").click()
    expect(page.get_by_role("heading", level=2, name="tirsdag 2. juni")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^10\.00–11\.00 Ole Olsen"))).to_contain_text("Aflyst")


def test_a_manager_finds_a_misconfigured_advisor_in_the_branch_view(serve, browser, open_page, shoot_staff):
    live = serve(demo.demo_bank())
    # A new advisor nobody gave a schedule.
    admin = live.headers("admin", "admin")
    nina = str(uuid.uuid4())
    created = live.client.put(f"/config/employees/{nina}", headers=admin, json={
        "firstName": "Nina", "lastName": "Nyholm", "email": "nina@nordhavn.example", "initials": "NIN", "location": "Copenhagen"})
    assert created.status_code == 201, created.text
    customer_books(live, advisor=demo.emp("lars-nielsen"), topic="investering")
    page = open_page(browser, live)
    sign_in(page, live.url, "Henrik Sørensen (HES)", manager=True)
    page.get_by_role("link", name="Filialen").click()
    title(page, "Filialen")
    flagged = page.get_by_role("region", name="1 rådgiver kan ikke bookes af kunder")
    expect(flagged).to_contain_text("Nina Nyholm: har intet arbejdsskema")
    table = page.get_by_role("table", name="Rådgivere i København City: arbejdstid, sted og belastning pr. dag")
    lars = table.get_by_role("row", name=re.compile(r"^Lars Nielsen"))
    expect(lars.get_by_role("cell").first).to_contain_text("1 t af 4 t · 1 møde")
    expect(table.get_by_role("row", name=re.compile(r"^Henrik Sørensen"))).to_contain_text("Kun når kunden vælger rådgiveren")
    expect(table.get_by_role("row", name=re.compile(r"^Nina Nyholm"))).to_contain_text("Intet skema")
    anders = table.get_by_role("row", name=re.compile(r"^Anders Pedersen"))
    expect(anders.get_by_role("cell").nth(4)).to_have_text("Lukket")  # Grundlovsdag
    audit(page, "Filialen")
    shoot_staff(page, "6-branch")
    page.get_by_role("button", name="Næste uge").click()
    expect(page.get_by_role("heading", level=2, name="Uge 24: mandag 8. juni – søndag 14. juni")).to_be_visible()
    expect(anders.get_by_role("cell").nth(4)).to_contain_text("Aarhus C")  # Fridays in Aarhus
    page.get_by_label("Filial", exact=True).select_option(label="Aarhus C")
    expect(page.get_by_role("region", name="1 rådgiver kan ikke bookes af kunder")).to_contain_text(
        "Jonas Olsen: kan ikke bookes (slået fra i skemaet)")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("region", name="1 advisor cannot be booked by customers")).to_contain_text(
        "Jonas Olsen: cannot be booked (switched off in the schedule)")
    shoot_staff(page, "6-branch-english")
    # An advisor without the admin scope has no branch view, and the API refuses it too.
    assert live.client.get("/bookme/config/branch-overview", params={"location": "Aarhus"},
                           headers=live.headers(METTE, "employee")).status_code == 403


def test_keyboard_only_booking_for_a_customer(serve, browser, open_page):
    live = serve(b.bank())
    page = open_page(browser, live, viewport=TABLET)
    page.goto(live.url + "/staff/")
    title(page, "Log ind som medarbejder")
    audit_signin = page.evaluate("document.activeElement.id")
    assert audit_signin == "view-title"
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Medarbejder", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # Aarhus' Bo Berg, then Copenhagen's Anna Andersen
    expect(page.get_by_label("Medarbejder", exact=True)).to_have_value(b.ANNA)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    title(page, "Min kalender")
    audit(page, "Min kalender")

    tab_to(page, "a[href='#book']")
    page.keyboard.press("Enter")
    title(page, "Book for en kunde")
    audit(page, "Book for en kunde")
    tab_to(page, "#topic")
    for _ in range(8):  # down the list to "Housing – generelt", one key at a time
        if page.locator("#topic").input_value() == b.T_HOUSING:
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#topic")).to_have_value(b.T_HOUSING)
    expect(page.locator("#topic")).to_be_focused()  # kept after the form redraws
    tab_to(page, "button[data-key='show-times']")
    page.keyboard.press("Enter")
    title(page, "Book for en kunde")
    tab_to(page, "ul.times button")
    label = page.evaluate("document.activeElement.textContent")
    assert label == "09.00"
    page.keyboard.press("Enter")
    expect(page.get_by_label("Kundens navn")).to_be_visible()
    audit(page, "Book for en kunde")
    tab_to(page, "#customer-customerName")
    page.keyboard.type("Pia Poulsen")
    page.keyboard.press("Tab")
    page.keyboard.type("5566")
    tab_to(page, "button[data-key='book']")
    page.keyboard.press("Enter")
    title(page, "Mødet er booket")
    tab_to(page, "a[data-key='open-booked']")
    page.keyboard.press("Enter")
    title(page, "Møde med Pia Poulsen")
    audit(page, "Møde med Pia Poulsen")
    # Every action of the meeting is a focusable native control.
    for selector in ("button[data-key='ics']", "a[data-key='move']", "a[data-key='cancel']"):
        tab_to(page, selector)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Aflys mødet", level=2)).to_be_visible()
    tab_to(page, "#reason")
    page.keyboard.type("Forkert emne")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Mødet er aflyst.")).to_be_visible()
    focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus_ring != "none" or page.evaluate("document.activeElement.id") in ("notice", "view-title")
