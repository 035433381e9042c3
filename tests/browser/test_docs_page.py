"""The API documentation renders from this server alone (a bank's network may have no internet)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_docs_render_with_nothing_from_another_origin(serve, browser, open_page):
    live = serve({})
    page = open_page(browser, live)  # fails the test on any request that leaves the server
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live.url + "/docs")
    page.get_by_text("/bookme/time-slots/available").first.wait_for(state="visible")
    page.get_by_text("PAYLOAD_TOO_LARGE").first.wait_for(state="visible")  # the description's error codes
    scripts = [url for url in requested if url.endswith(".js")]
    assert scripts and all(url.startswith(live.url + "/docs/assets/") for url in scripts), requested
    assert live.url + "/openapi.json" in requested
    assert all(url.startswith((live.url + "/", "data:", "blob:")) for url in requested), requested
