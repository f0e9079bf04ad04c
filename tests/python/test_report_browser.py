"""The report in a real browser: headless Chromium (the system package, driven by Playwright),
offline, from disk. Skips with a visible reason where no Chromium is installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from user_segmentation.report import render_report

pytestmark = [pytest.mark.dbt, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("no chromium on PATH: apt-get install chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


def open_offline(browser, path: Path, scheme: str):
    page = browser.new_page(viewport={"width": 1200, "height": 900}, color_scheme=scheme)
    events = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda request: events["requests"].append(request.url))
    page.on("console", lambda message: message.type == "error" and events["errors"].append(message.text))
    page.on("pageerror", lambda error: events["errors"].append(str(error)))
    page.on("dialog", lambda dialog: (events["dialogs"].append(dialog.message), dialog.dismiss()))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, events


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_report_renders_offline(browser, sample_warehouse, tmp_path: Path, scheme: str) -> None:
    report = render_report(sample_warehouse.db, tmp_path / "report.html")
    page, events = open_offline(browser, report, scheme)
    assert events["requests"] == [report.resolve().as_uri()], "the page loads nothing but itself"
    assert events["errors"] == []
    boxes = page.eval_on_selector_all(
        "svg", "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
    )
    assert len(boxes) >= 10 and all(w > 50 and h > 20 for w, h in boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200, "nothing overflows sideways"
    shot = tmp_path / f"report-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    print(f"screenshot: {shot}")
    page.close()


def test_hostile_values_do_not_run(browser, sample_warehouse, tmp_path: Path) -> None:
    db = tmp_path / "hostile.duckdb"
    shutil.copy(sample_warehouse.db, db)
    con = duckdb.connect(str(db))
    con.execute("update dim_segments set segment_name = '<script>alert(1)</script>' where segment_id = 1")
    con.close()
    page, events = open_offline(browser, render_report(db, tmp_path / "hostile.html"), "light")
    assert events["dialogs"] == [] and events["errors"] == []
    assert "<script>alert(1)</script>" in page.inner_text("#summary")
    page.screenshot(path=str(tmp_path / "hostile.png"))
    page.close()
