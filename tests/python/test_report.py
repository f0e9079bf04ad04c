"""The report without a browser: complete, faithful to the marts, self-contained, safe, and refusing
warehouses it cannot trust (missing tables, mixed builds)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import modified_copy, run_dbt
from user_segmentation import input_format, report, report_charts, report_format, report_queries
from user_segmentation.cli import main
from user_segmentation.report import ReportError, render_report
from user_segmentation.report_format import (
    fmt_ari,
    fmt_index,
    fmt_int,
    fmt_number,
    fmt_pct,
    fmt_silhouette,
    fmt_z,
)

pytestmark = pytest.mark.dbt
HOSTILE = "<script>alert(1)</script>"
HOSTILE_ATTRIBUTE = "O'Reilly\"><b>"
REPORT_MODULES = (report, report_charts, report_format, report_queries)
SECTIONS = (
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
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.parts: list[str | Node] = []

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def iter(self, tag: str | None = None):
        for child in self.children:
            if tag is None or child.tag == tag:
                yield child
            yield from child.iter(tag)

    def ancestor(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class Page(HTMLParser):
    """A small DOM: enough to check structure, attributes and text (stdlib only)."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        self.current.parts.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        self.current.parts.append(node)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def parse(path: Path) -> Node:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page.root


def by_id(root: Node, element_id: str) -> Node:
    found = [n for n in root.iter() if n.attrs.get("id") == element_id]
    assert len(found) == 1, element_id
    return found[0]


def chart(root: Node, name: str) -> Node:
    found = [n for n in root.iter("figure") if n.attrs.get("data-chart") == name]
    assert len(found) == 1, name
    return found[0]


@pytest.fixture(scope="module")
def sample_report(sample_warehouse, tmp_path_factory) -> Path:
    return render_report(sample_warehouse.db, tmp_path_factory.mktemp("report") / "out" / "report.html")


# ---------------------------------------------------------------- formatting


def test_number_formatting_rules() -> None:
    assert fmt_int(1234567) == "1,234,567" and fmt_int(1000) == "1,000" and fmt_int(-1500) == "\u22121,500"
    assert fmt_pct(0.3524) == "35.2%" and fmt_pct(1) == "100.0%" and fmt_pct(0.00049) == "0.0%"
    assert fmt_pct(-0.052) == "\u22125.2%"
    assert fmt_z(-0.64) == "\u22120.6" and fmt_z(1.26) == "+1.3" and fmt_z(-0.01) == "0.0" and fmt_z(0) == "0.0"
    assert fmt_z(0.5533, 3) == "+0.553"
    assert fmt_index(151.6) == "152" and fmt_index(99.4) == "99"
    assert fmt_number(4375.579, 1) == "4,375.6" and fmt_number(-0.0004, 3) == "0.000"
    assert fmt_silhouette(0.66446) == "0.664" and fmt_silhouette(-0.1234) == "\u22120.123"
    assert fmt_ari(0.8300004) == "0.83"
    for helper in (fmt_int, fmt_pct, fmt_z, fmt_index, fmt_silhouette, fmt_ari):
        assert helper(None) == "\u2013"
    assert "-" not in fmt_z(-2.5) + fmt_pct(-0.5) + fmt_int(-3) + fmt_number(-1.25, 2)


# ---------------------------------------------------------------- content


