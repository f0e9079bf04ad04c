"""Write, audit, publish: readers only ever see a build whose every model and test passed.

Each test builds the embedded sample into its own published warehouse (``SEGMENTATION_DB``;
dbt itself writes ``<that>.build``), then fails, interrupts or kills a second build at some
point and checks that what readers see (``dim_users``, ``stg_user_profiles``,
``segmentation_runs``) still comes, all of it, from the first build; and that the next
build publishes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import BIN, ROOT, dbt_env, run_dbt

pytestmark = pytest.mark.dbt


def published_run_ids(db: Path) -> dict[str, set[str]]:
    """The run ids readers see in the three tables they query first."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        latest = con.execute("select run_id from segmentation_runs order by run_recorded_at desc limit 1").fetchall()
        return {
            "dim_users": {r[0] for r in con.execute("select distinct run_id from dim_users").fetchall()},
            "stg_user_profiles": {
                r[0] for r in con.execute("select distinct run_id from stg_user_profiles").fetchall()
            },
            "segmentation_runs": {latest[0][0]},
        }
    finally:
        con.close()


def runs_recorded(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select count(*) from segmentation_runs").fetchall()[0][0]
    finally:
        con.close()


def one_build(db: Path) -> str:
    """Every reader table carries one and the same run id; returns it."""
    ids = published_run_ids(db)
    assert all(len(v) == 1 for v in ids.values()), ids
    assert len(set.union(*ids.values())) == 1, ids
    return next(iter(ids["dim_users"]))


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "w.duckdb"
    first = run_dbt(db, "build")
    assert first.returncode == 0, first.output[-3000:]
    assert "Published:" in first.output
    assert not Path(f"{db}.build").exists(), "a published build leaves no build file behind"
    return db, one_build(db)


def start_build(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    environment = {**dbt_env(db, target="target-bg"), **(env or {})}
    return subprocess.Popen(
        [str(BIN / "dbt"), "build", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for(process: subprocess.Popen, marker: str, timeout: float = 240) -> str:
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


def test_a_failing_test_publishes_nothing_and_keeps_its_tables(published) -> None:
    db, first = published
    # No segment can hold 60% of the users when there are at least two: the min-share test fails.
    failed = run_dbt(db, "build", vars_yaml="{min_segment_share: 0.6, min_segment_share_severity: error}")
    assert failed.returncode != 0
    assert "Not published: 1 node(s) failed" in failed.output, failed.output[-3000:]
    assert str(db) in failed.output and f"{db}.build" in failed.output
    assert "Traceback" not in failed.output
    assert one_build(db) == first and runs_recorded(db) == 1
    build = duckdb.connect(f"{db}.build", read_only=True)
    try:  # the failed build's own tables, for debugging
        assert build.execute("select count(distinct run_id) from int_labelled_users").fetchall() == [(1,)]
        assert build.execute("select distinct run_id::varchar from int_labelled_users").fetchall()[0][0] != first
    finally:
        build.close()
    again = run_dbt(db, "build")
    assert again.returncode == 0, again.output[-3000:]
    assert one_build(db) != first and runs_recorded(db) == 2  # the failed build is not in the history


def test_a_partial_build_is_not_published(published) -> None:
    db, first = published
    partial = run_dbt(db, "build", "--select", "stg_user_profiles")
    assert partial.returncode == 0, partial.output[-3000:]
    assert "Not published: only a full `dbt build`" in partial.output
    assert one_build(db) == first


@pytest.mark.parametrize(
    "marker",
    [
        "START sql table model main.base_user_profiles__checked",  # staging
        "START python table model main.int_segmentation_k_sweep",  # the Python step
        "START test assert_every_valid_user_has_one_segment",  # the tests
    ],
    ids=["staging", "python", "tests"],
)
def test_kill_9_during_the_build_leaves_the_publication(published, marker: str) -> None:
    db, first = published
    build = start_build(db)
    wait_for(build, marker)
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL
    assert one_build(db) == first and runs_recorded(db) == 1
    again = run_dbt(db, "build")
    assert again.returncode == 0, again.output[-3000:]
    assert one_build(db) != first and runs_recorded(db) == 2


def test_kill_9_inside_the_publish_step_leaves_the_publication(published) -> None:
    db, first = published
    # The build is checkpointed and about to be renamed over the published file.
    build = start_build(db, env={"SEGMENTATION_PUBLISH_PAUSE": "60"})
    wait_for(build, "pausing 60 s before publishing")
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    assert one_build(db) == first and runs_recorded(db) == 1
    again = run_dbt(db, "build")
    assert again.returncode == 0, again.output[-3000:]
    assert runs_recorded(db) == 2


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("select distinct run_id from dim_users").fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.execute("select distinct run_id from dim_users").fetchall()[0][0], flush=True)
con.close()
"""


def test_readers_keep_reading_while_a_build_publishes(published) -> None:
    db, first = published
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout.readline().strip() == first
        again = run_dbt(db, "build")  # the reader holds the published file open meanwhile
        assert again.returncode == 0, again.output[-3000:]
        assert "Published:" in again.output
        out, _ = reader.communicate("next\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert out.strip() == first, "an open connection keeps the build it opened"
    assert one_build(db) != first, "a new connection sees the new build"


HOLD_FOR_WRITING = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


@pytest.mark.parametrize("held", ["build", "published"])
def test_a_held_warehouse_is_refused_plainly(published, held: str) -> None:
    db, first = published
    path = f"{db}.build" if held == "build" else str(db)  # another build, or a writer on the published file
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR_WRITING, path], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        refused = run_dbt(db, "build")
        assert refused.returncode != 0
        assert "Traceback" not in refused.output
        if held == "build":
            assert "is in use by another process" in refused.output, refused.output[-3000:]
            assert f"process {holder.pid}" in refused.output
        else:
            assert f"The published warehouse {db} cannot be read" in refused.output, refused.output[-3000:]
    finally:
        holder.communicate("release\n", timeout=60)
    assert one_build(db) == first
    again = run_dbt(db, "build")
    assert again.returncode == 0, again.output[-3000:]


@pytest.mark.parametrize(
    ("which", "select", "exclude", "failures", "skipped", "exists", "publishes"),
    [
        ("build", (), (), 0, 0, True, True),
        ("build", (), (), 1, 0, True, False),
        ("build", (), (), 0, 2, True, False),
        ("build", ("stg_user_profiles",), (), 0, 0, True, False),
        ("build", (), ("test_type:unit",), 0, 0, True, False),
        ("run", (), (), 0, 0, True, False),
        # Only another package's nodes (a checker), nothing published yet: none of our tables.
        ("build", ("package:dbt_project_evaluator",), (), 0, 0, False, True),
        ("build", ("package:dbt_project_evaluator",), (), 0, 0, True, False),
        ("build", ("package:user_segmentation",), (), 0, 0, False, False),
        ("build", ("package:dbt_project_evaluator",), (), 1, 0, False, False),
    ],
)
def test_publish_decision(monkeypatch, which, select, exclude, failures, skipped, exists, publishes) -> None:
    from types import SimpleNamespace

    from user_segmentation import publish

    flags = SimpleNamespace(WHICH=which, SELECT=select, EXCLUDE=exclude, SELECTOR=None, RESOURCE_TYPE=())
    monkeypatch.setattr(publish, "_flags", lambda: flags)
    assert (publish.publish_decision(failures, skipped, exists) is None) is publishes
