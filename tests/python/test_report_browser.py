"""The report in a real browser: headless Chromium (the system package, driven by Playwright from
PyPI; no browser is ever downloaded), offline, opened from disk. Skips with a visible reason where
no Chromium is on PATH."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from user_segmentation.report import render_report

pytestmark = [pytest.mark.dbt, pytest.mark.browser]
HOSTILE = "<script>alert(1)</script>"
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
WIDTH = 1200


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("no chromium on PATH: apt-get install chromium (the CI script installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


def open_offline(browser, path: Path, scheme: str = "light"):
    """The page and what it did: every request, console error, page error and dialog."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page.emulate_media(color_scheme=scheme)
    events: dict[str, list[str]] = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda request: events["requests"].append(request.url))
    page.on("console", lambda message: message.type == "error" and events["errors"].append(message.text))
    page.on("pageerror", lambda error: events["errors"].append(str(error)))

    def on_dialog(dialog) -> None:
        events["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, events


def record(tmp_path: Path, *shots: Path) -> None:
    """Print the screenshot paths (visible with -s) and keep them beside the screenshots."""
    with (tmp_path / "screenshots.txt").open("a", encoding="utf-8") as listing:
        for shot in shots:
            print(f"screenshot: {shot}")
            listing.write(f"{shot}\n")


def test_report_renders_offline_in_light_and_dark(browser, sample_warehouse, tmp_path: Path) -> None:
    report = render_report(sample_warehouse.db, tmp_path / "report.html")
    page, events = open_offline(browser, report, "light")
    assert events["requests"] == [report.resolve().as_uri()], "the page loads nothing but itself"
    assert not [u for u in events["requests"] if u.startswith(("http:", "https:", "ws:", "wss:"))]
    assert events["errors"] == []

    boxes = page.eval_on_selector_all(
        "svg", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert len(boxes) >= 20 and all(w > 50 and h > 20 for w, h in boxes), boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, "nothing overflows sideways"
    assert page.is_visible("#summary .card") and page.is_visible("#profile svg")

    light_background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    light = tmp_path / "report-light.png"
    page.screenshot(path=str(light), full_page=True)

    page.emulate_media(color_scheme="dark")
    dark_background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert dark_background != light_background, "the dark theme applies"
    dark = tmp_path / "report-dark.png"
    page.screenshot(path=str(dark), full_page=True)

    page.emulate_media(media="print", color_scheme="dark")
    assert page.evaluate("getComputedStyle(document.querySelector('section')).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    ), "no dark backgrounds in print"
    assert events["requests"] == [report.resolve().as_uri()] and events["errors"] == []
    for shot in (light, dark):
        assert shot.stat().st_size > 50_000
    record(tmp_path, light, dark)
    page.close()


def test_public_report_caution_is_visible(browser, public_warehouse, tmp_path: Path) -> None:
    report = render_report(public_warehouse.db, tmp_path / "public.html")
    page, events = open_offline(browser, report, "light")
    assert events["requests"] == [report.resolve().as_uri()] and events["errors"] == []
    caution = page.locator("aside.caution")
    assert caution.is_visible()
    assert "This data shows no natural segments" in caution.inner_text()
    box = caution.bounding_box()
    assert box is not None and box["y"] < 600, "near the top of the report"
    shot = tmp_path / "public-light.png"
    page.screenshot(path=str(shot), full_page=True)
    record(tmp_path, shot)
    page.close()


def test_hostile_values_do_not_run(browser, sample_warehouse, tmp_path: Path) -> None:
    db = tmp_path / "hostile.duckdb"
    shutil.copy(sample_warehouse.db, db)
    con = duckdb.connect(str(db))
    con.execute(f"update dim_segments set segment_name = '{HOSTILE}' where segment_id = 1")
    con.execute(
        f"update segment_interest_affinity set interest = '{HOSTILE}' where segment_id = 1 and rank_in_segment = 1"
    )
    con.close()
    report = render_report(db, tmp_path / "hostile.html")
    page, events = open_offline(browser, report, "light")
    page.wait_for_timeout(300)
    assert events["dialogs"] == [], "no script ran"
    assert events["errors"] == [] and events["requests"] == [report.resolve().as_uri()]
    assert page.locator("script").count() == 0
    assert HOSTILE in page.inner_text("#summary") and HOSTILE in page.inner_text("#interests")
    assert page.get_by_text(HOSTILE, exact=True).first.is_visible()
    shot = tmp_path / "hostile.png"
    page.screenshot(path=str(shot))
    record(tmp_path, shot)
    page.close()