def test_sections_in_order_and_every_segment_named(sample_warehouse, sample_report: Path) -> None:
    html = sample_report.read_text(encoding="utf-8")
    positions = [html.index(f'<section id="{section}"') for section in SECTIONS]
    assert positions == sorted(positions), "sections in the order of the issue"
    assert html.index("</header>") < positions[0]
    root = parse(sample_report)
    cards = [n for n in by_id(root, "summary").iter("article")]
    segments = sample_warehouse.query(
        "select s.segment_id, s.segment_name, s.users, s.share_of_users,"
        " string_agg(t.recommendation, '; ' order by t.recommendation_order)"
        " from dim_segments as s join segment_targeting as t using (segment_id) group by all order by 1"
    )
    assert len(cards) == len(segments)
    for card, (segment_id, name, users, share, targeting) in zip(cards, segments, strict=True):
        text = " ".join(card.text.split())
        assert card.attrs["data-segment"] == str(segment_id)
        assert name in text and fmt_pct(share) in text and f"{fmt_int(users)} users" in text
        assert " ".join(targeting.split()) in text
    page_text = root.text
    for _, name, *_ in segments:
        for section in ("sizes", "profile", "demographics", "interests", "targeting"):
            assert name in by_id(root, section).text, (name, section)
    assert "No rows were rejected" in by_id(root, "quality").text
    assert not [n for n in root.iter() if "caution" in n.attrs.get("class", "")], "no caution on clear segments"
    assert "Verdict: clear." in page_text
    for term in ("z-score", "Index", "Silhouette", "Null reference", "Stability (ARI)", "Small cell"):
        assert term in by_id(root, "glossary").text
    header = root.text[: root.text.index("Executive summary")]
    for figure in ("Data as of", "Built", "Input", "seed: raw_user_profiles", "Users in", "Valid", "Rejected"):
        assert figure in header


def test_chart_values_equal_the_marts(sample_warehouse, sample_report: Path) -> None:
    root = parse(sample_report)
    # Segment sizes: bar values and their labels.
    sizes = chart(root, "sizes")
    bars = {int(r.attrs["data-segment"]): r for r in sizes.iter("rect") if "data-segment" in r.attrs}
    labels = {t.text for t in sizes.iter("text")}
    for segment_id, users, share in sample_warehouse.query(
        "select segment_id, users, share_of_users from dim_segments"
    ):
        assert float(bars[segment_id].attrs["data-value"]) == pytest.approx(share, rel=1e-12)
        assert int(bars[segment_id].attrs["data-users"]) == users
        assert f"{fmt_pct(share)} · {fmt_int(users)} users" in labels
    # Heatmap: every cluster feature of every segment; the text in each cell is its formatted z-score.
    heat = chart(root, "heatmap")
    group = next(g for g in heat.iter("g") if "hm" in g.attrs.get("class", ""))
    shown = {}
    for n, node in enumerate(group.children):
        if node.tag == "rect":
            label = group.children[n + 1]
            assert label.tag == "text"
            key = (int(node.attrs["data-segment"]), node.attrs["data-feature"])
            shown[key] = (float(node.attrs["data-value"]), label.text)
    marts = sample_warehouse.query(
        "select segment_id, feature, z_score from segment_feature_profiles where is_cluster_feature"
    )
    assert set(shown) == {(s, f) for s, f, _ in marts}
    for segment_id, feature, z in marts:
        value, text = shown[(segment_id, feature)]
        assert value == pytest.approx(z, rel=1e-12) and text == fmt_z(z)
    # Silhouette per k and the chosen k.
    points = {
        (int(c.attrs["data-k"]), c.attrs["data-series"]): float(c.attrs["data-value"])
        for c in chart(root, "k-selection").iter("circle")
    }
    for k, sil, null, chosen in sample_warehouse.query(
        "select k, silhouette, null_silhouette, chosen from segmentation_k_selection"
    ):
        assert points[(k, "silhouette")] == pytest.approx(sil) and points[(k, "null_silhouette")] == pytest.approx(null)
        if chosen:
            assert f"chosen: k = {k}" in chart(root, "k-selection").text
            assert fmt_silhouette(sil) in chart(root, "k-selection").text
    # Demographics: the hidden table of each chart holds every share as printed elsewhere.
    age = chart(root, "demographics-age")
    table_text = next(age.iter("table")).text
    for share, population in sample_warehouse.query(
        "select share_in_segment, population_share from segment_category_profiles where dimension = 'age'"
    ):
        assert fmt_pct(share) in table_text and fmt_pct(population) in table_text
    # Interest table: users, shares and index as in the mart.
    interests = by_id(root, "interests")
    rows = {}
    for body in interests.iter("tbody"):
        for tr in body.iter("tr"):
            cells = [c.text.strip() for c in tr.children if c.tag == "td"]
            rows[(int(body.attrs["data-segment"]), cells[0])] = cells[1:]
    expected = sample_warehouse.query(
        "select segment_id, interest, users, share_in_segment, population_share, index_vs_population "
        "from segment_interest_affinity where rank_in_segment <= 5 and not is_small_cell"
    )
    assert len(rows) == len(expected)
    for segment_id, interest, users, share, population, index in expected:
        assert rows[(segment_id, interest)] == [fmt_int(users), fmt_pct(share), fmt_pct(population), fmt_index(index)]
    # Histograms are counted in SQL over every valid user.
    valid = sample_warehouse.scalar("select count(*) from dim_users")
    histograms = [f for f in root.iter("figure") if f.attrs.get("data-chart", "").startswith("hist-")]
    assert len(histograms) == 7
    for figure in histograms:
        counts = next(figure.iter("path")).attrs["data-values"].split()
        assert sum(map(int, counts)) == valid


