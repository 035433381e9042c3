"""Holds as the page takes them: one reservation token per visit, the same on every change; a hold
that runs out; two customers after the same time; leaving or going back frees the time.

Bank: tests/bankdata.py. Anna (Copenhagen) works Monday to Friday 09-12; the server's clock and the
page's clock both stand at Monday 1 June 2026 08:00 Copenhagen time, so Monday offers one-hour
"Housing" meetings at 09.00, 09.30, 10.00, 10.30 and 11.00.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests import bankdata as b
from tests.browser import flow

pytestmark = pytest.mark.browser

NINE = "2026-06-01T07:00:00.000Z"  # 09.00 in Copenhagen
NINE_THIRTY = "2026-06-01T07:30:00.000Z"
ELEVEN = "2026-06-01T09:00:00.000Z"


def to_the_week(page, live, customer: str = "1001", meeting_type: str = "Møde i filialen") -> None:
    flow.sign_in(page, live.url, number=customer)
    # At one branch: with "any branch" each time also names its branch and advisor (test_page_localized).
    branch = "Copenhagen City" if meeting_type == "Møde i filialen" else None
    flow.choose(page, "Private", "Housing – generelt", meeting_type, branch=branch)
    flow.wait_for_times(page)


def eventually(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "did not happen in time"
        time.sleep(0.05)


def test_changing_the_time_moves_the_hold_with_the_same_token(serve, browser, open_page, shoot):
    live = serve(b.bank())
    page = open_page(browser, live)
    reserves = []
    page.on("request", lambda r: reserves.append(r.post_data_json) if r.url.endswith("/bookme/time-slots/reserve") else None)
    to_the_week(page, live)
    expect(flow.times(page)).to_have_text(["09.00", "09.30", "10.00", "10.30", "11.00"])

    flow.pick(page, "09.00")
    assert NINE not in live.free_starts(b.T_HOUSING), "the held time is no longer offered to others"
    page.get_by_role("button", name="Vælg en anden tid").click()
    flow.step_heading(page, "Vælg et tidspunkt")
    # The calendar shows the time the customer holds, and keeps holding it while they look.
    expect(page.get_by_role("group", name=re.compile("^Du holder mandag 1. juni kl. 09.00"))).to_be_visible()
    held = page.get_by_role("button", name="09.00 til 10.00, holdt til dig")
    expect(held).to_have_attribute("aria-pressed", "true")
    shoot(page, "4c-week-while-holding")

    flow.pick(page, "11.00")
    expect(page.locator(".hold-what")).to_contain_text("mandag 1. juni kl. 11.00–12.00")
    # One token for the whole visit (sessionStorage), sent with both holds: the API moved the hold.
    token = flow.reservation_token(page)
    assert [r["token"] for r in reserves] == [token, token]
    assert [r["timeSlot"]["startDate"] for r in reserves] == [NINE, ELEVEN]
    offered = live.free_starts(b.T_HOUSING)
    assert NINE in offered and ELEVEN not in offered, "the first time is free again, the new one is held"

    # A second customer's browser is offered the first time again.
    other = open_page(browser, live)
    to_the_week(other, live, customer="2002")
    expect(flow.times(other)).to_have_text(["09.00", "09.30", "10.00"])  # 10.30 would run into the held 11.00 (Anna)


def test_a_hold_that_runs_out_says_so_and_lets_the_customer_pick_again(serve, browser, open_page, shoot):
    live = serve(b.bank())
    page = open_page(browser, live)
    to_the_week(page, live)
    flow.pick(page, "09.00")
    flow.fill_details(page, name="Karen Jensen", email="karen@example.com")
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(5:00|4:5\d)$"))

    # Five minutes pass on the server and in the page (no sleeping): the page asks the server at zero.
    live.clock.advance(minutes=5, seconds=1)
    page.clock.fast_forward("05:02")
    expired = page.get_by_role("heading", name="Tiden er udløbet")
    expect(expired).to_be_visible()
    expect(expired).to_be_focused()
    expect(page.get_by_role("button", name="Bekræft booking")).to_have_count(0)
    shoot(page, "5b-hold-ran-out")

    page.get_by_role("button", name="Vælg en tid igen").click()
    flow.step_heading(page, "Vælg et tidspunkt")
    expect(flow.times(page)).to_have_text(["09.00", "09.30", "10.00", "10.30", "11.00"])
    flow.pick(page, "09.30")
    # What the customer typed is still there.
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("karen@example.com")
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(5:00|4:5\d)$"))


def test_two_customers_race_for_one_time_and_the_loser_is_offered_others(serve, browser, open_page, shoot):
    live = serve(b.bank())
    first = open_page(browser, live)
    second = open_page(browser, live)
    to_the_week(first, live, customer="1001")
    to_the_week(second, live, customer="2002")
    expect(flow.times(second)).to_have_text(["09.00", "09.30", "10.00", "10.30", "11.00"])

    flow.pick(first, "09.00")
    flow.times(second).filter(has_text="09.00").click()  # the second still sees 09.00 and tries

    notice = second.get_by_role("alert")
    expect(notice).to_have_text("Tiden 09.00 er lige blevet taget af en anden. Vælg en anden tid.")
    expect(second.locator("#notice")).to_be_focused()
    # Anna is busy 09-10 now: the second customer is offered the times that are still free.
    expect(flow.times(second)).to_have_text(["10.00", "10.30", "11.00"])
    shoot(second, "4d-time-taken")
    flow.pick(second, "10.00")
    flow.step_heading(first, "Dine oplysninger")  # the first customer keeps the time
    expect(first.get_by_role("timer")).to_be_visible()


def test_going_back_or_leaving_the_page_releases_the_hold(serve, browser, open_page):
    live = serve(b.bank())
    page = open_page(browser, live)
    releases = []
    page.on("request", lambda r: releases.append(r.url) if r.method == "DELETE" else None)
    to_the_week(page, live)
    flow.pick(page, "09.00")
    token = flow.reservation_token(page)
    assert NINE not in live.free_starts(b.T_HOUSING)

    # The browser's back button: to the calendar (the hold is kept), then to the topic (released).
    page.go_back()
    flow.step_heading(page, "Vælg et tidspunkt")
    expect(page.get_by_role("button", name="09.00 til 10.00, holdt til dig")).to_be_visible()
    assert NINE not in live.free_starts(b.T_HOUSING)
    page.go_back()
    flow.step_heading(page, "Hvad vil du tale om?")
    eventually(lambda: NINE in live.free_starts(b.T_HOUSING))
    assert len(releases) == 1 and f"reservationToken={token}" in releases[0]

    # Leaving the page (pagehide) releases with a keepalive request.
    page.get_by_role("button", name="Se ledige tider").click()
    flow.wait_for_times(page)
    flow.pick(page, "09.30")
    assert NINE_THIRTY not in live.free_starts(b.T_HOUSING)
    assert flow.reservation_token(page) == token, "the same token for the whole visit"
    page.goto("about:blank")
    eventually(lambda: NINE_THIRTY in live.free_starts(b.T_HOUSING))
