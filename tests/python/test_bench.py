"""The benchmark runs end to end on a small size and writes its table and records.
It measures; it asserts no timing (targets live in the README, not in tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from user_segmentation_tools.bench import (
    Measurement,
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