def test_self_contained_accessible_and_themed(sample_report: Path) -> None:
    root = parse(sample_report)
    html = sample_report.read_text(encoding="utf-8")
    tags = list(root.iter())
    assert not [n for n in tags if n.tag in ("script", "link", "iframe", "object", "embed", "img")]
    for node in tags:
        for key in ("src", "href", "xlink:href", "action", "srcset"):
            value = node.attrs.get(key)
            if value is None:
                continue
            assert key == "href" and value.startswith("#"), (node.tag, key, value)
        assert not any(k.startswith("on") for k in node.attrs), node.tag
    assert not re.search(r"(https?:|wss?:)//", html), "no absolute URL anywhere"
    assert "url(" not in html and "@import" not in html and "@font-face" not in html
    ids = {n.attrs["id"] for n in tags if "id" in n.attrs}
    svgs = list(root.iter("svg"))
    assert len(svgs) >= 20
    for svg in svgs:
        title = next((c for c in svg.children if c.tag == "title"), None)
        assert title is not None and title.text.strip(), "every chart has a title"
        assert svg.attrs.get("role") == "img"
        named = svg.attrs["aria-labelledby"].split()
        assert named and all(i in ids for i in named)
        desc = next(c for c in svg.children if c.tag == "desc")
        assert desc.text.strip()
    assert len(ids) == len([n for n in tags if "id" in n.attrs]), "ids are unique"
    assert "prefers-color-scheme: dark" in html and "@media print" in html
    assert "break-inside: avoid" in html or "break-inside:avoid" in html
    assert 20_000 < len(html.encode()) < 200_000


def test_only_aggregates_leave_the_warehouse(sample_warehouse, sample_report: Path) -> None:
    html = sample_report.read_text(encoding="utf-8")
    root = parse(sample_report)
    assert max(len(list(body.iter("tr"))) for body in root.iter("tbody")) <= 40
    # No user's full list of interests and no per-user column appears.
    for (interests,) in sample_warehouse.query("select array_to_string(interests, ', ') from dim_users limit 50"):
        if interests.count(",") >= 2:
            assert interests not in html
    for column in ("user_id", "distance_to_centroid", "raw_line"):
        assert column not in html


def test_small_cells_are_suppressed(sample_warehouse, tmp_path: Path) -> None:
    segment, interest = sample_warehouse.query(
        "select segment_id, interest from segment_interest_affinity where rank_in_segment = 2 and segment_id = 1"
    )[0]
    db = modified_copy(
        sample_warehouse.db,
        tmp_path / "small.duckdb",
        f"update segment_interest_affinity set users = 4, is_small_cell = true "
        f"where segment_id = {segment} and interest = '{interest}'",
        "update segment_category_profiles set users = 3, is_small_cell = true "
        "where segment_id = 2 and dimension = 'gender' and level = 'Female'",
    )
    root = parse(render_report(db, tmp_path / "small.html"))  # the sample build: min_cell_users 10
    body = next(b for b in by_id(root, "interests").iter("tbody") if b.attrs["data-segment"] == str(segment))
    assert interest not in body.text
    assert "1 left out" in by_id(root, "interests").text
    gender = chart(root, "demographics-gender")
    assert "fewer than 10 users" in next(gender.iter("table")).text
    assert "small groups (fewer than 10 users)" in gender.text
    assert "fewer than 10" in by_id(root, "glossary").text


