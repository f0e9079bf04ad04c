"""``user-segmentation report``: the stakeholder report, one self-contained HTML file.

It reads the marts (aggregates only: the histograms are counted in SQL, no user row ever
leaves the warehouse), checks that every table comes from the same dbt build (``run_id``),
and renders ``reports/templates/report.html.j2`` with autoescaping on and undefined names
refused. Charts are inline SVG (:mod:`user_segmentation.report_charts`); no script, style
sheet, font or image is loaded from anywhere, so the file opens from disk with no network.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import report_charts as charts
from .report_format import FILTERS, fmt_ari, fmt_int, fmt_pct, fmt_silhouette

TEMPLATES = Path(__file__).resolve().parents[2] / "reports" / "templates"
TEMPLATE = "report.html.j2"

# Every table the report reads, with the columns it uses (a missing one means an older build).
REQUIRED: dict[str, tuple[str, ...]] = {
    "dim_segments": (
        "segment_id",
        "segment_name",
        "segment_description",
        "users",
        "share_of_users",
        "top_traits",
        "top_trait_z_scores",
        "targeting_summary",
        "segmentation_verdict",
        "run_id",
    ),
    "segment_feature_profiles": ("segment_id", "feature", "feature_order", "is_cluster_feature", "z_score", "run_id"),
    "segment_category_profiles": (
        "segment_id",
        "dimension",
        "dimension_order",
        "level",
        "level_order",
        "users",
        "share_in_segment",
        "population_users",
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
    "segmentation_runs": (
        "run_id",
        "run_started_at",
        "run_recorded_at",
        "input",
        "input_rows",
        "valid_users",
        "rejected_rows",
        "config_json",
    ),
    "int_feature_stats": (
        "feature_position",
        "feature",
        "feature_kind",
        "source_column",
        "feature_level",
        "transform",
        "weight",
        "high_label",
        "low_label",
        "mean",
        "sd",
        "run_id",
    ),
    "int_labelled_users": ("run_id", "segment_id"),
    "rejected_user_profiles": ("source_row_number", "rejection_reasons"),
}
# Tables whose rows all carry the run_id of the build that wrote them.
RUN_TABLES = (
    "dim_segments",
    "segment_feature_profiles",
    "segment_category_profiles",
    "segment_interest_affinity",
    "segment_targeting",
    "segmentation_k_selection",
    "int_feature_stats",
    "int_labelled_users",
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
# feature -> (label for people, unit, decimals for its values)
FEATURES: dict[str, tuple[str, str, int]] = {
    "weekly_hours_online": ("Hours online per week", "hours per week", 1),
    "weekday_hours_online": ("Hours online per weekday", "hours per weekday", 1),
    "weekend_hours_online": ("Hours online per weekend day", "hours per weekend day", 1),
    "weekend_share_of_time": ("Weekend share of time", "share of weekly time", 2),
    "likes_and_reactions": ("Likes and reactions", "likes and reactions", 0),
    "followed_accounts": ("Followed accounts", "accounts followed", 0),
    "likes_per_followed_account": ("Likes per followed account", "likes per account", 1),
    "click_through_rate": ("Click-through rate", "clicks per impression (CTR)", 3),
    "conversion_rate": ("Conversion rate", "conversions per click", 3),
    "conversions_per_impression": ("Conversions per impression", "conversions per impression", 4),
    "ad_interaction_seconds": ("Ad interaction time", "seconds", 0),
    "interest_count": ("Interests listed", "interests", 0),
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
HISTOGRAM_BINS = 20
TOP_INTERESTS_PER_SEGMENT = 5


class ReportError(Exception):
    """The report cannot be made; the message says why and what to do."""


# ---------------------------------------------------------------- checks


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    if not db.is_file():
        raise ReportError(f"no warehouse at {db}: run `dbt build` first, or pass --db (or set SEGMENTATION_DB)")
    try:
        # Aggregates only, but over every user: bounded like the build (SEGMENTATION_MEMORY_LIMIT).
        limit = os.environ.get("SEGMENTATION_MEMORY_LIMIT", "1200MB")
        return duckdb.connect(str(db), read_only=True, config={"memory_limit": limit})
    except duckdb.Error as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ReportError(f"cannot open the warehouse {db}: {first} (is a dbt build still running?)") from None


def check_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every required table and column exists, or a ReportError says to run ``dbt build``."""
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
            "the warehouse was built by an older version of the project (missing column "
            + ", ".join(stale)
            + "): run `dbt build` again"
        )


