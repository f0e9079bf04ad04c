"""The report's Activity section: shown only when the build had an event or an order log, each
segment's events by local weekday and hour (7 x 24 cells), its RFM figures with the mart's index,
and one sentence on where every record of the logs went, with the events of users who are not in
the profiles counted (kept, not counted). Without logs the report is as it was.

One build (session-scoped): the generated 3,000-user activity set (conftest ``activity_set``) with
three events and one order of users who are not in the profiles and one event that cannot be
read appended to copies of its logs.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from tests.python.conftest import ActivitySet, DbtRun, modified_copy, run_dbt
from tests.python.test_report import by_id, chart, parse
from user_segmentation.report import ReportError, render_report
from user_segmentation.report_charts import WEEKDAYS
from user_segmentation.report_format import fmt_index, fmt_int, fmt_number

pytestmark = pytest.mark.dbt
UNKNOWN_EVENTS = (
    "999999,2026-11-20T10:00:00Z,view,web,food",
    "999999,2026-11-21T11:00:00Z,view,web,food",
    "999998,2026-11-21T12:00:00Z,view,app,food",
)
UNKNOWN_ORDERS = ("999999,99999,2026-11-20T10:00:00Z,12.50,EUR,food",)
BROKEN_EVENTS = ("5,not-a-time,view,web,food",)


def _appended(source: Path, target: Path, lines: tuple[str, ...]) -> Path:
    shutil.copy(source, target)
    with target.open("a", encoding="utf-8") as handle:
        handle.write("".join(f"{line}\n" for line in lines))
    return target


@pytest.fixture(scope="session")
def activity_report_warehouse(tmp_path_factory, activity_set: ActivitySet) -> DbtRun:
    """The activity set with records of unknown users and a broken event, built once."""
    folder = tmp_path_factory.mktemp("activity_report")
    logs = ActivitySet(
        folder,
        activity_set.profiles,
        activity_set.truth,
        _appended(activity_set.events, folder / "events.csv", UNKNOWN_EVENTS + BROKEN_EVENTS),
        _appended(activity_set.orders, folder / "orders.csv", UNKNOWN_ORDERS),
    )
    run = run_dbt(folder / "w.duckdb", "build", vars_yaml=logs.vars_yaml())
    assert run.returncode == 0, run.output[-4000:]
    return run


@pytest.fixture(scope="module")
def activity_report(activity_report_warehouse: DbtRun, tmp_path_factory) -> Path:
    return render_report(activity_report_warehouse.db, tmp_path_factory.mktemp("activity_html") / "report.html")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_section_and_its_nav_link_exist(activity_report: Path) -> None:
    html = activity_report.read_text(encoding="utf-8")
    root = parse(activity_report)
    section = by_id(root, "activity")
    assert section.tag == "section" and by_id(root, "activity-h").text == "Activity"
    nav = next(root.iter("nav"))
    assert "#activity" in [a.attrs.get("href") for a in nav.iter("a")]
    order = [html.index(f'<section id="{s}"') for s in ("interests", "activity", "targeting", "quality")]
    assert order == sorted(order), "after the interests, before targeting"


def test_each_segment_has_a_7_by_24_grid_with_the_marts_counts(activity_report_warehouse, activity_report) -> None:
    root = parse(activity_report)
    section = by_id(root, "activity")
    segments = activity_report_warehouse.query("select segment_id, segment_name from dim_segments order by 1")
    grids = [f for f in section.iter("figure") if f.attrs.get("data-chart", "").startswith("activity-")]
    assert [g.attrs["data-chart"] for g in grids] == [f"activity-{s}" for s, _ in segments]
    for (_, name), grid in zip(segments, grids, strict=True):
        assert name in next(grid.iter("figcaption")).text
        svg = next(grid.iter("svg"))
        assert svg.attrs["role"] == "img" and next(svg.iter("desc")).text.strip()
        rows = [g for g in svg.iter("g") if "data-weekday" in g.attrs]
        assert [int(r.attrs["data-weekday"]) for r in rows] == list(range(1, 8))
        assert all(len([c for c in r.children if c.tag == "rect"]) == 24 for r in rows)
    # One cell from the warehouse: segment 2's busiest hour, in its hidden table and its colour.
    segment, weekday, hour, events = activity_report_warehouse.query(
        "select segment_id, local_weekday, local_hour, events from segment_activity_hours"
        " where segment_id = 2 order by events desc, local_weekday, local_hour limit 1"
    )[0]
    assert events == activity_report_warehouse.scalar(
        "select count(*) from stg_interactions as e join dim_users as u using (user_id)"
        f" where u.segment_id = {segment} and isodow(e.event_local_time) = {weekday}"
        f" and hour(e.event_local_time) = {hour}"
    ), "the mart counts the segment's events of that hour"
    grid = chart(root, f"activity-{segment}")
    table = next(grid.iter("table"))
    header = [th.text for th in next(table.iter("thead")).iter("th")]
    body = {tr.children[0].text: [c.text for c in tr.children[1:]] for tr in next(table.iter("tbody")).iter("tr")}
    assert header[1:] == [str(h) for h in range(24)] and list(body) == list(WEEKDAYS)
    assert body[WEEKDAYS[weekday - 1]][hour] == fmt_int(events)
    shares = dict(
        ((w, h), share)
        for w, h, share in activity_report_warehouse.query(
            f"select local_weekday, local_hour, share_of_segment_events from segment_activity_hours"
            f" where segment_id = {segment}"
        )
    )
    peak = activity_report_warehouse.scalar("select max(share_of_segment_events) from segment_activity_hours")
    cells = [
        [c for c in g.children if c.tag == "rect"]
        for g in next(grid.iter("svg")).iter("g")
        if "data-weekday" in g.attrs
    ]
    for w in range(1, 8):
        for h in range(24):
            # Eighths of the largest share of any segment, rounded up; grey (step 0) without events.
            step = math.ceil(8 * shares[(w, h)] / peak) if (w, h) in shares else 0
            assert cells[w - 1][h].attrs["class"] == f"zp{step}", (w, h)
    assert f"busiest: {WEEKDAYS[weekday - 1][:3]} {hour:02d}:00" in grid.text


def test_the_rfm_index_is_the_marts(activity_report_warehouse, activity_report) -> None:
    section = by_id(parse(activity_report), "activity")
    table = next(t for t in section.iter("table") if t.attrs.get("class") == "activity-table")
    headings = [th.attrs.get("data-feature") for th in next(table.iter("thead")).iter("th")][1:]
    assert headings == [
        "days_since_last_order",
        "orders",
        "monetary_value",
        "average_order_value",
        "days_since_last_event",
        "active_days",
    ]
    rows = {tr.attrs["data-segment"]: tr for tr in table.iter("tr") if "data-segment" in tr.attrs}
    expected = activity_report_warehouse.query(
        "select segment_id, feature, segment_mean, index_vs_population from segment_feature_profiles"
        " where feature in ('days_since_last_order', 'orders', 'monetary_value')"
    )
    decimals = {"days_since_last_order": 1, "orders": 1, "monetary_value": 0}
    assert len(expected) == 3 * len(rows) == 12
    for segment, feature, mean, index in expected:
        cell = next(td for td in rows[str(segment)].iter("td") if td.attrs["data-feature"] == feature)
        assert float(cell.attrs["data-index"]) == pytest.approx(index, rel=1e-12)
        assert _words(cell.text) == f"{fmt_number(mean, decimals[feature])} index {fmt_index(index)}"
    recency = activity_report_warehouse.query(
        "select segment_id, index_vs_population from segment_feature_profiles"
        " where feature = 'days_since_last_order' order by 2 desc limit 1"
    )[0]
    cell = next(td for td in rows[str(recency[0])].iter("td") if td.attrs["data-feature"] == "days_since_last_order")
    assert next(cell.iter("small")).attrs.get("class") == "up", "the most lapsed segment is marked high"


def test_the_reconciliation_sentence_has_the_marts_numbers(activity_report_warehouse, activity_report) -> None:
    logs = {
        row[0]: row[1:]
        for row in activity_report_warehouse.query(
            "select activity_log, rows_in_file, rejected_rows, unknown_user_rows, counted_rows"
            " from segmentation_activity_reconciliation"
        )
    }
    (events, rejected_events, unknown_events, counted_events) = logs["interactions"]
    (orders, rejected_orders, unknown_orders, counted_orders) = logs["transactions"]
    assert (unknown_events, unknown_orders) == (len(UNKNOWN_EVENTS), len(UNKNOWN_ORDERS))
    quarantined = activity_report_warehouse.scalar(
        "select (select count(*) from rejected_interactions) + (select count(*) from rejected_transactions)"
    )
    assert rejected_events + rejected_orders == quarantined == len(BROKEN_EVENTS)
    sentence = (
        f"{fmt_int(events)} events and {fmt_int(orders)} orders read: {fmt_int(quarantined)} rejected, "
        f"{fmt_int(unknown_events)} events and {fmt_int(unknown_orders)} order of users who are not in the "
        f"profiles (kept, not counted); {fmt_int(counted_events)} events and {fmt_int(counted_orders)} orders counted."
    )
    root = parse(activity_report)
    for section in ("activity", "quality"):
        shown = [n for n in by_id(root, section).iter("p") if "data-reconciliation" in n.attrs]
        assert len(shown) == 1 and _words(shown[0].text) == sentence, section
    quality = by_id(root, "quality")
    row = next(tr for tr in quality.iter("tr") if tr.attrs.get("data-log") == "interactions")
    assert [_words(td.text) for td in row.children if td.tag == "td"][:3] == [
        fmt_int(events),
        fmt_int(rejected_events),
        f"{fmt_int(unknown_events)} (2 users)",
    ]
    assert "not a time" in quality.text and "5,not-a-time" not in activity_report.read_text(encoding="utf-8")


def test_an_order_log_alone_shows_only_the_order_figures(activity_report_warehouse, tmp_path: Path) -> None:
    db = modified_copy(
        activity_report_warehouse.db,
        tmp_path / "orders-only.duckdb",
        "update segmentation_activity_reconciliation set input_path = null where activity_log = 'interactions'",
    )
    section = by_id(parse(render_report(db, tmp_path / "orders-only.html")), "activity")
    assert not list(section.iter("figure")), "no event log, no grid"
    headings = [th.attrs.get("data-feature") for th in section.iter("th") if "data-feature" in th.attrs]
    assert headings == ["days_since_last_order", "orders", "monetary_value", "average_order_value"]
    assert "No event log was given." in _words(section.text)


def test_without_activity_logs_there_is_no_activity_section(sample_warehouse, tmp_path: Path) -> None:
    assert sample_warehouse.query("select input_path from segmentation_activity_reconciliation") == [(None,), (None,)]
    report = render_report(sample_warehouse.db, tmp_path / "plain.html")
    html = report.read_text(encoding="utf-8")
    assert 'id="activity"' not in html and "#activity" not in html
    assert "Activity logs" not in html and "data-reconciliation" not in html
    assert not [f for f in parse(report).iter("figure") if f.attrs.get("data-chart", "").startswith("activity-")]


def test_a_missing_or_mixed_activity_mart_is_refused(activity_report_warehouse, tmp_path: Path) -> None:
    db = modified_copy(activity_report_warehouse.db, tmp_path / "old.duckdb", "drop table segment_activity_hours")
    with pytest.raises(ReportError, match=r"no segment_activity_hours: run `dbt build` first"):
        render_report(db, tmp_path / "old.html")
    db = modified_copy(
        activity_report_warehouse.db,
        tmp_path / "stale.duckdb",
        "alter table segmentation_activity_reconciliation drop column unknown_user_rows",
    )
    with pytest.raises(ReportError, match=r"segmentation_activity_reconciliation\.unknown_user_rows.*dbt build"):
        render_report(db, tmp_path / "stale.html")
    db = modified_copy(
        activity_report_warehouse.db,
        tmp_path / "mixed.duckdb",
        "update segment_activity_hours set run_id = 'an-older-build'",
    )
    with pytest.raises(ReportError, match=r"an-older-build.*segment_activity_hours"):
        render_report(db, tmp_path / "mixed.html")
