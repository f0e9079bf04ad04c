"""``user-segmentation report``: the stakeholder report, one self-contained HTML file.

It reads the marts with the named queries of :mod:`user_segmentation.report_queries` (bound
parameters; aggregates only: the histograms are counted in SQL, no user row ever leaves the
warehouse), checks that every table comes from the same dbt build (``run_id``), takes every
threshold from that build's settings (``segmentation_runs.settings_json``) and every label from
the one declaration (:mod:`user_segmentation.input_format`), and renders
``reports/templates/report.html.j2`` with autoescaping on and undefined names refused. Charts
are computed as data (:mod:`user_segmentation.report_charts`) and drawn as inline SVG by the
macros of ``charts.html.j2``; no script, style sheet, font or image is loaded from anywhere, so
the file opens from disk with no network.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import report_charts as charts
from . import report_queries as queries
from .input_format import DIMENSIONS, FeatureLabel, feature_label
from .report_format import FILTERS, fmt_ari, fmt_int, fmt_pct, fmt_silhouette

__all__ = [
    "ACTIVITY_FIGURES",
    "ACTIVITY_LOGS",
    "REQUIRED",
    "RUN_TABLES",
    "TEMPLATE",
    "TEMPLATES",
    "THRESHOLDS",
    "VERDICTS",
    "ReportError",
    "check_one_run",
    "check_tables",
    "connect",
    "environment",
    "load",
    "load_activity",
    "load_charts",
    "load_demographics",
    "load_feature_stats",
    "load_heatmap",
    "load_histograms",
    "load_feature_relevance",
    "load_k_selection",
    "load_rejected",
    "load_run",
    "load_segment_interests",
    "load_segments",
    "load_settings",
    "load_targeting",
    "load_top_interests_of_all_users",
    "render_report",
]

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
        "segmentation_verdict",
        "run_id",
    ),
    "segment_feature_profiles": (
        "segment_id",
        "feature",
        "feature_order",
        "is_cluster_feature",
        "z_score",
        "segment_mean",
        "population_mean",
        "index_vs_population",
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
        "dropped_features",
        "feature_rule",
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
        "settings_json",
    ),
    "segmentation_features": (
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
    "segmentation_feature_histograms": ("feature", "feature_order", "bin", "bin_low", "bin_high", "users", "run_id"),
    "segmentation_feature_relevance": (
        "k",
        "feature",
        "explained_share",
        "null_explained_share",
        "explained_by_other_features",
        "chance_share",
        "carries_segments",
        "is_clustered",
        "is_chosen_k",
        "run_id",
    ),
    "rejected_user_profiles": ("source_row_number", "rejection_reasons"),
    "segment_rules": ("segment_id", "rule_text", "rule_precision", "rule_recall", "users_covered", "is_low_fidelity"),
    "segmentation_changes": (
        "run_id",
        "users_in_both",
        "users_moved",
        "moved_share",
        "new_users",
        "departed_users",
        "max_drift_sd",
        "verdict",
    ),
    "segment_transitions": ("run_id", "previous_segment_id", "segment_id", "movement", "users"),
    "segment_centroid_drift": ("run_id", "previous_run_id", "segment_id", "feature", "drift_sd"),
    "segment_activity_hours": (
        "run_id",
        "segment_id",
        "local_weekday",
        "local_hour",
        "events",
        "share_of_segment_events",
    ),
    "segmentation_activity_reconciliation": (
        "activity_log",
        "input_path",
        "rows_in_file",
        "valid_rows",
        "rejected_rows",
        "unknown_user_rows",
        "unknown_users",
        "rows_after_as_of",
        "counted_rows",
        "profile_users_with_rows",
        "profile_users_without_rows",
    ),
    "rejected_interactions": ("source_row_number", "rejection_reasons"),
    "rejected_transactions": ("source_row_number", "rejection_reasons"),
}
# Tables whose rows all carry the run_id of the build that wrote them.
RUN_TABLES = (
    "dim_segments",
    "segment_feature_profiles",
    "segment_category_profiles",
    "segment_interest_affinity",
    "segment_targeting",
    "segmentation_k_selection",
    "segmentation_features",
    "segmentation_feature_histograms",
    "segmentation_feature_relevance",
    "segment_rules",
)
# The activity logs as the report names them: log -> (one record, several, the log).
ACTIVITY_LOGS = {
    "interactions": ("event", "events", "Event log"),
    "transactions": ("order", "orders", "Order log"),
}
# The Activity section's figures, in its columns' order: feature, RFM letter's name (None: the
# feature's own label), and the log it needs.
ACTIVITY_FIGURES = (
    ("days_since_last_order", "Recency", "transactions"),
    ("orders", "Frequency", "transactions"),
    ("monetary_value", "Monetary", "transactions"),
    ("average_order_value", None, "transactions"),
    ("days_since_last_event", None, "interactions"),
    ("active_days", None, "interactions"),
)
TOP_INTERESTS_PER_SEGMENT = 5
TOP_INTERESTS_OF_ALL_USERS = 10
# The build's settings the report uses and shows (segmentation_runs.settings_json of its run).
THRESHOLDS = ("min_cell_users", "interest_index_threshold", "min_segment_share", "report_top_traits")
# Headline and lead sentence per verdict of the chosen k (anything else reads as clear).
VERDICTS = {
    "none": {
        "headline": "Caution: no natural segments",
        "lead": "This data shows no natural segments: the segments below are an arbitrary partition of "
        "noise, not real groups of users. Do not read them as personas or plan budgets on their "
        "differences; the whole-population view (Data exploration) is the honest summary of this data.",
    },
    "weak": {
        "headline": "Caution: weak segments",
        "lead": "The data shows only weak structure: the segments are somewhat better separated than "
        "shuffled data, or not fully repeatable. Treat them as a convenient partition for testing "
        "campaigns, not as natural groups of users, and expect them to shift between builds.",
    },
    "clear": {
        "headline": "Clear segments",
        "lead": "The data has clear, repeatable segments: K-Means separates them far better than it separates "
        "shuffled data, and refits on resampled data find the same segments.",
    },
}


class ReportError(Exception):
    """The report cannot be made; the message says why and what to do."""


# ---------------------------------------------------------------- checks


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    """The published warehouse ``db`` opened read-only (memory bounded like the build), or a ReportError."""
    if not db.is_file():
        raise ReportError(f"no warehouse at {db}: run `dbt build` first, or pass --db (or set SEGMENTATION_DB)")
    with db.open("rb") as handle:
        magic = handle.read(12)[8:12]  # a DuckDB database file has "DUCK" at bytes 8-11
    if magic != b"DUCK":
        raise ReportError(
            f"{db} is not a DuckDB warehouse: pass the database file `dbt build` wrote with --db "
            "(default warehouse/segmentation.duckdb, or SEGMENTATION_DB), not an input file"
        )
    try:
        # Aggregates only, but over every user: bounded like the build (SEGMENTATION_MEMORY_LIMIT).
        limit = os.environ.get("SEGMENTATION_MEMORY_LIMIT", "1200MB")
        return duckdb.connect(str(db), read_only=True, config={"memory_limit": limit})
    except duckdb.Error as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ReportError(f"cannot open the warehouse {db}: {first} (is a dbt build still running?)") from None


def check_tables(
    con: duckdb.DuckDBPyConnection, required: dict[str, tuple[str, ...]] = REQUIRED
) -> dict[str, set[str]]:
    """Every ``required`` table and column exists, or a ReportError says to run ``dbt build``.

    Returns the columns of every table in the warehouse (by table name).
    """
    found: dict[str, set[str]] = {}
    for table, column in con.execute(queries.TABLE_COLUMNS).fetchall():
        found.setdefault(table, set()).add(column)
    missing = [table for table in required if table not in found]
    if missing:
        raise ReportError(
            "the warehouse has no " + ", ".join(missing) + ": run `dbt build` first (from the project root)"
        )
    stale = [f"{t}.{c}" for t, cols in required.items() for c in cols if c not in found[t]]
    if stale:
        raise ReportError(
            "the warehouse was built by an older version of the project (missing column "
            + ", ".join(stale)
            + "): run `dbt build` again"
        )
    return found


def check_one_run(
    con: duckdb.DuckDBPyConnection, query: str = queries.RUN_IDS, tables: tuple[str, ...] = RUN_TABLES
) -> str:
    """The run id shared by every table read; a ReportError names the tables if they differ.

    ``query`` yields (table name, run id) rows, and every one of ``tables`` must yield one: the
    report's tables by default; the audience export passes its own.
    """
    runs: dict[str, list[str]] = {}
    for table, run_id in con.execute(query).fetchall():
        runs.setdefault(str(run_id), []).append(table)
    if len(runs) > 1:
        detail = "; ".join(f"run_id {run} in {', '.join(tables)}" for run, tables in runs.items())
        raise ReportError(
            f"the tables come from {len(runs)} different dbt builds ({detail}), probably because a build "
            "stopped part-way: re-run `dbt build`"
        )
    filled = {table for tables in runs.values() for table in tables}
    empty = [table for table in tables if table not in filled]
    if empty or not runs:
        raise ReportError(f"{', '.join(empty) or 'the marts'} has no rows: run `dbt build` first")
    return next(iter(runs))


# ---------------------------------------------------------------- loading


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    """The rows of a named query (bound ``$name`` parameters) as dicts."""
    result = con.execute(sql, params or {})
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def load_run(con: duckdb.DuckDBPyConnection, run_id: str) -> dict:
    """The segmentation_runs row of the build every table comes from."""
    runs = _records(con, queries.RUN, {"run_id": run_id})
    if not runs:
        raise ReportError(f"segmentation_runs has no row for build {run_id}: re-run `dbt build`")
    return runs[0]


def load_settings(run: dict) -> dict:
    """The settings the build used (``settings_json`` of its run), with every threshold the report needs."""
    try:
        settings = json.loads(run["settings_json"]) if run["settings_json"] else None
    except ValueError:
        settings = None
    if not isinstance(settings, dict):
        raise ReportError(f"segmentation_runs has no settings for build {run['run_id']}: re-run `dbt build`")
    missing = [name for name in THRESHOLDS if settings.get(name) is None]
    if missing:
        raise ReportError(
            f"the settings of build {run['run_id']} lack {', '.join(missing)} (an older build): re-run `dbt build`"
        )
    return settings


def _build_times(run: dict) -> tuple[str, str]:
    """When the data is from (the build's start, a date) and when it was built (UTC)."""
    started, recorded = _utc(run["run_started_at"]), _utc(run["run_recorded_at"])
    built = recorded or started
    return (
        started.strftime("%Y-%m-%d") if started else "\u2013",
        built.strftime("%Y-%m-%d %H:%M UTC") if built else "\u2013",
    )


def _verdict_text(verdict: str, chosen: dict) -> dict:
    """Headline and plain sentences for the verdict, with the figures they rest on."""
    sil, null = fmt_silhouette(chosen["silhouette"]), fmt_silhouette(chosen["null_silhouette"])
    ari = fmt_ari(chosen["stability_ari"])
    evidence = (
        f"With {chosen['k']} segments the silhouette (how well separated the segments are) is {sil}, against "
        f"{null} for the same data with every column shuffled (the null reference); the stability of "
        f"refits on resampled data is {ari} (1 = the same segments every time)."
    )
    return {**VERDICTS.get(verdict, VERDICTS["clear"]), "evidence": evidence}


def _traits(segment: dict) -> list[dict]:
    """The segment's top traits as chips: text and direction (from the z-scores)."""
    names = [t.strip() for t in (segment["top_traits"] or "").split(";") if t.strip()]
    zs = list(segment["top_trait_z_scores"] or [])
    chips = []
    for n, name in enumerate(names):
        z = zs[n] if n < len(zs) and zs[n] is not None else (-1.0 if "\u2212" in name or "(-" in name else 1.0)
        chips.append({"text": name, "up": z >= 0})
    return chips


def load_segments(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """dim_segments, each with its colour and its top traits as chips."""
    segments = _records(con, queries.SEGMENTS)
    for s in segments:
        s["colour"] = charts.segment_colour(s["segment_id"])
        s["traits"] = _traits(s)
    return segments


def load_k_selection(con: duckdb.DuckDBPyConnection) -> tuple[list[dict], dict]:
    """Every k tried and the chosen one."""
    k_rows = _records(con, queries.K_SELECTION)
    chosen = next((r for r in k_rows if r["chosen"]), None)
    if chosen is None:
        raise ReportError("segmentation_k_selection marks no chosen k: re-run `dbt build`")
    return k_rows, chosen


# A feature "defines" the segments when they explain at least this share of its variance.
DEFINING_SHARE = 0.10


def load_feature_relevance(con: duckdb.DuckDBPyConnection) -> dict:
    """For the chosen k: the features that differ between segments, those that do not, and the
    ones the k sweep dropped as noise, with their labels and shares."""
    rows = _records(con, queries.FEATURE_RELEVANCE)
    for row in rows:
        row["label"] = _feature_label(row["feature"]).label
    used = [r for r in rows if r["is_clustered"]]
    return {
        "defining": [r for r in used if r["carries_segments"] and r["explained_share"] >= DEFINING_SHARE],
        "flat": [r for r in used if not (r["carries_segments"] and r["explained_share"] >= DEFINING_SHARE)],
        "dropped": [r for r in rows if not r["is_clustered"]],
        "none_carry": not any(r["carries_segments"] for r in rows),
    }


def _feature_label(feature: str) -> FeatureLabel:
    """The declared label of a feature, or its name if the catalogue has none."""
    return feature_label(feature)


def load_feature_stats(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The clustering features with their weights, means and SDs, labelled for people."""
    stats = _records(con, queries.FEATURE_STATS)
    for f in stats:
        declared = _feature_label(f["source_column"] or f["feature"])
        label = declared.label
        if f["feature_kind"] != "numeric" and f["feature_level"] is not None:
            label = f"{label} = {f['feature_level']}"
        f["label"], f["decimals"] = label, declared.decimals
    return stats


def load_heatmap(con: duckdb.DuckDBPyConnection, segments: list[dict]) -> charts.Chart | None:
    """The z-score of every segment on every clustering feature, as a heatmap (None without features)."""
    profiles = _records(con, queries.CLUSTER_FEATURE_PROFILES)
    features = list(dict.fromkeys(p["feature"] for p in profiles))
    if not features:
        return None
    columns = [{"feature": f, "label": _feature_label(f).label} for f in features]
    cells = {(p["segment_id"], p["feature"]): p["z_score"] for p in profiles}
    return charts.heatmap(segments, columns, cells)


def _population_group(population: dict[str, dict], min_cell_users: int) -> dict:
    """The all-users bar of a dimension: share, users and whether the cell is too small, per level."""
    return {
        "label": "Population",
        "population": True,
        "cells": {
            level: (c["population_share"], c["population_users"], c["population_users"] < min_cell_users)
            for level, c in population.items()
        },
    }


def _segment_group(segment: dict, rows: list[dict]) -> dict:
    """One segment's bar of a dimension (small cells flagged by the build)."""
    mine = [c for c in rows if c["segment_id"] == segment["segment_id"]]
    return {
        "label": segment["segment_name"],
        "colour": segment["colour"],
        "cells": {c["level"]: (c["share_in_segment"], c["users"], bool(c["is_small_cell"])) for c in mine},
    }


def _population_bars(dimension: str, label: str, levels: list[str], population: dict, min_cell_users: int):
    """Share of all users per level of a dimension; levels with too few users show no figure."""
    items = [
        (lv, population[lv]["population_share"], fmt_pct(population[lv]["population_share"]))
        if population[lv]["population_users"] >= min_cell_users
        else (lv, 0.0, f"fewer than {min_cell_users} users")
        for lv in levels
    ]
    return charts.ranked_bars(f"population-{dimension}", label, items)


def load_demographics(con: duckdb.DuckDBPyConnection, segments: list[dict], min_cell_users: int) -> tuple[list, list]:
    """Per dimension: the stacked bars (all users, then each segment) and the all-users ranked bars."""
    categories = _records(con, queries.CATEGORY_PROFILES)
    stacked, population_charts = [], []
    for dimension, label in DIMENSIONS.items():
        rows = [c for c in categories if c["dimension"] == dimension]
        if not rows:
            continue
        levels = [lv for _, lv in sorted({(c["level_order"], c["level"]) for c in rows})]
        population = {c["level"]: c for c in rows}  # the population columns repeat on every segment
        groups = [_population_group(population, min_cell_users), *(_segment_group(s, rows) for s in segments)]
        stacked.append(charts.stacked_bars(label, levels, groups, min_cell_users))
        population_charts.append(_population_bars(dimension, label, levels, population, min_cell_users))
    return stacked, population_charts


def load_segment_interests(con: duckdb.DuckDBPyConnection, segments: list[dict]) -> dict:
    """Each segment's top interests (small cells left out), the index scale, and how many were left out."""
    interests = _records(con, queries.INTEREST_AFFINITY)
    top = []
    for s in segments:
        shown = [i for i in interests if i["segment_id"] == s["segment_id"] and not i["is_small_cell"]]
        top.append({"segment": s, "rows": shown[:TOP_INTERESTS_PER_SEGMENT]})
    peak = max((i["index_vs_population"] or 0 for t in top for i in t["rows"]), default=100) or 100
    return {
        "top_interests": top,
        "index_peak": max(peak, 200),
        "suppressed_interest_cells": sum(1 for i in interests if i["is_small_cell"] and i["users"] > 0),
    }


def load_top_interests_of_all_users(con: duckdb.DuckDBPyConnection, min_cell_users: int) -> list[dict]:
    """The ten most common interests of all users (each held by at least ``min_cell_users``)."""
    params = {"min_cell_users": min_cell_users, "limit": TOP_INTERESTS_OF_ALL_USERS}
    return _records(con, queries.TOP_INTERESTS_OF_ALL_USERS, params)


def load_targeting(con: duckdb.DuckDBPyConnection, segments: list[dict]) -> list[dict]:
    """The recommendations of each segment that has any, in the segments' order."""
    by_segment: dict[int, list[dict]] = {}
    for t in _records(con, queries.TARGETING):
        by_segment.setdefault(t["segment_id"], []).append(t)
    return [{"segment": s, "rows": by_segment[s["segment_id"]]} for s in segments if by_segment.get(s["segment_id"])]


def load_rejected(con: duckdb.DuckDBPyConnection) -> dict:
    """Rejected input rows counted by reason and column, and in all (never the rows themselves)."""
    return {
        "rejected": _records(con, queries.REJECTED_BY_REASON),
        "rejected_total": _records(con, queries.REJECTED_TOTAL)[0]["rows_"],
    }


def load_histograms(con: duckdb.DuckDBPyConnection) -> list[charts.Chart]:
    """A histogram per numeric input column, from the bins the build counted."""
    by_feature: dict[str, list[dict]] = {}
    for row in _records(con, queries.HISTOGRAMS):
        by_feature.setdefault(row["feature"], []).append(
            {"low": row["bin_low"], "high": row["bin_high"], "users": row["users"]}
        )
    out = []
    for feature, bins in by_feature.items():
        declared = _feature_label(feature)
        out.append(charts.histogram(f"hist-{feature}", declared.label, declared.unit, bins, declared.decimals))
    return out


def _top10_chart(overall: list[dict]) -> charts.Chart:
    items = [(r["interest"], r["share"], f"{fmt_pct(r['share'])} · {fmt_int(r['users'])} users") for r in overall]
    return charts.ranked_bars("top10-interests", "Top 10 interests of all users", items, wide=True)


def load_charts(con: duckdb.DuckDBPyConnection, segments: list[dict], k_rows: list[dict], min_cell_users: int) -> dict:
    """Every chart, as data for its macro in ``charts.html.j2``."""
    demographics, population = load_demographics(con, segments, min_cell_users)
    return {
        "sizes": charts.size_bars(segments),
        "heatmap": load_heatmap(con, segments),
        "demographics": demographics,
        "population": population,
        "histograms": load_histograms(con),
        "top10": _top10_chart(load_top_interests_of_all_users(con, min_cell_users)),
        "k_selection": charts.k_selection_chart(k_rows),
    }


def load_changes(con: duckdb.DuckDBPyConnection, run_id: str, segments: list[dict]) -> dict | None:
    """ "Since the last build": sizes before and now, the moves as a matrix, centroid drift and
    the verdict (segmentation_changes); None on a first build (nothing to compare yet)."""
    change = _records(con, queries.CHANGES, {"run_id": run_id})
    if not change:
        return None
    moves = _records(con, queries.TRANSITIONS, {"run_id": run_id})
    before: dict[int, int] = {}
    now: dict[int, int] = {}
    cells: dict[tuple, int] = {}
    for m in moves:
        if m["previous_segment_id"] is not None:
            before[m["previous_segment_id"]] = before.get(m["previous_segment_id"], 0) + int(m["users"])
        if m["segment_id"] is not None:
            now[m["segment_id"]] = now.get(m["segment_id"], 0) + int(m["users"])
        cells[(m["previous_segment_id"], m["segment_id"])] = int(m["users"])
    names = {s["segment_id"]: s["segment_name"] for s in segments}
    ids = sorted(set(before) | set(now))
    drift = _records(con, queries.CENTROID_DRIFT, {"run_id": run_id})
    largest: dict[int, dict] = {}
    for d in drift:
        if d["drift_sd"] is not None and abs(d["drift_sd"]) >= abs(
            largest.get(d["segment_id"], {}).get("drift_sd") or 0
        ):
            largest[d["segment_id"]] = d
    return {
        **change[0],
        "sizes": [
            {"segment_id": i, "name": names.get(i, "(gone)"), "before": before.get(i, 0), "now": now.get(i, 0)}
            for i in ids
        ],
        "matrix_rows": [*ids, None],
        "matrix_columns": [*ids, None],
        "cells": {f"{a}:{b}": n for (a, b), n in cells.items()},
        "drift": [
            {
                "segment_id": i,
                "feature": _feature_label(largest[i]["feature"]).label,
                "drift_sd": largest[i]["drift_sd"],
            }
            for i in sorted(largest)
        ],
        # Segment x feature, in the previous model's feature sds.
        "drift_features": [
            {"feature": f, "label": _feature_label(f).label} for f in dict.fromkeys(d["feature"] for d in drift)
        ],
        "drift_cells": {f"{d['segment_id']}:{d['feature']}": d["drift_sd"] for d in drift},
    }


def _records_of(count: int, log: str) -> str:
    """``3`` events, ``1`` order: a count of a log's records, in words."""
    one, many = ACTIVITY_LOGS[log][:2]
    return f"{fmt_int(count)} {one if count == 1 else many}"


def _reconciliation_text(given: dict[str, dict]) -> str:
    """One sentence on where the records of the given logs went: read, rejected, of users not in
    the profiles (kept, not counted), after the as-of date (kept, not counted), counted."""

    def each(column: str) -> str:
        return " and ".join(_records_of(int(row[column]), log) for log, row in given.items())

    rejected = sum(int(row["rejected_rows"]) for row in given.values())
    after = sum(int(row["rows_after_as_of"]) for row in given.values())
    text = (
        f"{each('rows_in_file')} read: {fmt_int(rejected)} rejected, {each('unknown_user_rows')} of users who are "
        "not in the profiles (kept, not counted)"
    )
    if after:
        text += f", {fmt_int(after)} after the data's as-of date (kept, not counted)"
    text += f"; {each('counted_rows')} counted."
    missing = [ACTIVITY_LOGS[log][2].lower() for log in ACTIVITY_LOGS if log not in given]
    if missing:
        text += f" No {missing[0]} was given."
    return text


def _activity_grids(con: duckdb.DuckDBPyConnection, segments: list[dict]) -> tuple[list[charts.Chart], float]:
    """A 7 x 24 grid of events per segment, on one scale (the largest hour's share of any segment)."""
    by_segment: dict[int, dict[tuple[int, int], tuple[int, float]]] = {}
    for h in _records(con, queries.ACTIVITY_HOURS):
        cell = (int(h["events"]), float(h["share_of_segment_events"] or 0.0))
        by_segment.setdefault(h["segment_id"], {})[(h["local_weekday"], h["local_hour"])] = cell
    peak = max((share for cells in by_segment.values() for _, share in cells.values()), default=0.0)
    return [charts.activity_grid(s, by_segment.get(s["segment_id"], {}), peak) for s in segments], peak


def _activity_table(
    con: duckdb.DuckDBPyConnection, segments: list[dict], given: dict[str, dict], index_threshold: float
) -> dict:
    """The RFM and engagement figures of the given logs: each segment's mean and index, all users' mean."""
    columns = []
    for feature, name, log in ACTIVITY_FIGURES:
        if log in given:
            declared = _feature_label(feature)
            columns.append(
                {
                    "feature": feature,
                    "heading": name or declared.label,
                    "sub": declared.label if name else declared.unit,
                    "decimals": declared.decimals,
                }
            )
    figures = _records(con, queries.ACTIVITY_FEATURE_PROFILES, {"features": [c["feature"] for c in columns]})
    low = 100 * 100 / index_threshold if index_threshold else 0
    population: dict[str, float] = {}
    cells: dict[int, dict[str, dict]] = {}
    for f in figures:
        population[f["feature"]] = f["population_mean"]
        index = f["index_vs_population"]
        direction = "" if index is None else "up" if index >= index_threshold else "down" if index <= low else ""
        cells.setdefault(f["segment_id"], {})[f["feature"]] = {
            "mean": f["segment_mean"],
            "index": index,
            "index_value": repr(index),
            "direction": direction,
        }
    return {
        "columns": [c for c in columns if c["feature"] in population],
        "population": population,
        "rows": [{"segment": s, "cells": cells.get(s["segment_id"], {})} for s in segments],
        "index_high": index_threshold,
        "index_low": low,
    }


def load_activity(con: duckdb.DuckDBPyConnection, segments: list[dict], index_threshold: float) -> dict | None:
    """The Activity section: per segment, events by local weekday and hour (``segment_activity_hours``)
    and the RFM figures with their index (``segment_feature_profiles``), and where every record of
    the logs went (``segmentation_activity_reconciliation``, the quarantine tables). None when the
    build had neither an event nor an order log."""
    logs = _records(con, queries.ACTIVITY_RECONCILIATION)
    given = {row["activity_log"]: row for row in logs if row["input_path"] is not None}
    if not given:
        return None
    grids, peak = _activity_grids(con, segments) if "interactions" in given else ([], 0.0)
    rejected = _records(con, queries.ACTIVITY_REJECTED_BY_REASON)
    return {
        "logs": [{**row, "name": ACTIVITY_LOGS[log][2]} for log, row in given.items()],
        "reconciliation": _reconciliation_text(given),
        "rejected": [{**r, "log": ACTIVITY_LOGS[r["activity_log"]][2]} for r in rejected],
        "grids": grids,
        "peak": peak,
        "figures": _activity_table(con, segments, given, index_threshold),
    }


def load(con: duckdb.DuckDBPyConnection) -> dict:
    """Everything the template shows: plain values, and every chart as data for its macro."""
    run_id = check_one_run(con)
    run = load_run(con, run_id)
    settings = load_settings(run)
    min_cell_users = int(settings["min_cell_users"])
    segments = load_segments(con)
    k_rows, chosen = load_k_selection(con)
    verdict = chosen["verdict"] or run.get("verdict") or "none"
    data_as_of, built_at = _build_times(run)
    return {
        "run": run,
        "run_id": run_id,
        "data_as_of": data_as_of,
        "built_at": built_at,
        "segments": segments,
        "stats": load_feature_stats(con),
        "relevance": load_feature_relevance(con),
        "k_rows": k_rows,
        "chosen": chosen,
        "verdict": verdict,
        "verdict_text": _verdict_text(verdict, chosen),
        "settings": settings,
        "thresholds": {name: settings[name] for name in THRESHOLDS},
        "min_cell_users": min_cell_users,
        "targeting_groups": load_targeting(con, segments),
        "changes": load_changes(con, run_id, segments),
        "activity": load_activity(con, segments, float(settings["interest_index_threshold"])),
        **load_segment_interests(con, segments),
        **load_rejected(con),
        "chart_styles": charts.chart_styles(),
        "charts": load_charts(con, segments, k_rows, min_cell_users),
    }


# ---------------------------------------------------------------- rendering


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


def _read(db: Path, profiles: Path | None = None) -> dict:
    """Everything the report shows, read from the warehouse ``db``, or from the Spark target of
    ``profiles`` when given (ReportError if it cannot be trusted)."""
    if profiles is None:
        con, rebuild = connect(db), "`dbt build`"
    else:
        from .spark_report import spark_report_connection

        con, rebuild = spark_report_connection(profiles, REQUIRED), "`dbt build --target spark`"
    try:
        check_tables(con)
        return load(con)
    except duckdb.Error as err:
        where = db if profiles is None else "the Spark target"
        raise ReportError(f"cannot read the warehouse {where}: {str(err).splitlines()[0]}: re-run {rebuild}") from None
    finally:
        con.close()


def _write_atomically(out: Path, html: str) -> None:
    """Write ``out`` through a temporary file beside it, so a reader never sees half a report."""
    if out.is_dir() or str(out).endswith(("/", os.sep)):
        raise ReportError(f"--out {out} is a directory: the output must be a file path, e.g. {out / 'report.html'}")
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(html, encoding="utf-8")
        partial.replace(out)
    except OSError as err:
        raise ReportError(
            f"cannot write the report to {out}: {err.strerror or err} (the output must be a file path)"
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def render_report(db: Path, out: Path, profiles: Path | None = None) -> Path:
    """Render the report for the warehouse ``db`` into ``out`` (one HTML file); ReportError if it cannot.

    With ``profiles`` (a ``profiles.yml``), the tables are read from its Spark target instead
    (:mod:`user_segmentation.spark_report`) and ``db`` is not opened.

    Every threshold (small-cell suppression ``min_cell_users``, ``interest_index_threshold``,
    ``min_segment_share``, ``report_top_traits``) is the one the build used, read from its
    ``segmentation_runs.settings_json``.
    """
    db, out = Path(db), Path(out)
    data = _read(db, profiles)
    data["rendered_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = environment().get_template(TEMPLATE).render(**data)
    html = re.sub(r"\n[ \t]+", "\n", html)  # indentation only: no <pre> in the report
    _write_atomically(out, html)
    return out
