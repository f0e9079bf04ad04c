"""Interrupted and concurrent builds: the warehouse stays readable, the next build completes,
and a second build at the same time stops with a plain message."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import BIN, ROOT, run_dbt

pytestmark = pytest.mark.dbt


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
    wait_for(build, "START python table model main.segmentation_k_selection")
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


def test_second_concurrent_build_is_refused_plainly(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = start_build(db)
    wait_for(first, "START sql table model main.stg_user_profiles__parsed")
    second = run_dbt(db, "build")
    output = first.communicate(timeout=600)[0]
    assert second.returncode != 0
    assert "is in use by another process" in second.output and "Traceback" not in second.output
    assert first.returncode == 0, output[-3000:]
    assert duckdb.connect(str(db), read_only=True).execute("select count(*) from dim_users").fetchall() == [(1000,)]
