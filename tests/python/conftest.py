"""Shared fixtures: project paths, the public dataset, and dbt run in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_CSV = ROOT.parent / "shared" / "data" / "user_profiles_for_ads.csv"
BIN = Path(sys.executable).parent


@dataclass
class DbtRun:
    returncode: int
    output: str
    db: Path

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def scalar(self, sql: str):
        return self.query(sql)[0][0]


def dbt_env(db: Path, project: Path = ROOT, target: str = "target") -> dict[str, str]:
    """The environment of a dbt process on ``project`` whose published warehouse is ``db``."""
    return {
        **os.environ,
        "SEGMENTATION_DB": str(db),
        "DBT_PROFILES_DIR": str(project),
        "DBT_PROJECT_DIR": str(project),
        "DBT_USE_COLORS": "false",
        "DBT_LOG_PATH": str(db.parent / "logs"),
        "DBT_TARGET_PATH": str(db.parent / target),
    }


def run_dbt(db: Path, *args: str, vars_yaml: str | None = None, timeout: int = 600, project: Path = ROOT) -> DbtRun:
    """``dbt <args>`` from ``project`` (the root, or a copy) in a fresh process, against its own database file."""
    command = [str(BIN / "dbt"), *args]
    if vars_yaml is not None:
        command += ["--vars", vars_yaml]
    done = subprocess.run(
        command, cwd=project, env=dbt_env(db, project), capture_output=True, text=True, timeout=timeout
    )
    return DbtRun(done.returncode, done.stdout + done.stderr, db)


def project_copy(folder: Path) -> Path:
    """The dbt project (no venv, no warehouse) copied to ``folder``, to change a seed there
    without touching the checkout other tests (and other pytest workers) read."""
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(ROOT / name, folder / name)
    for name in ("macros", "models", "seeds", "tests/dbt"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def modified_copy(source: Path, target: Path, *statements: str) -> Path:
    """A copy of a built warehouse (dbt has exited) with some SQL applied."""
    shutil.copy(source, target)
    con = duckdb.connect(str(target))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()
    return target


def yaml_string(value: str) -> str:
    """A YAML single-quoted scalar (quotes doubled), for a path inside --vars."""
    return "'" + value.replace("'", "''") + "'"


@pytest.fixture(scope="session")
def public_csv() -> Path:
    if not PUBLIC_CSV.exists():
        pytest.skip(f"public dataset not found at {PUBLIC_CSV} (it is never in the repository)")
    return PUBLIC_CSV


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> DbtRun:
    """The embedded sample built once per test session (full dbt build, every test)."""
    run = run_dbt(tmp_path_factory.mktemp("sample") / "w.duckdb", "build")
    assert run.returncode == 0, run.output[-4000:]
    return run


@pytest.fixture(scope="session")
def public_warehouse(tmp_path_factory, public_csv: Path) -> DbtRun:
    """The public dataset built once per test session."""
    run = run_dbt(
        tmp_path_factory.mktemp("public") / "w.duckdb",
        "build",
        vars_yaml="{input_path: " + yaml_string(str(public_csv)) + "}",
    )
    assert run.returncode == 0, run.output[-4000:]
    return run


@dataclass
class ActivitySet:
    """A generated set whose planted segments live only in the activity logs."""

    folder: Path
    profiles: Path
    truth: Path
    events: Path
    orders: Path

    def vars_yaml(self, **extra: str) -> str:
        given = {
            "input_path": self.profiles,
            "interactions_path": self.events,
            "transactions_path": self.orders,
            **extra,
        }
        return "{" + ", ".join(f"{k}: {yaml_string(str(v))}" for k, v in given.items()) + "}"


def generate_activity_set(folder: Path, rows: int = 3000, seed: int = 3, suffix: str = "csv") -> ActivitySet:
    """``user-segmentation generate`` with --profile-noise: profiles without segment signal,
    and event and order logs of the same users with 4 planted segments."""
    folder.mkdir(parents=True, exist_ok=True)
    found = ActivitySet(
        folder,
        folder / f"profiles.{suffix}",
        folder / "truth.csv",
        folder / f"events.{suffix}",
        folder / f"orders.{suffix}",
    )
    command = [
        str(BIN / "user-segmentation"),
        "generate",
        "--rows",
        str(rows),
        "--seed",
        str(seed),
        "--out",
        str(found.profiles),
        "--truth",
        str(found.truth),
        "--interactions",
        str(found.events),
        "--transactions",
        str(found.orders),
        "--profile-noise",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return found


@pytest.fixture(scope="session")
def activity_set(tmp_path_factory) -> ActivitySet:
    return generate_activity_set(tmp_path_factory.mktemp("activity_set"))


@pytest.fixture(scope="session")
def activity_warehouse(tmp_path_factory, activity_set: ActivitySet) -> DbtRun:
    """The 3,000-user activity set built once per session, with both logs."""
    run = run_dbt(tmp_path_factory.mktemp("activity") / "w.duckdb", "build", vars_yaml=activity_set.vars_yaml())
    assert run.returncode == 0, run.output[-4000:]
    return run