def test_rejected_rows_are_counted_by_reason(sample_warehouse, tmp_path: Path) -> None:
    reasons = (
        "[{'column': 'Age', 'code': 'unknown_level', 'detail': 'x'}, "
        "{'column': 'Income Level', 'code': 'unknown_level', 'detail': 'y'}]",
        "[{'column': 'Age', 'code': 'unknown_level', 'detail': 'z'}]",
        "[{'column': 'User ID', 'code': 'duplicate_id', 'detail': '<b>7</b>'}]",
    )
    db = modified_copy(
        sample_warehouse.db,
        tmp_path / "rejected.duckdb",
        *(
            f"insert into rejected_user_profiles (source_row_number, raw_user_id, rejection_reasons) "
            f"values ({n + 2}, 'secret-{n}', {r})"
            for n, r in enumerate(reasons)
        ),
    )
    report = render_report(db, tmp_path / "rejected.html")
    quality = by_id(parse(report), "quality")
    rows = [[c.text.strip() for c in tr.children if c.tag == "td"] for tr in next(quality.iter("tbody")).iter("tr")]
    assert rows == [
        ["unknown level", "Age", "2"],
        ["duplicate id", "User ID", "1"],
        ["unknown level", "Income Level", "1"],
    ]
    assert "3 of 1,000 input rows were set aside" in " ".join(quality.text.split())
    assert "No rows were rejected" not in quality.text
    assert "secret-" not in report.read_text(encoding="utf-8"), "aggregates only, never the rejected rows"


# ---------------------------------------------------------------- verdicts


def test_public_data_says_plainly_there_are_no_segments(public_warehouse, tmp_path: Path) -> None:
    report = render_report(public_warehouse.db, tmp_path / "public.html")
    html = report.read_text(encoding="utf-8")
    root = parse(report)
    caution = [n for n in root.iter("aside") if "caution" in n.attrs.get("class", "")]
    assert len(caution) == 1 and caution[0].attrs["data-verdict"] == "none"
    assert "This data shows no natural segments" in caution[0].text
    assert "arbitrary partition of noise" in caution[0].text
    assert html.index('class="caution"') < html.index('<section id="summary"'), "caution right after the header"
    assert "Verdict: none." in by_id(root, "method").text
    assert "Not a natural group" in by_id(root, "summary").text


def test_weak_verdict_gets_a_caution(sample_warehouse, tmp_path: Path) -> None:
    db = modified_copy(
        sample_warehouse.db,
        tmp_path / "weak.duckdb",
        "update segmentation_k_selection set verdict = 'weak' where chosen",
    )
    root = parse(render_report(db, tmp_path / "weak.html"))
    caution = [n for n in root.iter("aside") if "caution" in n.attrs.get("class", "")]
    assert len(caution) == 1 and caution[0].attrs["data-verdict"] == "weak"
    assert "weak" in caution[0].text.lower()


# ---------------------------------------------------------------- safety


def test_hostile_values_are_shown_as_text(sample_warehouse, tmp_path: Path) -> None:
    db = modified_copy(
        sample_warehouse.db,
        tmp_path / "hostile.duckdb",
        f"update dim_segments set segment_name = '{HOSTILE}' where segment_id = 1",
        f"update segment_interest_affinity set interest = '{HOSTILE}' where segment_id = 1 and rank_in_segment = 1",
    )
    report = render_report(db, tmp_path / "hostile.html")
    html = report.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    root = parse(report)
    assert not list(root.iter("script"))
    svg_texts = [t.text for svg in root.iter("svg") for t in svg.iter("text")]
    assert HOSTILE in svg_texts, "escaped inside SVG text too, and shown literally"
    assert HOSTILE in by_id(root, "interests").text and HOSTILE in by_id(root, "summary").text


