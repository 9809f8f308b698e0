"""The dashboard in a real browser: Playwright drives Debian's chromium (started by its
executable path; no browser is downloaded) against a real ``okrsync serve``.

It logs in with the serve token, presses "Sync now" and sees the results appear
without the page reloading, clicks through an objective and a KR's explanation, and
finds the recent runs with the failed unit; screenshots are decoded to check that the
bar, the explanation and the failed run are drawn in their colours.

Skipped when ``chromium`` is not installed, unless CI=true (CI installs it): the
``chromium`` fixture is the report's browser test's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from okrsync_sandbox import SandboxServer
from report_png import read_png
from serve_harness import SERVE_TOKEN, ServeProcess, write_workspace

from okrsync.serve.dashboard import BAR, FAILED, PANEL

pytestmark = pytest.mark.slow


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16, (value >> 8) & 0xFF, value & 0xFF)


def colours_of(png_bytes: bytes) -> set[tuple[int, int, int]]:
    image = read_png(png_bytes)
    return {pixel[:3] for pixel in image.colours(image.height)}  # type: ignore[misc]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServeProcess]:
    with SandboxServer() as site:
        process = ServeProcess(write_workspace(tmp_path, site.url))
        try:
            yield process
        finally:
            process.stop()


def test_the_dashboard_logs_in_syncs_live_and_explains(
    chromium: str, serve: ServeProcess, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(serve.url + "/")
            assert page.url == serve.url + "/login"
            page.fill("input[name=token]", "not the token")
            page.click("button[type=submit]")
            expect(page.locator("text=That is not the token.")).to_be_visible()
            page.fill("input[name=token]", SERVE_TOKEN)
            page.click("button[type=submit]")
            expect(page.locator("#sync-now")).to_be_visible()
            assert page.url == serve.url + "/"
            (cookie,) = [c for c in page.context.cookies() if c["name"] == "okrsync_session"]
            assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
            expect(page.locator("#live")).to_contain_text("No results recorded yet")

            # Sync now: the results appear in the same page, without a reload.
            page.evaluate("window.sameDocument = true")
            page.click("#sync-now")
            expect(page.locator("article#kr-shop-done")).to_be_visible(timeout=30_000)
            expect(page.locator("article#kr-pay-done")).to_be_visible(timeout=30_000)
            expect(page.locator("#recent-runs tr.run-failed")).to_have_count(1, timeout=30_000)
            assert page.evaluate("window.sameDocument") is True
            assert not page.evaluate("document.body.innerText").count("No results recorded yet")

            # Through an objective of the overview to its section.
            page.click('.overview a[href="#obj-shop-flow"]')
            assert page.url.endswith("#obj-shop-flow")
            expect(page.locator("section#obj-shop-flow")).to_be_in_viewport()

            # A KR's explanation, on demand.
            card = page.locator("article#kr-shop-done")
            card.locator("button.explain-toggle").click()
            panel = card.locator("pre.explanation")
            expect(panel).to_be_visible()
            expect(panel).to_contain_text("shop-done")
            expect(panel).to_contain_text("select: {query: project = SHOP}")
            expect(panel).to_contain_text("pushes of the latest run:")
            assert rgb(PANEL) in colours_of(panel.screenshot())

            failed = page.locator("#recent-runs tr.run-failed")
            expect(failed).to_contain_text("mappings/down.yaml")
            assert rgb(FAILED) in colours_of(failed.screenshot())
            top = page.screenshot(clip={"x": 0, "y": 0, "width": 1200, "height": 30})
            assert rgb(BAR) in colours_of(top)
            assert errors == []
        finally:
            browser.close()
