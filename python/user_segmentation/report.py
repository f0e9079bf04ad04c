"""``user-segmentation report``: the stakeholder report, one self-contained HTML file.

It reads the marts (aggregates only; histograms are computed in SQL, no user row leaves the
warehouse), checks that every table comes from the same dbt build (their ``run_id``), and
renders ``reports/templates/report.html.j2`` with autoescaping on. Charts are inline SVG
(:mod:`user_segmentation.report_charts`); no script, style sheet, font or image is loaded
from anywhere, so the file opens from disk with no network.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import report_charts as charts
from .report_format import fmt_index, fmt_int, fmt_number, fmt_pct, fmt_z

TEMPLATES = Path(__file__).resolve().parents[2] / "reports" / "templates"

# Every table the report reads, with the columns it needs (a missing one means an old build).
REQUIRED: dict[str, tuple[str, ...]] = {
    "dim_segments": (
        "segment_id",
        "segment_name",
        "segment_description",
        "users",
        "share_of_users",
        "top_traits",
        "targeting_summary",
        "segmentation_verdict",
        "run_id",
    ),
    "segment_feature_profiles": (
        "segment_id",
        "feature",
        "is_cluster_feature",
        "segment_mean",
        "z_score",
        "index_vs_population",
        "population_mean",
        "run_id",
    ),
    "segment_category_profiles": (
        "segment_id",
        "dimension",
        "dimension_order",
        "level",
        "level_order",
        "users",
        "share_in_segment",
        "population_share",
        "is_small_cell",
        "run_id",
    ),
    "segment_interest_affinity": (
        "segment_id",
        "interest",
        "users",
        "share_in_segment",
        "population_users",
        "population_share",
        "index_vs_population",
        "is_small_cell",
        "rank_in_segment",
        "run_id",
    ),
    "segment_targeting": (
        "segment_id",
        "recommendation_kind",
        "recommendation_order",
        "recommendation",
        "evidence",
        "run_id",
    ),
    "segmentation_k_selection": (
        "k",
        "silhouette",
        "null_silhouette",
        "silhouette_gap",
        "stability_ari",
        "verdict",
        "chosen",
        "k_mode",
        "choice_rule",
        "run_id",
    ),
    "segmentation_runs": ("run_id", "run_started_at", "input", "input_rows", "valid_users", "rejected_rows"),
    "int_feature_stats": (
        "feature",
        "feature_kind",
        "transform",
        "weight",
        "high_label",
        "low_label",
        "run_id",
    ),
    "dim_users": ("run_id",),
    "rejected_user_profiles": ("rejection_reasons",),
}
RUN_TABLES = (
    "dim_segments",
    "segment_feature_profiles",
    "segment_category_profiles",
    "segment_interest_affinity",
    "segment_targeting",
    "segmentation_k_selection",
    "int_feature_stats",
    "dim_users",
)
DIMENSIONS = {
    "age": "Age",
    "gender": "Gender",
    "location": "Location",
    "language": "Language",
    "education_level": "Education",
    "device_usage": "Device",
    "income_level": "Income",
}
FEATURE_LABELS = {
    "weekly_hours_online": "Hours online / week",
    "weekday_hours_online": "Hours / weekday",
    "weekend_hours_online": "Hours / weekend day",
    "weekend_share_of_time": "Weekend share of time",
    "likes_and_reactions": "Likes & reactions",
    "followed_accounts": "Followed accounts",
    "likes_per_followed_account": "Likes per follow",
    "click_through_rate": "Click-through rate",
    "conversion_rate": "Conversion rate",
    "conversions_per_impression": "Conversions / impression",
    "ad_interaction_seconds": "Ad interaction (s)",
    "interest_count": "Interests listed",
}
HISTOGRAM_FEATURES = (
    "weekday_hours_online",
    "weekend_hours_online",
    "likes_and_reactions",
    "followed_accounts",
    "click_through_rate",
    "conversion_rate",
    "ad_interaction_seconds",
)
VERDICT_WORDS = {
    "clear": "The data has clear, repeatable segments: K-Means separates them far better than it separates "
    "shuffled data, and refits on resampled data find the same partition.",
    "weak": "The data shows only weak structure: the segments are somewhat better separated than in shuffled "
    "data. Treat them as a convenient partition, not as natural groups.",
    "none": "This data shows no natural segments: K-Means separates it no better than the same data with every "
    "column shuffled. The segments below are an arbitrary partition of noise; do not read them as "
    "personas.",
}


class ReportError(Exception):
    """The report cannot be made; the message says why and what to do."""


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    if not db.exists():
        raise ReportError(f"no warehouse at {db}: run `dbt build` first (or pass --db)")
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as err:
        raise ReportError(f"cannot open the warehouse {db}: {str(err).splitlines()[0]}") from None


def check_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every required table and column exists, or a ReportError says to run dbt build."""
    found: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'main'"
    ).fetchall():
        found.setdefault(table, set()).add(column)
    missing = [table for table in REQUIRED if table not in found]
    if missing:
        raise ReportError(
            "the warehouse has no " + ", ".join(missing) + ": run `dbt build` first (from the project root)"
        )
    stale = [f"{t}.{c}" for t, cols in REQUIRED.items() for c in cols if c not in found[t]]
    if stale:
        raise ReportError(
            "the warehouse was built by an older version (missing " + ", ".join(stale) + "): run `dbt build` again"
        )