def test_hostile_values_cannot_break_out_of_attributes_or_tags(sample_warehouse, tmp_path: Path) -> None:
    quoted = HOSTILE_ATTRIBUTE.replace("'", "''")
    feature = sample_warehouse.scalar(
        "select any_value(feature) from segment_feature_profiles where is_cluster_feature"
    )
    db = modified_copy(
        sample_warehouse.db,
        tmp_path / "quotes.duckdb",
        f"update dim_segments set segment_name = '{quoted}' where segment_id = 2",
        f"update segment_interest_affinity set interest = '{quoted}' where segment_id = 2 and rank_in_segment = 1",
        f"update segment_category_profiles set level = '{HOSTILE}' where dimension = 'gender' and level = 'Male'",
        f"update segment_feature_profiles set feature = '{quoted}' where feature = '{feature}'",
    )
    report_path = render_report(db, tmp_path / "quotes.html")
    html = report_path.read_text(encoding="utf-8")
    assert "<b>" not in html and "<script" not in html.lower()
    assert "O&#39;Reilly&#34;&gt;&lt;b&gt;" in html
    root = parse(report_path)
    assert not list(root.iter("b")) and not list(root.iter("script"))
    svg_texts = [t.text for svg in root.iter("svg") for t in svg.iter("text")]
    assert HOSTILE_ATTRIBUTE in svg_texts, "a quote in a name stays text inside the SVG"
    assert HOSTILE in svg_texts, "a level name is text in the legend"
    assert HOSTILE_ATTRIBUTE in by_id(root, "summary").text and HOSTILE_ATTRIBUTE in by_id(root, "interests").text
    heat = chart(root, "heatmap")
    features = {r.attrs["data-feature"] for r in heat.iter("rect") if "data-feature" in r.attrs}
    assert HOSTILE_ATTRIBUTE in features, "an attribute value keeps its quotes inside the attribute"
    gender = chart(root, "demographics-gender")
    assert HOSTILE in [th.text for th in next(gender.iter("table")).iter("th")]


def test_python_writes_no_markup_and_builds_no_sql_from_strings() -> None:
    for module in REPORT_MODULES:
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert not re.search(r"\bMarkup\(|\bescape\(|markupsafe", source), f"{module.__name__} writes markup"
        assert not re.search(r"[\"']</?(svg|rect|text|table|tr|th|td|figure|path|g|div|span)\b", source), (
            f"{module.__name__} holds tags"
        )
        assert not re.search(r"\.replace\(\"\$|execute\(f\"|\.format\(", source), f"{module.__name__} formats SQL"
        assert module.__all__ and all(hasattr(module, name) for name in module.__all__), module.__name__
    queries = {name: getattr(report_queries, name) for name in report_queries.__all__}
    assert all(isinstance(sql, str) and "{" not in sql for sql in queries.values()), "plain SQL, no placeholders"
    assert (Path(report.TEMPLATES) / "charts.html.j2").is_file()


def test_labels_come_from_the_one_declaration() -> None:
    assert not hasattr(report, "DIMENSIONS") or report.DIMENSIONS is input_format.DIMENSIONS
    assert not hasattr(report, "FEATURES") or report.FEATURES is input_format.FEATURES


def test_histograms_are_the_declared_numeric_columns(sample_report: Path) -> None:
    html = sample_report.read_text(encoding="utf-8")
    positions = [html.find(f'data-chart="hist-{column.replace("_", "-")}"') for column in input_format.NUMERIC_COLUMNS]
    assert all(p >= 0 for p in positions), "a histogram per numeric column of vars.input_format"
    assert positions == sorted(positions), "in the declaration's order"


def test_thresholds_shown_are_the_builds(sample_warehouse, sample_report: Path) -> None:
    import json

    settings = json.loads(
        sample_warehouse.scalar("select settings_json from segmentation_runs order by run_recorded_at desc limit 1")
    )
    method = by_id(parse(sample_report), "method")
    shown = {n.attrs["data-setting"]: " ".join(n.text.split()) for n in method.iter("div") if "data-setting" in n.attrs}
    assert set(shown) == {"min_cell_users", "interest_index_threshold", "min_segment_share", "report_top_traits"}
    assert (
        shown["min_cell_users"].startswith("Smallest group shown")
        and f"{settings['min_cell_users']} users" in shown["min_cell_users"]
    )
    assert fmt_index(settings["interest_index_threshold"]) in shown["interest_index_threshold"]
    assert fmt_pct(settings["min_segment_share"]) in shown["min_segment_share"]
    assert str(settings["report_top_traits"]) in shown["report_top_traits"]


