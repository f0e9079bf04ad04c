"""``user-segmentation bench --score``: how fast the published model labels new users.

In one warm process: :meth:`user_segmentation.scoring.Model.score` on one record (a dict of
text values, as a web service would pass it), ``calls`` times, median and 99th percentile;
then on ``rows`` records at once, as text (what a CSV gives) and typed (what Parquet gives),
the wall time of the call (the records are in memory already; reading them is not timed). The
records are the project's generator's planted data (cached in ``.bench-cache/``, as for
``bench``); the model is the warehouse's latest (``--db``), or that of a fresh build of the
embedded sample in a temporary folder.

Targets (README "Scoring new users": one record at most 1 ms, 1 million at most 5 s) are
reported, never asserted: the figures depend on the machine.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd
import psutil

from user_segmentation.scoring import load_model

from .bench import ROOT, dataset, dbt_env

__all__ = ["ONE_RECORD_TARGET_MS", "BATCH_TARGET_S", "build_sample", "run_score_benchmark", "time_scoring"]

ONE_RECORD_TARGET_MS = 1.0
BATCH_TARGET_S = 5.0


def build_sample(work: Path) -> Path:
    """A full ``dbt build`` of the embedded sample into ``work``; the published warehouse."""
    db = work / "warehouse.duckdb"
    env = dbt_env(db, work)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError("dbt build of the embedded sample failed:\n" + (done.stdout + done.stderr)[-2000:])
    return db


def _records(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The file's records as text (every value as DuckDB writes it) and as typed columns."""
    quoted = str(data).replace("'", "''")
    con = duckdb.connect()
    try:
        names = [row[0] for row in con.sql(f"describe select * from read_parquet('{quoted}')").fetchall()]
        casts = ", ".join('"{0}"::varchar as "{0}"'.format(name.replace('"', '""')) for name in names)
        text = con.sql(f"select {casts} from read_parquet('{quoted}')").df()
        typed = con.sql(f"select * from read_parquet('{quoted}')").df()
    finally:
        con.close()
    return text, typed


def time_scoring(model, record: dict, batches: dict[str, pd.DataFrame], calls: int, repeats: int = 3) -> dict:
    """One record ``calls`` times (after a warm-up), and each batch ``repeats`` times: seconds."""
    for _ in range(100):
        model.score([record])
    single = []
    for _ in range(calls):
        started = time.perf_counter()
        model.score([record])
        single.append(time.perf_counter() - started)
    single.sort()
    figures = {
        "one_record_median_ms": statistics.median(single) * 1e3,
        "one_record_p99_ms": single[min(len(single) - 1, int(0.99 * len(single)))] * 1e3,
        "one_record_max_ms": single[-1] * 1e3,
    }
    for name, batch in batches.items():
        model.score(batch.head(1000))
        walls = []
        for _ in range(repeats):
            started = time.perf_counter()
            scored = model.score(batch)
            walls.append(time.perf_counter() - started)
        figures[f"{name}_s"] = statistics.median(walls)
        figures[f"{name}_runs_s"] = walls
        figures[f"{name}_labelled"] = int(scored["segment_id"].notna().sum())
    return figures


def run_score_benchmark(db: Path | None, cache: Path, rows: int = 1_000_000, calls: int = 1000) -> int:
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}"
    )
    print(f"scoring benchmark on {machine}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-score-") as scratch:
        if db is None:
            print("building the embedded sample for a model ...", flush=True)
            db = build_sample(Path(scratch))
        model = load_model(db)
        print(f"model {model.model_id} (k = {model.k}, {len(model.features)} features) from {db}", flush=True)
        text, typed = _records(dataset(rows, cache))
        record = text.iloc[0].to_dict()
        figures = time_scoring(model, record, {f"{rows}_text": text, f"{rows}_typed": typed}, calls)
    one, p99 = figures["one_record_median_ms"], figures["one_record_p99_ms"]
    print(
        f"one record, warm process, {calls} calls: median {one:.3f} ms, p99 {p99:.3f} ms, "
        f"max {figures['one_record_max_ms']:.3f} ms (target at most {ONE_RECORD_TARGET_MS:g} ms: "
        f"{'met' if p99 <= ONE_RECORD_TARGET_MS else 'not met'} at p99)"
    )
    for kind, source in (("text", "as a CSV gives them"), ("typed", "as Parquet gives them")):
        wall = figures[f"{rows}_{kind}_s"]
        runs = ", ".join(f"{s:.2f}" for s in figures[f"{rows}_{kind}_runs_s"])
        print(
            f"{rows:,} records, {source}: {wall:.2f} s (median of {runs} s; "
            f"{figures[f'{rows}_{kind}_labelled']:,} labelled; target at most {BATCH_TARGET_S:g} s: "
            f"{'met' if wall <= BATCH_TARGET_S else 'not met'})"
        )
    return 0
