"""The report, without a browser: complete, faithful to the marts, self-contained, safe."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from user_segmentation.cli import main
from user_segmentation.report import ReportError, render_report
from user_segmentation.report_format import fmt_index, fmt_int, fmt_pct, fmt_z

pytestmark = pytest.mark.dbt
HOSTILE = "<script>alert(1)</script>"


class Page(HTMLParser):
    """Tags with attributes, text per element, and <svg> children, for structural checks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.svgs: list[dict] = []
        self.text: list[str] = []
        self.cells: list[tuple[dict, str]] = []
        self._pending: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "svg":
            self.svgs.append({"title": ""})
        if tag == "text":
            self._pending = attributes
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self.stack and self.stack[-1] == "title" and "svg" in self.stack and self.svgs:
            self.svgs[-1]["title"] += data
        if self._pending is not None and self.stack and self.stack[-1] == "text":
            self.cells.append((self._pending, data))
            self._pending = None


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def sample_report(sample_warehouse, tmp_path_factory) -> Path:
    return render_report(sample_warehouse.db, tmp_path_factory.mktemp("report") / "report.html")


def test_formatting_rules() -> None:
    assert fmt_int(1234567) == "1,234,567"
    assert fmt_pct(0.3524) == "35.2%" and fmt_pct(1) == "100.0%"
    assert fmt_z(-0.44) == "\u22120.4" and fmt_z(1.26) == "+1.3" and fmt_z(-0.01) == "0.0"
    assert fmt_index(151.6) == "152"


def test_every_segment_and_section_appears(sample_warehouse, sample_report: Path) -> None:
    html = sample_report.read_text()
    for (name,) in sample_warehouse.query("select segment_name from dim_segments"):
        assert html.count(name.replace("&", "&amp;")) >= 5, name
    for section in (
        "summary",
        "sizes",
        "profile",
        "demographics",
        "interests",
        "targeting",
        "exploration",
        "method",
        "quality",
        "glossary",
    ):
        assert f'id="{section}"' in html
    assert "Population" in html and "Verdict: clear" in html
    assert 'class="caution"' not in html, "no caution on clearly segmented data"


def test_chart_values_equal_the_marts(sample_warehouse, sample_report: Path) -> None:
    page = parse(sample_report)
    sizes = {
        int(a["data-segment"]): float(a["data-value"])
        for t, a in page.tags
        if t == "rect" and "data-segment" in a and "data-feature" not in a
    }
    assert sizes == dict(sample_warehouse.query("select segment_id, share_of_users from dim_segments"))
    heat = {
        (int(a["data-segment"]), a["data-feature"]): float(a["data-value"])
        for t, a in page.tags
        if t == "rect" and "data-feature" in a
    }
    marts = {
        (s, f): z
        for s, f, z in sample_warehouse.query(
            "select segment_id, feature, z_score from segment_feature_profiles where is_cluster_feature"
        )
    }
    assert heat == pytest.approx(marts)
    shown = {text for _, text in page.cells}
    for z in marts.values():
        assert fmt_z(z) in shown
    for users, share in sample_warehouse.query("select users, share_of_users from dim_segments"):
        assert f"{fmt_pct(share)} · {fmt_int(users)} users" in shown
    k_points = {
        (int(a["data-k"]), a["data-series"]): float(a["data-value"])
        for t, a in page.tags
        if t == "circle" and "data-k" in a
    }
    for k, sil, null in sample_warehouse.query("select k, silhouette, null_silhouette from segmentation_k_selection"):
        assert k_points[(k, "silhouette")] == pytest.approx(sil)
        assert k_points[(k, "null_silhouette")] == pytest.approx(null)


def test_self_contained_and_titled(sample_report: Path) -> None:
    page = parse(sample_report)
    html = sample_report.read_text()
    assert not any(tag == "script" for tag, _ in page.tags)
    assert not any(tag == "link" for tag, _ in page.tags)
    for tag, attributes in page.tags:
        for key in ("src", "href", "xlink:href"):
            value = attributes.get(key) or ""
            assert not value or value.startswith(("#", "data:")), (tag, key, value)
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", html) and "@import" not in html
    assert page.svgs and all(svg["title"].strip() for svg in page.svgs)
    assert all(a.get("role") == "img" and a.get("aria-labelledby") for t, a in page.tags if t == "svg")
    assert "prefers-color-scheme: dark" in html and "@media print" in html


def test_no_user_level_rows(sample_warehouse, sample_report: Path) -> None:
    html = sample_report.read_text()
    ids = [row[0] for row in sample_warehouse.query("select user_id from dim_users order by user_id desc limit 3")]
    assert not any(f">{i}<" in html for i in ids)


def test_public_report_says_there_are_no_segments(public_warehouse, tmp_path: Path) -> None:
    html = render_report(public_warehouse.db, tmp_path / "public.html").read_text()
    assert 'class="caution"' in html and 'data-verdict="none"' in html
    assert "This data shows no natural segments" in html


def test_hostile_values_are_text(sample_warehouse, tmp_path: Path) -> None:
    db = tmp_path / "hostile.duckdb"
    shutil.copy(sample_warehouse.db, db)
    con = duckdb.connect(str(db))
    con.execute(f"update dim_segments set segment_name = '{HOSTILE}' where segment_id = 1")
    con.execute(
        f"update segment_interest_affinity set interest = '{HOSTILE}' where segment_id = 1 and rank_in_segment = 1"
    )
    con.close()
    html = render_report(db, tmp_path / "hostile.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_tables_from_two_builds_are_refused(sample_warehouse, tmp_path: Path) -> None:
    db = tmp_path / "mixed.duckdb"
    shutil.copy(sample_warehouse.db, db)
    con = duckdb.connect(str(db))
    con.execute("update segment_targeting set run_id = 'an-older-build'")
    con.close()
    with pytest.raises(ReportError, match="different dbt builds") as err:
        render_report(db, tmp_path / "mixed.html")
    assert "an-older-build" in str(err.value) and "segment_targeting" in str(err.value)


def test_missing_marts_and_missing_file(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ReportError, match="run `dbt build` first"):
        render_report(empty, tmp_path / "x.html")
    assert main(["report", "--db", str(tmp_path / "nowhere.duckdb"), "--out", str(tmp_path / "y.html")]) == 2
    err = capsys.readouterr().err
    assert "nowhere.duckdb" in err and "dbt build" in err and "Traceback" not in err


def test_older_build_without_a_column_is_refused(sample_warehouse, tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    shutil.copy(sample_warehouse.db, db)
    con = duckdb.connect(str(db))
    con.execute("alter table dim_segments drop column targeting_summary")
    con.close()
    with pytest.raises(ReportError, match="older version .*dim_segments.targeting_summary"):
        render_report(db, tmp_path / "old.html")