def test_min_cell_users_comes_from_the_build(tmp_path: Path) -> None:
    build = run_dbt(tmp_path / "cells.duckdb", "build", vars_yaml="{min_cell_users: 25}")
    assert build.returncode == 0, build.output[-4000:]
    root = parse(render_report(build.db, tmp_path / "cells.html"))
    method = by_id(root, "method")
    cells = next(n for n in method.iter("div") if n.attrs.get("data-setting") == "min_cell_users")
    assert "25 users" in cells.text
    assert "Groups of fewer than 25 users are not shown" in " ".join(by_id(root, "demographics").text.split())
    assert "fewer than 25 users of a segment" in " ".join(by_id(root, "interests").text.split())
    assert "fewer than 25 users" in by_id(root, "glossary").text
    assert "fewer than 10 users" not in root.text
    # The suppression follows: no interest of a segment shown with fewer than 25 users.
    for body in by_id(root, "interests").iter("tbody"):
        for tr in body.iter("tr"):
            cells_text = [c.text.strip() for c in tr.children if c.tag == "td"]
            if len(cells_text) > 1:
                assert int(cells_text[1].replace(",", "")) >= 25, cells_text


def test_a_run_without_settings_is_refused(sample_warehouse, tmp_path: Path) -> None:
    db = modified_copy(
        sample_warehouse.db, tmp_path / "nosettings.duckdb", "update segmentation_runs set settings_json = null"
    )
    with pytest.raises(ReportError, match=r"no settings.*dbt build"):
        render_report(db, tmp_path / "nosettings.html")
    db = modified_copy(
        sample_warehouse.db,
        tmp_path / "oldsettings.duckdb",
        "update segmentation_runs set settings_json = json_object('k', 4)::varchar",
    )
    with pytest.raises(ReportError, match=r"min_cell_users.*dbt build"):
        render_report(db, tmp_path / "oldsettings.html")


# ---------------------------------------------------------------- refusals


def test_tables_from_two_builds_are_refused(sample_warehouse, tmp_path: Path) -> None:
    run_id = sample_warehouse.scalar("select any_value(run_id) from dim_segments")
    db = modified_copy(
        sample_warehouse.db, tmp_path / "mixed.duckdb", "update segment_targeting set run_id = 'an-older-build'"
    )
    with pytest.raises(ReportError) as err:
        render_report(db, tmp_path / "mixed.html")
    message = str(err.value)
    assert "an-older-build" in message and run_id in message
    assert "segment_targeting" in message and "dim_segments" in message and "dbt build" in message
    assert not (tmp_path / "mixed.html").exists()


def test_missing_marts_missing_columns_and_missing_file(sample_warehouse, tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ReportError, match="run `dbt build` first") as err:
        render_report(empty, tmp_path / "x.html")
    assert "dim_segments" in str(err.value)
    old = modified_copy(sample_warehouse.db, tmp_path / "old.duckdb", "alter table dim_segments drop column top_traits")
    with pytest.raises(ReportError, match=r"dim_segments\.top_traits.*dbt build"):
        render_report(old, tmp_path / "old.html")
    with pytest.raises(ReportError, match="nowhere.duckdb"):
        render_report(tmp_path / "nowhere.duckdb", tmp_path / "y.html")


def test_cli_exits_2_with_one_line(sample_warehouse, tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nowhere.duckdb"
    assert main(["report", "--db", str(missing), "--out", str(tmp_path / "y.html")]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("user-segmentation report: ")
    assert str(missing) in lines[0] and "dbt build" in lines[0] and "Traceback" not in captured.err
    out = tmp_path / "made" / "report.html"
    assert main(["report", "--db", str(sample_warehouse.db), "--out", str(out)]) == 0
    assert out.is_file() and str(out) in capsys.readouterr().out


def test_cli_says_an_input_file_is_not_a_warehouse(tmp_path: Path, capsys) -> None:
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("User ID,Age\n1,25-34\n")
    assert main(["report", "--db", str(csv_file), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert f"{csv_file} is not a DuckDB warehouse" in err
    assert "in-memory" not in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_cli_out_directory_is_refused_and_leaves_no_temporary_file(sample_warehouse, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for out in (str(folder), str(folder) + "/"):
        assert main(["report", "--db", str(sample_warehouse.db), "--out", out]) == 2
        err = capsys.readouterr().err
        assert "must be a file path" in err and str(folder) in err and "Traceback" not in err
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
