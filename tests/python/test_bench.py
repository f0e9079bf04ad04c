"""The benchmark runs end to end on a small size and writes its table and records.
It measures; it asserts no timing (targets live in the README, not in tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from user_segmentation.cli import main
from user_segmentation_tools import bench
from user_segmentation_tools.bench import (
    BASELINE,
    ActivityLogs,
    ActivityRun,
    Measurement,
    activity_table,
    baseline_summary,
    check_events_per_user,
    dbt_vars,
    engine_table,
    log_paths,
    markdown,
    run_benchmark,
    slowest_models,
    stage_table,
    target_table,
)

pytestmark = pytest.mark.dbt


def test_markdown_table_has_ratios() -> None:
    table = markdown([Measurement(1000, "ours", 10.0, 400.0), Measurement(1000, "recipe", 5.0, 200.0)])
    assert "| 1,000 | ours | 10.0 | 400 | 2.00 | 2.00 |" in table
    assert "| 1,000 | recipe | 5.0 | 200 |  |  |" in table


def test_stage_table_splits_start_up_from_nodes_and_names_the_slowest_models() -> None:
    stages = {
        "stg_a": 5.0,
        "int_b": 3.0,
        "mart_c": 1.0,
        "mart_d": 0.5,
        "all tests (sum)": 6.0,
        "dbt elapsed": 18.0,
        "dbt build (wall)": 23.5,
        "report (wall)": 0.7,
    }
    assert slowest_models(stages) == [("stg_a", 5.0), ("int_b", 3.0), ("mart_c", 1.0)]
    table = stage_table([Measurement(10, "ours", 24.2, 1.0, stages=stages), Measurement(10, "recipe", 1.0, 1.0)])
    assert "| 10 | 5.5 | 18.0 | `stg_a` 5.0, `int_b` 3.0, `mart_c` 1.0 | 6.0 | 0.7 |" in table
    assert stage_table([Measurement(10, "ours", 1.0, 1.0, ok=False)]) == ""


def test_target_table_reports_each_measured_target_met_or_not() -> None:
    measurements = [
        Measurement(1_000, "ours", 12.0, 400.0, stages={"dbt build (wall)": 16.5}),
        Measurement(1_000_000, "ours", 10.0, 600.0),
        Measurement(10_000_000, "ours", 29.0, 2100.0),
        Measurement(10_000_000, "recipe", 40.0, 8000.0),
    ]
    table = target_table(measurements, {10_000_000: {"ari_vs_truth": 0.95}})
    assert "| 1,000 | `dbt build` time, at most 15 s | 16.5 s | **not met** |" in table
    assert "| 10,000,000 | build, tests and report time, at most 30 s | 29.0 s | met |" in table
    assert "| 10,000,000 | peak memory, at most 2 GiB | 2,100 MiB | **not met** |" in table
    assert "at least 0.9 | 0.950 | met |" in table
    assert "| 10,000,000 | time / time at 1,000,000 rows, at most x12 | x2.9 | met |" in table
    # Not measured in this run (no full-fit check, no 100 million rows): not reported.
    assert "inertia" not in table and "100,000,000" not in table
    assert target_table([Measurement(400, "ours", 9.0, 300.0)], {}) == ""


def test_small_benchmark_writes_markdown_and_json(tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.md"
    assert run_benchmark([400], out, tmp_path / "cache") == 0
    records = json.loads(out.with_suffix(".json").read_text())
    assert {(r["rows"], r["system"]) for r in records} == {(400, "ours"), (400, "recipe")}
    for record in records:
        assert record["ok"] and record["wall_s"] > 0 and record["peak_rss_mb"] > 50
    ours = next(r for r in records if r["system"] == "ours")
    assert "int_segment_assignments" in ours["stages"] and "report (wall)" in ours["stages"]
    assert ours["quality"]["ari_vs_truth"] > 0.5
    assert "| 400 | ours |" in out.read_text()
    assert "Where our time goes" in out.read_text()
    assert (tmp_path / "cache" / "users_400.parquet").exists()
    assert "slowest models" in capsys.readouterr().out


def _run(ours: Measurement, baseline: Measurement) -> ActivityRun:
    logs = ActivityLogs(Path("e.parquet"), Path("o.parquet"), 50.0, 10_000_000, 412_345, 3 * 2**20 // 2)
    return ActivityRun(logs, ours, baseline, 42.24)


def test_activity_table_puts_the_build_beside_the_baseline_with_counts_and_disk() -> None:
    runs = [
        _run(Measurement(200_000, "ours", 30.0, 1500.0), Measurement(200_000, BASELINE, 12.0, 3000.0)),
        _run(Measurement(1_000, "ours", 9.0, 400.0, ok=False), Measurement(1_000, BASELINE, 1.0, 100.0)),
    ]
    table = activity_table(runs)
    assert "50 events per user" in table
    assert "| 200,000 | 10,000,000 | 412,345 | 1.5 | 30.0 | 1,500 | 42.2 | 12.0 | 3,000 | 2.50 | 0.50 |" in table
    # A failed side shows as failed and leaves the ratios out.
    assert "| 1,000 | 10,000,000 | 412,345 | 1.5 | failed | failed | failed | 1.0 | 100 |  |  |" in table
    assert activity_table([]) == ""


def test_baseline_summary_reads_the_last_summary_line_as_numbers() -> None:
    output = "warning: something\nactivity_baseline users=3 events=7 seconds=0.250 as_of=2026-11-30T00:00:00Z\n"
    assert baseline_summary(output) == {"users": 3, "events": 7, "seconds": 0.25, "as_of": "2026-11-30T00:00:00Z"}
    assert baseline_summary("Traceback (most recent call last):\n  MemoryError") == {}


def test_dbt_vars_name_the_profiles_and_the_logs_quoted_for_yaml(tmp_path: Path) -> None:
    data = tmp_path / "it's users.parquet"
    assert yaml.safe_load(dbt_vars(data)) == {"input_path": str(data)}
    logs = ActivityLogs(tmp_path / "ev'ents.parquet", tmp_path / "orders.parquet", 5.0, 10, 1, 100)
    assert yaml.safe_load(dbt_vars(data, logs)) == {
        "input_path": str(data),
        "interactions_path": str(logs.events),
        "transactions_path": str(logs.orders),
    }


def test_log_paths_differ_by_rows_and_events_per_user(tmp_path: Path) -> None:
    assert log_paths(2000, 20.0, tmp_path) == (tmp_path / "events_2000_20.parquet", tmp_path / "orders_2000_20.parquet")
    assert log_paths(2000, 2.5, tmp_path)[0].name == "events_2000_2p5.parquet"
    assert len({log_paths(rows, e, tmp_path) for rows in (2000, 20000) for e in (2.5, 25.0, 20.0)}) == 6


def test_events_per_user_is_zero_or_a_mean_the_generator_takes() -> None:
    check_events_per_user(0)
    check_events_per_user(50)
    for bad in (-1, 10_001):
        with pytest.raises(ValueError, match="--events-per-user must be from 0"):
            check_events_per_user(bad)


def test_bench_command_passes_events_per_user_and_refuses_bad_values(monkeypatch, capsys) -> None:
    calls: list[tuple] = []
    monkeypatch.setattr(bench, "run_benchmark", lambda sizes, *args, **kwargs: calls.append((sizes, kwargs)) or 0)
    assert main(["bench", "--rows", "2_000,300", "--events-per-user", "2.5"]) == 0
    assert main(["bench", "--rows", "300"]) == 0
    assert [(sizes, kwargs["events_per_user"]) for sizes, kwargs in calls] == [([2000, 300], 2.5), ([300], 0.0)]
    monkeypatch.undo()
    assert main(["bench", "--rows", "300", "--events-per-user", "-3"]) == 2
    assert "--events-per-user must be from 0" in capsys.readouterr().err
    assert main(["bench", "--score", "--events-per-user", "5"]) == 2
    assert "does not apply to --score" in capsys.readouterr().err


def test_small_benchmark_with_logs_times_the_baseline_on_the_same_files(tmp_path: Path, capsys) -> None:
    out, cache = tmp_path / "bench.md", tmp_path / "cache"
    assert run_benchmark([300], out, cache, recipe=False, events_per_user=4) == 0
    events, orders = log_paths(300, 4, cache)
    event_rows, order_rows = pq.ParquetFile(events).metadata.num_rows, pq.ParquetFile(orders).metadata.num_rows
    assert event_rows > 300 and order_rows > 0 and not list(cache.glob("*.partial.*"))
    records = {r["system"]: r for r in json.loads(out.with_suffix(".json").read_text())}
    assert set(records) == {"ours", BASELINE}
    baseline = records[BASELINE]
    assert baseline["ok"] and baseline["wall_s"] > 0 and baseline["peak_rss_mb"] > 50
    activity = baseline["activity"]
    assert (activity["events"], activity["orders"]) == (event_rows, order_rows)
    # The baseline read the same files: every generated event and order counts (all before as_of).
    summary = activity["baseline_summary"]
    assert (summary["users"], summary["events"], summary["orders"]) == (300, event_rows, order_rows)
    assert activity["warehouse_mb"] > 0 and records["ours"]["activity"] == activity
    text = out.read_text()
    assert f"| 300 | {event_rows:,} | {order_rows:,} |" in text
    assert "| 300 | ours |" in text  # the profile table is still there
    assert f"300 {BASELINE}:" in capsys.readouterr().out


def test_engine_table_puts_spark_beside_duckdb_for_each_size() -> None:
    def stages(nodes: dict[str, float], elapsed: float, wall: float) -> dict[str, float]:
        return nodes | {"all tests (sum)": 2.0, "dbt elapsed": elapsed, "dbt build (wall)": wall, "report (wall)": 0.5}

    measurements = [
        Measurement(1000, "ours", 11.0, 500.0, stages=stages({"a": 1.0, "b": 3.0, "c": 0.2}, 8.0, 10.5)),
        Measurement(1000, "spark", 95.0, 2100.0, stages=stages({"a": 9.0, "b": 30.0, "c": 0.8}, 70.0, 94.5)),
        Measurement(5000, "ours", 12.0, 600.0, stages=stages({"a": 2.0}, 9.0, 11.5)),
    ]
    table = engine_table(measurements)
    assert "| 1,000 | DuckDB | 11.0 | 500 | 2.5 | 8.0 | 1.00 | `b` 3.0, `a` 1.0, `c` 0.2 | 2.0 | 0.5 |" in table
    assert "| 1,000 | Spark | 95.0 | 2,100 | 24.5 | 70.0 | 9.00 | `b` 30.0, `a` 9.0, `c` 0.8 | 2.0 | 0.5 |" in table
    # A size without a Spark run has no row; no Spark run at all, no table.
    assert "5,000" not in table
    assert engine_table(measurements[:1]) == ""


def test_bench_command_passes_the_engines_and_refuses_unknown_ones(monkeypatch, capsys, tmp_path: Path) -> None:
    calls: list[tuple] = []
    monkeypatch.setattr(bench, "run_benchmark", lambda sizes, *args, **kwargs: calls.append(kwargs["engines"]) or 0)
    assert main(["bench", "--rows", "300", "--engine", "duckdb, spark"]) == 0
    assert main(["bench", "--rows", "300"]) == 0
    assert calls == [("duckdb", "spark"), ("duckdb",)]
    monkeypatch.undo()
    assert main(["bench", "--rows", "300", "--engine", "postgres", "--cache", str(tmp_path)]) == 2
    assert "--engine: one or more of duckdb, spark" in capsys.readouterr().err