def check_one_run(con: duckdb.DuckDBPyConnection) -> str:
    """The run id shared by every table read; a ReportError names the tables if they differ."""
    runs: dict[str, list[str]] = {}
    empty = []
    for table in RUN_TABLES:
        ids = [row[0] for row in con.execute(f"select distinct run_id from {table}").fetchall()]
        if not ids:
            empty.append(table)
        for run_id in ids:
            runs.setdefault(str(run_id), []).append(table)
    if len(runs) > 1:
        detail = "; ".join(f"run_id {run} in {', '.join(tables)}" for run, tables in runs.items())
        raise ReportError(
            f"the tables come from {len(runs)} different dbt builds ({detail}), probably because a build "
            "stopped part-way: re-run `dbt build`"
        )
    if empty or not runs:
        raise ReportError(f"{', '.join(empty) or 'the marts'} has no rows: run `dbt build` first")
    return next(iter(runs))


# ---------------------------------------------------------------- loading


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[dict]:
    result = con.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _verdict_text(verdict: str, chosen: dict) -> dict:
    """Headline and plain sentences for the verdict, with the figures they rest on."""
    sil, null = fmt_silhouette(chosen["silhouette"]), fmt_silhouette(chosen["null_silhouette"])
    ari = fmt_ari(chosen["stability_ari"])
    evidence = (
        f"With {chosen['k']} segments the silhouette (how well separated the segments are) is {sil}, against "
        f"{null} for the same data with every column shuffled (the null reference); the stability of "
        f"refits on resampled data is {ari} (1 = the same segments every time)."
    )
    if verdict == "none":
        return {
            "headline": "Caution: no natural segments",
            "lead": "This data shows no natural segments: the segments below are an arbitrary partition of "
            "noise, not real groups of users. Do not read them as personas or plan budgets on their "
            "differences; the whole-population view (Data exploration) is the honest summary of this data.",
            "evidence": evidence,
        }
    if verdict == "weak":
        return {
            "headline": "Caution: weak segments",
            "lead": "The data shows only weak structure: the segments are somewhat better separated than "
            "shuffled data, or not fully repeatable. Treat them as a convenient partition for testing "
            "campaigns, not as natural groups of users, and expect them to shift between builds.",
            "evidence": evidence,
        }
    return {
        "headline": "Clear segments",
        "lead": "The data has clear, repeatable segments: K-Means separates them far better than it separates "
        "shuffled data, and refits on resampled data find the same segments.",
        "evidence": evidence,
    }


def _traits(segment: dict) -> list[dict]:
    """The segment's top traits as chips: text and direction (from the z-scores)."""
    names = [t.strip() for t in (segment["top_traits"] or "").split(";") if t.strip()]
    zs = list(segment["top_trait_z_scores"] or [])
    chips = []
    for n, name in enumerate(names):
        z = zs[n] if n < len(zs) and zs[n] is not None else (-1.0 if "\u2212" in name or "(-" in name else 1.0)
        chips.append({"text": name, "up": z >= 0})
    return chips


def _histograms(con: duckdb.DuckDBPyConnection) -> list:
    """One query on int_labelled_users (a stored table; the dim_users view would join three
    relations of every user): equal-width bins per numeric feature, counted in SQL."""
    # One scan for every feature's bounds, then one single-column count per feature: columnar
    # scans, never all features of all users at once (an unpivot costs ~25 s at 10 million).
    bounds = _records(
        con,
        "select "
        + ", ".join(f"min({f})::double as lo_{f}, max({f})::double as hi_{f}" for f in HISTOGRAM_FEATURES)
        + " from int_labelled_users",
    )[0]
    rows = []
    for feature in HISTOGRAM_FEATURES:
        lo, hi = bounds[f"lo_{feature}"], bounds[f"hi_{feature}"]
        if lo is None:
            continue
        rows += _records(
            con,
            f"""
            select ? as feature, ?::double as lo, ?::double as hi,
                coalesce(least(floor(({feature} - ?) / nullif(? - ?, 0) * $bins), $bins - 1), 0)::integer as bin,
                count(*) as users
            from int_labelled_users group by bin order by bin""".replace("$bins", str(HISTOGRAM_BINS)),
            [feature, lo, hi, lo, hi, lo],
        )
    out = []
    for feature in HISTOGRAM_FEATURES:
        mine = [r for r in rows if r["feature"] == feature]
        if not mine:
            continue
        lo, hi = mine[0]["lo"], mine[0]["hi"]
        step = (hi - lo) / HISTOGRAM_BINS
        counts = {r["bin"]: r["users"] for r in mine}
        bins = [
            {"low": lo + b * step, "high": lo + (b + 1) * step, "users": counts.get(b, 0)}
            for b in range(HISTOGRAM_BINS if step else 1)
        ]
        if not step:
            bins[0]["users"] = sum(counts.values())
        label, unit, decimals = FEATURES[feature]
        out.append(charts.histogram(f"hist-{feature}", label, unit, bins, decimals))
    return out


