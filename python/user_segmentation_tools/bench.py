"""``user-segmentation bench``: the full pipeline against the tutorial recipe, by size.

For each size: the project's generator writes planted data (Parquet, cached between runs);
``dbt build`` (every model and test) and the report run in fresh processes against their own
warehouse file; wall time per stage comes from dbt's ``run_results.json`` and the peak
resident memory of the whole process tree is sampled with psutil. The tutorial recipe runs
on the same file in a fresh process, as the public notebooks do it: pandas reads the file;
one-hot Age, Gender, Income Level; StandardScaler on weekday hours, weekend hours, likes and
CTR; ``KMeans(n_clusters=5, random_state=42)``; per-cluster means.

With ``events_per_user`` above 0 (``--events-per-user``) each size also gets the event and order
logs of the same users (:mod:`user_segmentation_tools.activity`, Parquet, cached beside the
profiles); the build reads them (dbt vars ``interactions_path`` and ``transactions_path``), the
disk they take and the warehouse's size after the build are reported, and the pandas baseline of
the activity features (:mod:`user_segmentation_tools.activity_baseline`) runs on the same files
in its own process, so that its time and peak memory are its own (:func:`activity_table`).

Targets (README "Performance") are reported, never asserted: a benchmark prints figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

__all__ = [
    "ActivityLogs",
    "ActivityRun",
    "BASELINE",
    "ENGINES",
    "Measurement",
    "RECIPE",
    "ROOT",
    "TARGETS",
    "activity_dataset",
    "activity_table",
    "baseline_summary",
    "check_events_per_user",
    "dataset",
    "dbt_env",
    "dbt_vars",
    "engine_table",
    "growth",
    "log_paths",
    "markdown",
    "measure_baseline",
    "measure_ours",
    "measure_recipe",
    "quality_at_scale",
    "run_benchmark",
    "run_measured",
    "sample_fit_against_full_fit",
    "slowest_models",
    "stage_table",
    "stage_times",
    "target_table",
    "warehouse_bytes",
]

ROOT = Path(__file__).resolve().parents[2]
RECIPE = r"""
import sys, time
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
started = time.perf_counter()
path = sys.argv[1]
data = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
encoded = pd.get_dummies(data, columns=["Age", "Gender", "Income Level"])
numeric = ["Time Spent Online (hrs/weekday)", "Time Spent Online (hrs/weekend)",
           "Likes and Reactions", "Click-Through Rates (CTR)"]
encoded[numeric] = StandardScaler().fit_transform(encoded[numeric])
features = numeric + [c for c in encoded.columns if c.startswith(("Age_", "Gender_", "Income Level_"))]
data["Cluster"] = KMeans(n_clusters=5, random_state=42).fit_predict(encoded[features])
means = data.groupby("Cluster")[["Age", "Gender", "Income Level"] + numeric].agg(
    lambda s: s.mean() if s.dtype.kind in "if" else s.mode()[0])
print(f"recipe_seconds={time.perf_counter() - started:.3f}")
"""


@dataclass
class Measurement:
    rows: int
    system: str
    wall_s: float
    peak_rss_mb: float
    ok: bool = True
    stages: dict[str, float] = field(default_factory=dict)
    note: str = ""


def _tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants (those that end meanwhile count 0)."""
    total = 0
    with contextlib.suppress(psutil.NoSuchProcess):
        for proc in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                total += proc.memory_info().rss
    return total


def run_measured(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, str]:
    """Run a command; wall seconds, peak RSS (MiB) of its process tree, exit code, output."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    handle = psutil.Process(process.pid)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    while process.poll() is None:
        peak = max(peak, _tree_rss(handle))
        time.sleep(0.05)
    reader.join()
    return time.perf_counter() - started, peak / 2**20, process.returncode, "".join(output)


def dataset(rows: int, cache: Path) -> Path:
    from .generator import generate

    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"users_{rows}.parquet"
    truth = cache / f"truth_{rows}.parquet"
    if not path.exists() or not truth.exists():
        print(f"generating {rows:,} rows -> {path}", flush=True)
        generate(rows, 42, path, truth)
    return path


@dataclass(frozen=True)
class ActivityLogs:
    """The event and order logs of one size's users, and how many rows each holds."""

    events: Path
    orders: Path
    events_per_user: float
    event_rows: int
    order_rows: int
    size_bytes: int  # of the two files together