def check_one_run(con: duckdb.DuckDBPyConnection) -> str:
    """The run id shared by every table read; a ReportError names them if they differ."""
    runs: dict[str, list[str]] = {}
    for table in RUN_TABLES:
        for (run_id,) in con.execute(f"select distinct run_id from {table}").fetchall():
            runs.setdefault(str(run_id), []).append(table)
    if len(runs) != 1:
        detail = "; ".join(f"run {run}: {', '.join(tables)}" for run, tables in runs.items()) or "no rows"
        raise ReportError(
            "the tables come from different dbt builds ("
            + detail
            + "), probably because a build stopped part-way: run `dbt build` again"
        )
    return next(iter(runs))


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def load(con: duckdb.DuckDBPyConnection, min_cell_users: int) -> dict:
    """Everything the template shows, as plain values."""
    run_id = check_one_run(con)
    run = _records(con, f"select * from segmentation_runs where run_id = '{run_id}'")
    if not run:
        raise ReportError(f"segmentation_runs has no row for build {run_id}: run `dbt build` again")
    run = run[0]
    segments = _records(con, "select * from dim_segments order by segment_id")
    for s in segments:
        s["colour"] = charts.segment_colour(s["segment_id"])
    stats = _records(con, "select * from int_feature_stats order by feature_position")
    k_rows = _records(con, "select * from segmentation_k_selection order by k")
    chosen = next(r for r in k_rows if r["chosen"])
    profiles = _records(con, "select * from segment_feature_profiles order by segment_id, feature_order")
    categories = _records(con, "select * from segment_category_profiles order by dimension_order, level_order")
    interests = _records(con, "select * from segment_interest_affinity order by segment_id, rank_in_segment")
    targeting = _records(con, "select * from segment_targeting order by segment_id, recommendation_order")
    rejected = _records(
        con,
        """
        select reason.code as code, reason."column" as column_name, count(*) as reasons,
               count(distinct source_row_number) as rows_
        from (select source_row_number, unnest(rejection_reasons) as reason from rejected_user_profiles)
        group by all order by reasons desc, code, column_name""",
    )

    heat_features = [
        {"feature": p["feature"], "label": FEATURE_LABELS.get(p["feature"], p["feature"])}
        for p in profiles
        if p["segment_id"] == segments[0]["segment_id"] and p["is_cluster_feature"]
    ]
    cells = {(p["segment_id"], p["feature"]): p["z_score"] for p in profiles}

    demographics = []
    for dimension, label in DIMENSIONS.items():
        rows = [c for c in categories if c["dimension"] == dimension]
        levels = sorted({(c["level_order"], c["level"]) for c in rows})
        population = {
            "label": "Population",
            "population": True,
            "shares": {c["level"]: (c["population_share"], 10**9) for c in rows},
        }
        groups = [population] + [
            {
                "label": s["segment_name"],
                "shares": {
                    c["level"]: (c["share_in_segment"], c["users"]) for c in rows if c["segment_id"] == s["segment_id"]
                },
            }
            for s in segments
        ]
        demographics.append(charts.stacked_bars(label, groups, [lv for _, lv in levels], min_cell_users))

    top_interests = {
        s["segment_id"]: [i for i in interests if i["segment_id"] == s["segment_id"] and not i["is_small_cell"]][:5]
        for s in segments
    }
    suppressed = sum(1 for i in interests if i["is_small_cell"] and i["users"] > 0)
    overall = {}
    for i in interests:
        overall[i["interest"]] = i["population_users"]
    top10 = sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    valid = run["valid_users"] or 1

    histograms = []
    for feature in HISTOGRAM_FEATURES:
        bins = _records(
            con,
            f"""
            with bounds as (select min({feature}) as lo, max({feature}) as hi from dim_users),
            binned as (
                select least(floor(({feature} - lo) / nullif(hi - lo, 0) * 20), 19)::integer as bin
                from dim_users, bounds)
            select bin, count(*) as users, any_value(lo) as lo, any_value(hi) as hi
            from binned, bounds group by bin order by bin""",
        )
        if bins:
            lo, hi = bins[0]["lo"], bins[0]["hi"]
            step = (hi - lo) / 20 if hi != lo else 0
            shaped = [
                {
                    "low": lo + (b["bin"] or 0) * step,
                    "high": lo + ((b["bin"] or 0) + 1) * step,
                    "users": b["users"],
                }
                for b in bins
            ]
            histograms.append(charts.histogram(FEATURE_LABELS.get(feature, feature), shaped))

    population_demographics = []
    for dimension, label in DIMENSIONS.items():
        rows = {
            c["level"]: c
            for c in categories
            if c["dimension"] == dimension and c["segment_id"] == segments[0]["segment_id"]
        }
        ordered = sorted(rows.values(), key=lambda c: c["level_order"])
        population_demographics.append(
            charts.ranked_bars(
                f"{label} of all users",
                [(c["level"], c["population_share"], fmt_pct(c["population_share"])) for c in ordered],
                "#56B4E9",
            )
        )

    return {
        "run": run,
        "run_id": run_id,
        "segments": segments,
        "stats": stats,
        "k_rows": k_rows,
        "chosen": chosen,
        "verdict": chosen["verdict"],
        "verdict_words": VERDICT_WORDS[chosen["verdict"]],
        "config": json.loads(run["config_json"]) if run.get("config_json") else {},
        "targeting": targeting,
        "top_interests": top_interests,
        "suppressed_interest_cells": suppressed,
        "rejected": rejected,
        "min_cell_users": min_cell_users,
        "charts": {
            "sizes": charts.size_bars(segments),
            "heatmap": charts.heatmap(segments, heat_features, cells) if heat_features else None,
            "demographics": demographics,
            "k_selection": charts.k_selection_chart(k_rows),
            "histograms": histograms,
            "population_demographics": population_demographics,
            "top10": charts.ranked_bars(
                "Top 10 interests of all users",
                [(name, users / valid, fmt_pct(users / valid)) for name, users in top10],
            ),
        },
    }


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(int=fmt_int, pct=fmt_pct, z=fmt_z, num=fmt_number, index=fmt_index)
    return env


def render_report(db: Path, out: Path, min_cell_users: int = 10) -> Path:
    """Render the report for the warehouse ``db`` into ``out``; ReportError if it cannot."""
    started = time.perf_counter()
    con = _connect(Path(db))
    try:
        check_tables(con)
        data = load(con, min_cell_users)
    finally:
        con.close()
    data["built_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = environment().get_template("report.html.j2").render(**data)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    data["render_seconds"] = time.perf_counter() - started
    return out