def load(con: duckdb.DuckDBPyConnection, min_cell_users: int) -> dict:
    """Everything the template shows, as plain values and ready-made SVG charts."""
    run_id = check_one_run(con)
    runs = _records(con, "select * from segmentation_runs where run_id = ?", [run_id])
    if not runs:
        raise ReportError(f"segmentation_runs has no row for build {run_id}: re-run `dbt build`")
    run = runs[0]
    segments = _records(con, "select * from dim_segments order by segment_id")
    k_rows = _records(con, "select * from segmentation_k_selection order by k")
    chosen = next((r for r in k_rows if r["chosen"]), None)
    if chosen is None:
        raise ReportError("segmentation_k_selection marks no chosen k: re-run `dbt build`")
    for s in segments:
        s["colour"] = charts.segment_colour(s["segment_id"])
        s["traits"] = _traits(s)
    names = {s["segment_id"]: s["segment_name"] for s in segments}

    stats = _records(con, "select * from int_feature_stats order by feature_position")
    for f in stats:
        label, _, decimals = FEATURES.get(f["source_column"] or f["feature"], (f["feature"], "", 3))
        if f["feature_kind"] != "numeric" and f["feature_level"] is not None:
            label = f"{label} = {f['feature_level']}"
        f["label"], f["decimals"] = label, decimals

    profiles = _records(
        con,
        "select segment_id, feature, z_score from segment_feature_profiles where is_cluster_feature "
        "order by feature_order",
    )
    heat_features = []
    for p in profiles:
        if p["feature"] not in [f["feature"] for f in heat_features]:
            heat_features.append({"feature": p["feature"], "label": FEATURES.get(p["feature"], (p["feature"],))[0]})
    cells = {(p["segment_id"], p["feature"]): p["z_score"] for p in profiles}

    categories = _records(con, "select * from segment_category_profiles order by dimension_order, level_order")
    demographics, population_charts = [], []
    for dimension, label in DIMENSIONS.items():
        rows = [c for c in categories if c["dimension"] == dimension]
        if not rows:
            continue
        levels = [lv for _, lv in sorted({(c["level_order"], c["level"]) for c in rows})]
        population = {c["level"]: c for c in rows}  # the population columns repeat on every segment
        groups = [
            {
                "label": "Population",
                "population": True,
                "cells": {
                    lv: (c["population_share"], c["population_users"], c["population_users"] < min_cell_users)
                    for lv, c in population.items()
                },
            }
        ]
        for s in segments:
            groups.append(
                {
                    "label": s["segment_name"],
                    "colour": s["colour"],
                    "cells": {
                        c["level"]: (c["share_in_segment"], c["users"], bool(c["is_small_cell"]))
                        for c in rows
                        if c["segment_id"] == s["segment_id"]
                    },
                }
            )
        demographics.append(charts.stacked_bars(label, levels, groups, min_cell_users))
        population_charts.append(
            charts.ranked_bars(
                f"population-{dimension}",
                label,
                [
                    (lv, population[lv]["population_share"], fmt_pct(population[lv]["population_share"]))
                    if population[lv]["population_users"] >= min_cell_users
                    else (lv, 0.0, f"fewer than {min_cell_users} users")
                    for lv in levels
                ],
            )
        )

    interests = _records(con, "select * from segment_interest_affinity order by segment_id, rank_in_segment")
    top_interests = []
    for s in segments:
        shown = [i for i in interests if i["segment_id"] == s["segment_id"] and not i["is_small_cell"]]
        top_interests.append({"segment": s, "rows": shown[:TOP_INTERESTS_PER_SEGMENT]})
    index_peak = max((i["index_vs_population"] or 0 for t in top_interests for i in t["rows"]), default=100) or 100
    suppressed = sum(1 for i in interests if i["is_small_cell"] and i["users"] > 0)
    overall = _records(
        con,
        """
        select interest, any_value(population_users) as users, any_value(population_share) as share
        from segment_interest_affinity group by interest
        having any_value(population_users) >= ?
        order by users desc, interest limit 10""",
        [min_cell_users],
    )

    targeting = _records(con, "select * from segment_targeting order by segment_id, recommendation_order")
    groups: dict[int, list[dict]] = {}
    for t in targeting:
        groups.setdefault(t["segment_id"], []).append(t)
    targeting_groups = [
        {"segment": s, "rows": groups.get(s["segment_id"], [])} for s in segments if groups.get(s["segment_id"])
    ]

    rejected = _records(
        con,
        """
        select reason.code as code, reason."column" as column_name, count(distinct source_row_number) as rows_
        from (select source_row_number, unnest(rejection_reasons) as reason from rejected_user_profiles)
        group by all order by rows_ desc, code, column_name""",
    )
    rejected_total = con.execute("select count(*) from rejected_user_profiles").fetchone()[0]

    verdict = chosen["verdict"] or run.get("verdict") or "none"
    started, recorded = _utc(run["run_started_at"]), _utc(run["run_recorded_at"])
    try:
        config = json.loads(run["config_json"]) if run["config_json"] else {}
    except ValueError:
        config = {}
    return {
        "run": run,
        "run_id": run_id,
        "data_as_of": started.strftime("%Y-%m-%d") if started else "\u2013",
        "built_at": (recorded or started).strftime("%Y-%m-%d %H:%M UTC") if (recorded or started) else "\u2013",
        "segments": segments,
        "segment_names": names,
        "stats": stats,
        "k_rows": k_rows,
        "chosen": chosen,
        "verdict": verdict,
        "verdict_text": _verdict_text(verdict, chosen),
        "config": config,
        "targeting_groups": targeting_groups,
        "top_interests": top_interests,
        "index_peak": max(index_peak, 200),
        "suppressed_interest_cells": suppressed,
        "top10": overall,
        "rejected": rejected,
        "rejected_total": rejected_total,
        "min_cell_users": min_cell_users,
        "css": stylesheet(),
        "chart_css": charts.chart_css(),
        "charts": {
            "sizes": charts.size_bars(segments),
            "heatmap": charts.heatmap(segments, heat_features, cells) if heat_features else None,
            "demographics": demographics,
            "population": population_charts,
            "histograms": _histograms(con),
            "top10": charts.ranked_bars(
                "top10-interests",
                "Top 10 interests of all users",
                [(r["interest"], r["share"], f"{fmt_pct(r['share'])} · {fmt_int(r['users'])} users") for r in overall],
                wide=True,
            ),
            "k_selection": charts.k_selection_chart(k_rows),
        },
    }


# ---------------------------------------------------------------- rendering


def stylesheet() -> Markup:
    """reports/templates/report.css with comments and runs of whitespace removed."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", re.sub(r"\s+", " ", css))
    return Markup(css.strip())


def environment() -> Environment:
    """Jinja with HTML autoescaping, undefined names refused, the number filters registered."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_report(db: Path, out: Path, *, min_cell_users: int = 10) -> Path:
    """Render the report for the warehouse ``db`` into ``out`` (one HTML file); ReportError if it cannot.

    Cells (segment x level, segment x interest) with fewer than ``min_cell_users`` users are
    suppressed, matching the project's ``min_cell_users`` variable (default 10).
    """
    db, out = Path(db), Path(out)
    con = _connect(db)
    try:
        check_tables(con)
        data = load(con, min_cell_users)
    except duckdb.Error as err:
        raise ReportError(f"cannot read the warehouse {db}: {str(err).splitlines()[0]}: re-run `dbt build`") from None
    finally:
        con.close()
    data["rendered_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = environment().get_template(TEMPLATE).render(**data)
    html = re.sub(r"\n[ \t]+", "\n", html)  # indentation only: no <pre> in the report
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    partial.write_text(html, encoding="utf-8")
    partial.replace(out)
    return out