def check_events_per_user(events_per_user: float) -> None:
    """``--events-per-user``: 0 (no logs, the profiles alone) or a mean the generator accepts."""
    from .activity import MAX_EVENTS_PER_USER

    if not 0 <= events_per_user <= MAX_EVENTS_PER_USER:
        raise ValueError(
            f"--events-per-user must be from 0 (no activity logs) to {MAX_EVENTS_PER_USER:,}; got {events_per_user:g}"
        )


def log_paths(rows: int, events_per_user: float, cache: Path) -> tuple[Path, Path]:
    """Where the cache keeps the logs of ``rows`` users with ``events_per_user`` events each on average."""
    tag = f"{rows}_{events_per_user:g}".replace(".", "p")
    return cache / f"events_{tag}.parquet", cache / f"orders_{tag}.parquet"


def activity_dataset(rows: int, events_per_user: float, cache: Path) -> ActivityLogs:
    """The logs of :func:`dataset`'s users (seed 42), generated unless cached; written under a
    temporary name and renamed, so that an interrupted generation is never taken for a cached one."""
    import pyarrow.parquet as pq

    from .activity import generate_activity

    events, orders = log_paths(rows, events_per_user, cache)
    if not events.exists() or not orders.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = [path.with_suffix(".partial.parquet") for path in (events, orders)]
        print(f"generating the logs of {rows:,} users, {events_per_user:g} events each -> {events}", flush=True)
        generate_activity(rows, 42, partial[0], partial[1], events_per_user=events_per_user)
        for done, path in zip(partial, (events, orders), strict=True):
            done.replace(path)
    return ActivityLogs(
        events,
        orders,
        events_per_user,
        pq.ParquetFile(events).metadata.num_rows,
        pq.ParquetFile(orders).metadata.num_rows,
        events.stat().st_size + orders.stat().st_size,
    )


def stage_times(target: Path) -> dict[str, float]:
    results = json.loads((target / "run_results.json").read_text())
    stages: dict[str, float] = {}
    for result in results["results"]:
        name = result["unique_id"].split(".")[-1] if result["unique_id"].startswith("model.") else None
        if name:
            stages[name] = round(result["execution_time"], 2)
    tests = sum(r["execution_time"] for r in results["results"] if r["unique_id"].startswith(("test.", "unit_test.")))
    stages["all tests (sum)"] = round(tests, 2)
    stages["dbt elapsed"] = round(results["elapsed_time"], 2)
    return stages


def dbt_env(db: Path, work: Path) -> dict[str, str]:
    """The environment of a benchmark's dbt process: published warehouse ``db``, target and
    logs in ``work``, the project's profiles."""
    return {
        **os.environ,
        "SEGMENTATION_DB": str(db),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_PROJECT_DIR": str(ROOT),
        "DBT_USE_COLORS": "false",
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }


def dbt_vars(data: Path, logs: ActivityLogs | None = None) -> str:
    """The ``--vars`` of the benchmark's build: the profile file, and the logs when there are any."""
    paths = {"input_path": data}
    if logs is not None:
        paths |= {"interactions_path": logs.events, "transactions_path": logs.orders}
    quoted = {name: str(path).replace("'", "''") for name, path in paths.items()}  # YAML single quotes
    return "{" + ", ".join(f"{name}: '{text}'" for name, text in quoted.items()) + "}"


def warehouse_bytes(work: Path) -> int:
    """Bytes of the warehouse files a build left in ``work`` (the published file and any beside it)."""
    return sum(path.stat().st_size for path in work.glob("warehouse.duckdb*") if path.is_file())


