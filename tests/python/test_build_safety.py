"""Interrupted and concurrent builds: the warehouse stays readable, the next build completes,
and a build while another process holds the warehouse stops with a plain message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import BIN, ROOT, run_dbt

pytestmark = pytest.mark.dbt


HOLD_WAREHOUSE = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


def start_build(db: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "SEGMENTATION_DB": str(db),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_USE_COLORS": "false",
        "DBT_LOG_PATH": str(db.parent / "logs"),
        "DBT_TARGET_PATH": str(db.parent / "target-bg"),
    }
    return subprocess.Popen(
        [str(BIN / "dbt"), "build"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for(process: subprocess.Popen, marker: str, timeout: float = 180) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} never appeared:\n{''.join(seen)[-2000:]}")


def test_build_killed_in_the_python_step_leaves_a_readable_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert run_dbt(db, "build").returncode == 0
    before = (
        duckdb.connect(str(db), read_only=True)
        .execute("select run_id, count(*) from dim_segments group by run_id")
        .fetchall()
    )

    build = start_build(db)
    wait_for(build, "START python table model main.int_segmentation_k_sweep")
    time.sleep(0.5)
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select run_id, count(*) from dim_segments group by run_id").fetchall() == before
    con.close()
    again = run_dbt(db, "build")
    assert again.returncode == 0, again.output[-3000:]
    runs = duckdb.connect(str(db), read_only=True).execute("select count(*) from segmentation_runs").fetchall()
    assert runs == [(2,)]  # the killed build recorded no run


def test_build_is_refused_plainly_while_another_process_holds_the_warehouse(tmp_path: Path) -> None:
    # Another process (here a plain DuckDB connection; in practice another dbt build) holds
    # the file for as long as the test needs: no race with how fast a build runs.
    db = tmp_path / "w.duckdb"
    assert run_dbt(db, "build").returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WAREHOUSE, str(db)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        refused = run_dbt(db, "build")
        assert refused.returncode != 0
        assert "is in use by another process" in refused.output, refused.output[-3000:]
        assert f"process {holder.pid}" in refused.output
        assert "Traceback" not in refused.output
    finally:
        holder.communicate("release\n", timeout=60)
    again = run_dbt(db, "build")
    assert again.returncode == 0, again.output[-3000:]
    assert duckdb.connect(str(db), read_only=True).execute("select count(*) from dim_users").fetchall() == [(1000,)]
