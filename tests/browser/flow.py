"""Steps of the booking page as a customer takes them (Danish unless told), for the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

DA = {
    "signin": "Log ind", "number": "Kundenummer", "name": "Navn", "topic_title": "Hvad vil du tale om?",
    "topic": "Emne", "branch": "Filial", "show": "Se ledige tider", "time_title": "Vælg et tidspunkt",
    "details_title": "Dine oplysninger", "email": "E-mail", "phone": re.compile(r"^Telefonnummer"),
    "description": re.compile(r"^Kort beskrivelse"), "confirm": "Bekræft booking", "done_title": "Dit møde er booket",
}
EN = {
    "signin": "Sign in", "number": "Customer number", "name": "Name", "topic_title": "What would you like to talk about?",
    "topic": "Topic", "branch": "Branch", "show": "See free times", "time_title": "Choose a time",
    "details_title": "Your details", "email": "E-mail", "phone": re.compile(r"^Phone number"),
    "description": re.compile(r"^Short description"), "confirm": "Confirm booking", "done_title": "Your meeting is booked",
}


def step_heading(page: Page, name) -> None:
    """The step's heading is shown and has the keyboard focus (each step moves focus to its heading)."""
    heading = page.get_by_role("heading", level=2, name=name)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()


def sign_in(page: Page, url: str, number: str = "1234567890", name: str = "Karen Jensen", text=DA) -> None:
    page.goto(url + "/")
    page.get_by_role("button", name=text["signin"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/oauth/authorize\?"))
    page.get_by_label(text["number"]).fill(number)
    page.get_by_label(text["name"], exact=True).fill(name)
    page.get_by_role("button", name=text["signin"], exact=True).click()
    step_heading(page, text["topic_title"])
    assert "code=" not in page.url and "state=" not in page.url, "the code leaves the address bar"


def choose(page: Page, customer_type: str, topic: str, meeting_type: str, branch: str | None = None, text=DA) -> None:
    page.get_by_role("radio", name=customer_type, exact=True).check()
    page.get_by_label(text["topic"], exact=True).select_option(label=topic)
    page.get_by_role("radio", name=meeting_type, exact=True).check()
    if branch:
        page.get_by_label(text["branch"], exact=True).select_option(label=branch)
    page.get_by_role("button", name=text["show"]).click()
    step_heading(page, text["time_title"])


def times(page: Page):
    return page.locator("ul.times button")


def wait_for_times(page: Page) -> None:
    expect(times(page).first).to_be_visible()


def pick(page: Page, clock_text: str, text=DA) -> None:
    """Click the time button showing e.g. "09.00" (Danish) or "09:00" (English)."""
    times(page).filter(has_text=re.compile("^" + re.escape(clock_text) + "$")).click()
    step_heading(page, text["details_title"])


def fill_details(page: Page, name: str = "Karen Jensen", email: str = "karen@example.com", phone: str = "+45 12 34 56 78",
                 description: str = "Vi vil gerne købe et hus.", text=DA) -> None:
    page.get_by_label(text["name"], exact=True).fill(name)
    page.get_by_label(text["email"], exact=True).fill(email)
    page.get_by_label(text["phone"]).fill(phone)
    page.get_by_label(text["description"]).fill(description)


def reservation_token(page: Page) -> str:
    return page.evaluate("sessionStorage.getItem('meetbook.reservationToken')")