# The engines `bench --engine` measures: the system name in the tables, per engine.
ENGINES = {"duckdb": "ours", "spark": "spark"}


def measure_ours(
    rows: int, data: Path, work: Path, logs: ActivityLogs | None = None, engine: str = "duckdb"
) -> Measurement:
    """The full ``dbt build`` and the report on ``engine``: ``duckdb`` (the default target, system
    ``ours``) or ``spark`` (``--target spark`` on ``SEGMENTATION_SPARK_MASTER``, default
    ``local[2]``, its folders under ``work``; system ``spark``)."""
    system = ENGINES[engine]
    work.mkdir(parents=True, exist_ok=True)
    db = work / "warehouse.duckdb"
    for leftover in work.glob("warehouse.duckdb*"):
        leftover.unlink()
    env = dbt_env(db, work)
    bin_dir = Path(sys.executable).parent
    target: list[str] = []
    report_from = ["--db", str(db)]
    if engine == "spark":
        env |= {
            "SEGMENTATION_SPARK_DIR": str(work / "spark"),
            "SEGMENTATION_SPARK_MASTER": os.environ.get("SEGMENTATION_SPARK_MASTER", "local[2]"),
        }
        target = ["--target", "spark"]
        report_from = ["--target", "spark", "--profiles-dir", str(ROOT)]
    dbt_wall, dbt_peak, code, output = run_measured(
        [str(bin_dir / "dbt"), "build", *target, "--vars", dbt_vars(data, logs)], env, ROOT
    )
    if code != 0:
        return Measurement(rows, system, dbt_wall, dbt_peak, False, note=output[-1500:])
    report_wall, report_peak, code, output = run_measured(
        [str(bin_dir / "user-segmentation"), "report", *report_from, "--out", str(work / "report.html")],
        env,
        ROOT,
    )
    stages = stage_times(work / "target")
    stages["dbt build (wall)"] = round(dbt_wall, 2)
    stages["report (wall)"] = round(report_wall, 2)
    return Measurement(
        rows,
        system,
        round(dbt_wall + report_wall, 2),
        round(max(dbt_peak, report_peak), 1),
        code == 0,
        stages,
        "" if code == 0 else output[-800:],
    )


def measure_recipe(rows: int, data: Path, work: Path) -> Measurement:
    script = work / "recipe.py"
    work.mkdir(parents=True, exist_ok=True)
    script.write_text(RECIPE)
    wall, peak, code, output = run_measured([sys.executable, str(script), str(data)], dict(os.environ), ROOT)
    return Measurement(
        rows, "recipe", round(wall, 2), round(peak, 1), code == 0, note="" if code == 0 else output[-800:]
    )


BASELINE = "activity baseline"


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        with contextlib.suppress(ValueError):
            return kind(text)
    return text


def baseline_summary(output: str) -> dict[str, int | float | str]:
    """The ``key=value`` fields of the baseline's ``activity_baseline ...`` line (the last one), numbers
    as numbers; {} if there is none."""
    lines = [line for line in output.splitlines() if line.startswith("activity_baseline ")]
    if not lines:
        return {}
    pairs = (part.split("=", 1) for part in lines[-1].split()[1:] if "=" in part)
    return {key: _number(value) for key, value in pairs}


def measure_baseline(rows: int, data: Path, logs: ActivityLogs) -> tuple[Measurement, dict[str, int | float | str]]:
    """The pandas baseline on the logs in a fresh process: its measurement and its summary fields."""
    command = [sys.executable, "-m", "user_segmentation_tools.activity_baseline"]
    wall, peak, code, output = run_measured(
        command + [str(logs.events), str(logs.orders), str(data)], {**os.environ}, ROOT
    )
    summary = baseline_summary(output)
    ok = code == 0 and bool(summary)
    return Measurement(rows, BASELINE, round(wall, 2), round(peak, 1), ok, note="" if ok else output[-800:]), summary


