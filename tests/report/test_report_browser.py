"""The report in a real browser: headless Chromium opens the file with networking off,
draws it without console errors, and the screenshot shows a page, not a blank.

Skipped when ``chromium`` is not installed, unless CI=true: CI installs it, so there a
missing browser is a failure rather than a silently skipped check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from report_data import demo
from report_dom import parse, polyline_points
from report_png import read_png

from okrsync.report import render_report, write_report

pytestmark = pytest.mark.slow

WINDOW = (1400, 2000)
# Solid fills in the header and the "at a glance" table (the top 480 rows at 1400 px):
# the on-track bar, the at-risk bar and the off-track KR dots.
GREEN, AMBER, RED = (0x1A, 0x7F, 0x37), (0xE0, 0x9B, 0x1A), (0xCF, 0x22, 0x2E)
TOP_ROWS = 480


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = shutil.which("chromium")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not on PATH, and CI must run the browser test: install it")
        pytest.skip("chromium is not on PATH: `apt-get install chromium` to run this test")
    return binary


def run_chromium(
    binary: str, profile: Path, page: Path, *mode: str
) -> subprocess.CompletedProcess[str]:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *mode,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=45, check=False)


def console_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line or "net::ERR_" in line]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc, histories, cycles = demo()
    html = render_report(
        doc, histories, cycles, title="Checkout & Payments", timezone=ZoneInfo("Europe/Berlin")
    )
    return write_report(tmp_path_factory.mktemp("report") / "report.html", html)


def test_the_report_renders_as_a_page_with_colour(
    chromium: str, report: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "report.png"
    result = run_chromium(chromium, tmp_path / "profile", report, f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result.stderr) == []
    png = read_png(shot.read_bytes())
    assert (png.width, png.height) == WINDOW
    colours = png.colours(TOP_ROWS)
    # A blank page has one colour; text, bars and pills give hundreds.
    assert len(colours) > 100
    assert {GREEN, AMBER, RED} <= colours


def test_the_browser_builds_every_chart(chromium: str, report: Path, tmp_path: Path) -> None:
    result = run_chromium(chromium, tmp_path / "profile", report, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result.stderr) == []
    page = parse(result.stdout)
    assert page.find("h1").text() == "Checkout & Payments"
    charts = page.find_all("svg", "chart")
    assert len(charts) == 11
    for chart in charts:
        # 46 days of history and this run's point (see test_report_html).
        assert len(polyline_points(chart.find("polyline", "series"))) == 47
        assert chart.find_all("polyline", "expected")


def test_a_console_error_would_be_caught(chromium: str, tmp_path: Path) -> None:
    """The check above is worth something only if a broken page trips it."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom')</script>")
    result = run_chromium(chromium, tmp_path / "profile", broken, "--dump-dom")
    assert any('"boom"' in line for line in console_lines(result.stderr))