@dataclass
class ActivityRun:
    """One size with activity logs: the logs, the build (``ours``) and the pandas baseline."""

    logs: ActivityLogs
    ours: Measurement
    baseline: Measurement
    warehouse_mb: float
    summary: dict[str, int | float | str] = field(default_factory=dict)

    def record(self) -> dict:
        """What the JSON records keep of it (besides the two measurements)."""
        return {
            "events_per_user": self.logs.events_per_user,
            "events": self.logs.event_rows,
            "orders": self.logs.order_rows,
            "log_files_mb": round(self.logs.size_bytes / 2**20, 1),
            "warehouse_mb": self.warehouse_mb,
            "baseline_summary": self.summary,
        }


def _figure(m: Measurement, value: float, form: str) -> str:
    return form.format(value) if m.ok else "failed"


def activity_table(runs: list[ActivityRun]) -> str:
    """Build against the pandas baseline per size, with the logs' row counts and the disk used."""
    if not runs:
        return ""
    lines = [
        "| users | events | orders | log files (MiB) | build + report (s) | build peak RSS (MiB) "
        "| warehouse (MiB) | pandas baseline (s) | baseline peak RSS (MiB) | build / baseline (time) "
        "| build / baseline (memory) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        ours, base = run.ours, run.baseline
        both = ours.ok and base.ok
        lines.append(
            f"| {ours.rows:,} | {run.logs.event_rows:,} | {run.logs.order_rows:,} "
            f"| {run.logs.size_bytes / 2**20:,.1f} | {_figure(ours, ours.wall_s, '{:.1f}')} "
            f"| {_figure(ours, ours.peak_rss_mb, '{:,.0f}')} | {_figure(ours, run.warehouse_mb, '{:,.1f}')} "
            f"| {_figure(base, base.wall_s, '{:.1f}')} | {_figure(base, base.peak_rss_mb, '{:,.0f}')} "
            f"| {f'{ours.wall_s / base.wall_s:.2f}' if both else ''} "
            f"| {f'{ours.peak_rss_mb / base.peak_rss_mb:.2f}' if both else ''} |"
        )
    per_user = ", ".join(sorted({f"{run.logs.events_per_user:g}" for run in runs}))
    return (
        f"\n\nActivity logs ({per_user} events per user on average, Parquet): the full build (every model "
        "and test) and the report, against the pandas baseline of the activity features alone, in its "
        "own process:\n\n" + "\n".join(lines)
    )


def quality_at_scale(rows: int, data: Path, work: Path, full_fit: bool = False) -> dict[str, float]:
    """ARI of our labels against the planted truth, read from the warehouse just built."""
    import duckdb
    from sklearn.metrics import adjusted_rand_score

    truth = data.with_name(f"truth_{rows}.parquet")
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    pairs = con.execute(
        f"select a.segment_id, t.planted_segment from int_segment_assignments a "
        f"join read_parquet('{truth}') t on a.user_id = t.user_id"
    ).fetchnumpy()
    quality = {"ari_vs_truth": round(float(adjusted_rand_score(pairs["planted_segment"], pairs["segment_id"])), 4)}
    if full_fit:
        quality.update(sample_fit_against_full_fit(con))
    con.close()
    return quality


def sample_fit_against_full_fit(con) -> dict[str, float]:
    """Inertia over all users of the centroids fitted on the sample, against a fit on all users.

    The first is a SQL sum over the labels; the second fits K-Means on the whole matrix in
    memory (what the pipeline avoids), once, to show the sample costs almost nothing.
    """
    import numpy as np
    from sklearn.cluster import KMeans

    k = con.execute("select k from segmentation_k_selection where chosen").fetchall()[0][0]
    sample_inertia = con.execute("select sum(distance_to_centroid ^ 2) from int_labelled_users").fetchall()[0][0]
    columns = con.execute("select * exclude (user_id, sample_key) from int_feature_matrix").fetchnumpy()
    matrix = np.column_stack([np.asarray(v, dtype=np.float64) for v in columns.values()])
    started = time.perf_counter()
    full = KMeans(n_clusters=k, n_init=3, random_state=42).fit(matrix)
    return {
        "sample_fit_inertia": round(float(sample_inertia), 1),
        "full_fit_inertia": round(float(full.inertia_), 1),
        "sample_fit_excess_inertia_pct": round(100 * (sample_inertia / full.inertia_ - 1), 4),
        "full_fit_seconds": round(time.perf_counter() - started, 1),
    }


def markdown(measurements: list[Measurement]) -> str:
    lines = [
        "| rows | system | wall (s) | peak RSS (MiB) | ours / recipe (time) | ours / recipe (memory) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    by_key = {(m.rows, m.system): m for m in measurements}
    for m in measurements:
        ratio_t = ratio_m = ""
        recipe = by_key.get((m.rows, "recipe"))
        if m.system == "ours" and recipe and recipe.ok and m.ok:
            ratio_t = f"{m.wall_s / recipe.wall_s:.2f}"
            ratio_m = f"{m.peak_rss_mb / recipe.peak_rss_mb:.2f}"
        status = "" if m.ok else " (failed)"
        lines.append(
            f"| {m.rows:,} | {m.system}{status} | {m.wall_s:.1f} | {m.peak_rss_mb:,.0f} | {ratio_t} | {ratio_m} |"
        )
    return "\n".join(lines)


def slowest_models(stages: dict[str, float], count: int = 3) -> list[tuple[str, float]]:
    """The ``count`` models with the longest execution time, slowest first."""
    models = [(name, seconds) for name, seconds in stages.items() if not name.startswith(("dbt ", "all ", "report "))]
    return sorted(models, key=lambda item: (-item[1], item[0]))[:count]


def stage_table(measurements: list[Measurement]) -> str:
    """Where our wall time goes, per size: dbt's start-up and parse (the build's wall time less
    the elapsed time dbt reports for running nodes), the nodes, the slowest models, the tests
    summed over dbt's threads, and the report."""
    ours = sorted((m for m in measurements if m.system == "ours" and m.ok and m.stages), key=lambda m: m.rows)
    if not ours:
        return ""
    lines = [
        "| rows | dbt start-up and parse (s) | dbt nodes (s) | slowest models (s) | tests, summed (s) | report (s) |",
        "|---:|---:|---:|---|---:|---:|",
    ]
    for m in ours:
        stages = m.stages
        start_up = stages["dbt build (wall)"] - stages["dbt elapsed"]
        slowest = ", ".join(f"`{name}` {seconds:.1f}" for name, seconds in slowest_models(stages))
        lines.append(
            f"| {m.rows:,} | {start_up:.1f} | {stages['dbt elapsed']:.1f} | {slowest} "
            f"| {stages['all tests (sum)']:.1f} | {stages['report (wall)']:.1f} |"
        )
    return "\n\nWhere our time goes:\n\n" + "\n".join(lines)


def growth(measurements: list[Measurement]) -> str:
    """How our wall time grows between consecutive sizes (linear cost: the ratio of times is
    at most the ratio of sizes)."""
    ours = sorted((m for m in measurements if m.system == "ours" and m.ok), key=lambda m: m.rows)
    lines = [
        f"- {larger.rows:,} / {smaller.rows:,} rows (x{larger.rows / smaller.rows:,.0f}): "
        f"time x{larger.wall_s / smaller.wall_s:.1f}"
        for smaller, larger in zip(ours, ours[1:], strict=False)
    ]
    return "\n\nGrowth of our wall time:\n" + "\n".join(lines) if lines else ""


# The targets of the scale issue (README "Performance"): rows, target, measure, bound ("max" or
# "min"), limit, and how to write the figure. Reported beside the figures, never asserted: they
# depend on the machine.
TARGETS: tuple[tuple[int, str, str, str, float, str], ...] = (
    (1_000, "`dbt build` time, at most 15 s", "dbt_wall", "max", 15, "{:.1f} s"),
    (10_000_000, "build, tests and report time, at most 30 s", "wall", "max", 30, "{:.1f} s"),
    (10_000_000, "peak memory, at most 2 GiB", "peak", "max", 2048, "{:,.0f} MiB"),
    (10_000_000, "adjusted Rand index against the planted labels, at least 0.9", "ari", "min", 0.9, "{:.3f}"),
    (10_000_000, "sample fit's inertia above a fit on all users, at most 1%", "excess_inertia", "max", 1, "{:.4f}%"),
    (100_000_000, "build, tests and report time, at most 5 minutes", "wall", "max", 300, "{:.1f} s"),
    (100_000_000, "peak memory, at most 8 GiB", "peak", "max", 8192, "{:,.0f} MiB"),
)


def _measure(m: Measurement, quality: dict[str, float], what: str) -> float | None:
    values = {
        "dbt_wall": m.stages.get("dbt build (wall)"),
        "wall": m.wall_s,
        "peak": m.peak_rss_mb,
        "ari": quality.get("ari_vs_truth"),
        "excess_inertia": quality.get("sample_fit_excess_inertia_pct"),
    }
    return values[what]


def target_table(measurements: list[Measurement], quality: dict[int, dict[str, float]]) -> str:
    """The issue's targets that this run measured, each with its figure and whether it is met."""
    ours = {m.rows: m for m in measurements if m.system == "ours" and m.ok}
    rows_out = []
    for rows, target, what, bound, limit, form in TARGETS:
        value = _measure(ours[rows], quality.get(rows, {}), what) if rows in ours else None
        if value is not None:
            rows_out.append((rows, target, form.format(value), value >= limit if bound == "min" else value <= limit))
    if 1_000_000 in ours and 10_000_000 in ours:
        ratio = ours[10_000_000].wall_s / ours[1_000_000].wall_s
        rows_out.append((10_000_000, "time / time at 1,000,000 rows, at most x12", f"x{ratio:.1f}", ratio <= 12))
    if not rows_out:
        return ""
    lines = ["| rows | target | measured | |", "|---:|---|---:|---|"] + [
        f"| {rows:,} | {target} | {figure} | {'met' if met else '**not met**'} |"
        for rows, target, figure, met in rows_out
    ]
    return "\n\nTargets (reported, not asserted: they depend on the machine):\n\n" + "\n".join(lines)


def engine_table(measurements: list[Measurement]) -> str:
    """DuckDB against Spark per size, on the same file in the same run: wall time, peak memory,
    start-up and parse (for Spark: the JVM, the SparkSession and the Derby metastore), the
    median node, the slowest models and the report."""
    by_key = {(m.rows, m.system): m for m in measurements if m.ok and m.stages}
    sizes = sorted({rows for rows, system in by_key if system == "spark"})
    if not sizes:
        return ""
    lines = [
        "| rows | engine | build + report (s) | peak RSS (MiB) | start-up and parse (s) | nodes (s) "
        "| median node (s) | slowest models (s) | tests, summed (s) | report (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for rows in sizes:
        for system, name in (("ours", "DuckDB"), ("spark", "Spark")):
            m = by_key.get((rows, system))
            if m is None:
                continue
            stages = m.stages
            nodes = sorted(
                seconds for key, seconds in stages.items() if not key.startswith(("dbt ", "all ", "report "))
            )
            median = nodes[len(nodes) // 2] if nodes else 0.0
            slowest = ", ".join(f"`{key}` {seconds:.1f}" for key, seconds in slowest_models(stages))
            lines.append(
                f"| {rows:,} | {name} | {m.wall_s:.1f} | {m.peak_rss_mb:,.0f} "
                f"| {stages['dbt build (wall)'] - stages['dbt elapsed']:.1f} | {stages['dbt elapsed']:.1f} "
                f"| {median:.2f} | {slowest} | {stages['all tests (sum)']:.1f} | {stages['report (wall)']:.1f} |"
            )
    return "\n\nDuckDB and Spark on the same files (Spark: `--target spark`, local[2]):\n\n" + "\n".join(lines)


def run_benchmark(
    sizes: list[int],
    out: Path | None,
    cache: Path,
    recipe: bool = True,
    full_fit_check: bool = False,
    events_per_user: float = 0.0,
    engines: tuple[str, ...] = ("duckdb",),
) -> int:
    check_events_per_user(events_per_user)
    unknown = [engine for engine in engines if engine not in ENGINES]
    if unknown or not engines:
        raise ValueError(f"--engine: one or more of {', '.join(ENGINES)} (comma-separated), not {','.join(engines)}")
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}"
    )
    print(f"benchmark on {machine}", flush=True)
    measurements: list[Measurement] = []
    extras: dict[int, dict] = {}
    runs: list[ActivityRun] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        for rows in sizes:
            data = dataset(rows, cache)
            logs = activity_dataset(rows, events_per_user, cache) if events_per_user > 0 else None
            work = Path(scratch) / str(rows)
            if "spark" in engines:
                spark = measure_ours(rows, data, Path(scratch) / f"{rows}-spark", logs, engine="spark")
                measurements.append(spark)
                print(
                    f"{rows:,} spark: {spark.wall_s:.1f} s, {spark.peak_rss_mb:,.0f} MiB"
                    + ("" if spark.ok else f" FAILED\n{spark.note}"),
                    flush=True,
                )
                shutil.rmtree(Path(scratch) / f"{rows}-spark", ignore_errors=True)
            if "duckdb" not in engines:
                continue
            ours = measure_ours(rows, data, work, logs)
            warehouse_mb = round(warehouse_bytes(work) / 2**20, 1)
            measurements.append(ours)
            print(
                f"{rows:,} ours: {ours.wall_s:.1f} s, {ours.peak_rss_mb:,.0f} MiB"
                + ("" if ours.ok else f" FAILED\n{ours.note}"),
                flush=True,
            )
            if ours.ok:
                extras[rows] = quality_at_scale(rows, data, work, full_fit=full_fit_check and rows == max(sizes))
                print(
                    "  slowest models: "
                    + ", ".join(f"{k} {v:.1f} s" for k, v in slowest_models(ours.stages))
                    + f"; tests {ours.stages['all tests (sum)']:.1f} s; {extras[rows]}",
                    flush=True,
                )
            if recipe:
                theirs = measure_recipe(rows, data, work)
                measurements.append(theirs)
                print(
                    f"{rows:,} recipe: {theirs.wall_s:.1f} s, {theirs.peak_rss_mb:,.0f} MiB"
                    + ("" if theirs.ok else " FAILED"),
                    flush=True,
                )
            if logs is not None:
                baseline, summary = measure_baseline(rows, data, logs)
                runs.append(ActivityRun(logs, ours, baseline, warehouse_mb, summary))
                print(
                    f"{rows:,} {BASELINE}: {baseline.wall_s:.1f} s, {baseline.peak_rss_mb:,.0f} MiB"
                    + (f" ({logs.event_rows:,} events, {logs.order_rows:,} orders)" if baseline.ok else " FAILED")
                    + ("" if baseline.ok else f"\n{baseline.note}"),
                    flush=True,
                )
    table = (
        markdown(measurements)
        + growth(measurements)
        + stage_table(measurements)
        + target_table(measurements, extras)
        + activity_table(runs)
        + engine_table(measurements)
    )
    print()
    print(table)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"Machine: {machine}\n\n{table}\n")
        records = [asdict(m) | {"quality": extras.get(m.rows, {}) if m.system == "ours" else {}} for m in measurements]
        activity = {run.ours.rows: run for run in runs}
        for record in records:
            if record["system"] == "ours" and record["rows"] in activity:
                record["activity"] = activity[record["rows"]].record()
        records += [asdict(run.baseline) | {"activity": run.record()} for run in runs]
        out.with_suffix(".json").write_text(json.dumps(records, indent=2))
        print(f"\nwrote {out} and {out.with_suffix('.json')}")
    ok = all(m.ok for m in measurements if m.system in ENGINES.values()) and all(run.baseline.ok for run in runs)
    return 0 if ok else 1
