"""Analysts' clients open the warehouse: DuckDB CLI 1.5 and Python duckdb 1.4 from PyPI.

The project writes with DuckDB 2.0 but asks for storage format v1.4.0 (profiles.yml
``config_options: storage_compatibility_version``, given to ``duckdb.connect`` when the
file is created). The ``pypi`` tests install each client into its own throw-away venv, cached
under ``$SEGMENTATION_CLIENT_CACHE`` (default: ``<tmp>/user-segmentation-clients``) so re-runs
are fast, and read the sample warehouse built by the session fixture. Without PyPI they skip
with the reason, except under ``CI=true``, where PyPI is reachable and they fail instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
import yaml

from tests.python.conftest import ROOT
from user_segmentation.dbt_plugin import STORAGE_SETTING, Plugin, migrate_storage, storage_version

TARGET = "v1.4.0"
CLIENTS = {"duckdb-cli": "duckdb-cli>=1.5,<1.6", "duckdb-py14": "duckdb>=1.4,<1.5"}
CACHE = Path(os.environ.get("SEGMENTATION_CLIENT_CACHE") or Path(tempfile.gettempdir()) / "user-segmentation-clients")
USERS_ROW = "select * from dim_users order by user_id limit 1"
# Every kind of column the warehouse has: ENUMs, lists, a list of structs; plus a map.
PROBE_SQL = """
create type level as enum ('low', 'mid', 'high');
create table probe as select
    'mid'::level as lvl,
    ['a', 'b'] as names,
    [1.5, 2.5] as numbers,
    [{'column': 'Age', 'code': 'bad_level', 'detail': 'x'}] as reasons,
    {'k': 1, 'v': 'w'} as pair,
    map(['x'], [1]) as m
"""
PROBE_ROW = "select lvl::varchar, names, numbers, reasons, pair, m['x'] from probe"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI reaches PyPI: this must not skip there)")
    pytest.skip(reason)


def client_venv(name: str) -> Path:
    """A venv with ``CLIENTS[name]`` installed, built once into the cache.

    Built in place (console scripts name their interpreter by absolute path, so a venv cannot
    be moved), under a lock so two test sessions do not build it at once; the stamp is written
    last, so a half-built venv is rebuilt.
    """
    spec = CLIENTS[name]
    venv = CACHE / name
    stamp = venv / ".installed"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == spec:
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        pip = [str(_bin(venv, "python")), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", spec]
        done = subprocess.run(pip, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            _unavailable(f"could not pip install {spec!r} from PyPI: {done.stderr.strip()[-500:]}")
        stamp.write_text(spec)
    return venv


def _bin(venv: Path, program: str) -> Path:
    """``program`` in the venv's scripts folder (``bin``, or ``Scripts`` on Windows)."""
    for candidate in (venv / "bin" / program, venv / "Scripts" / f"{program}.exe"):
        if candidate.exists():
            return candidate
    raise AssertionError(f"no {program} in {venv}: {sorted(p.name for p in (venv / 'bin').glob('*'))}")


def _project(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _cli_json(db: Path, sql: str) -> list[dict]:
    cli = _bin(client_venv("duckdb-cli"), "duckdb")
    done = subprocess.run([str(cli), "-readonly", "-json", str(db), sql], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "[]")


PY_CLIENT = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__}
for key, sql in json.loads(sys.argv[2]).items():
    out[key] = [[str(v) for v in row] for row in con.execute(sql).fetchall()]
print(json.dumps(out))
"""


def _py14(db: Path, queries: dict[str, str]) -> dict:
    python = _bin(client_venv("duckdb-py14"), "python")
    done = subprocess.run(
        [str(python), "-c", PY_CLIENT, str(db), json.dumps(queries)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def probe_db(tmp_path_factory) -> Path:
    """ENUM, list, struct and map columns written by the project's DuckDB 2.0 as v1.4.0."""
    db = tmp_path_factory.mktemp("probe") / "probe.duckdb"
    con = duckdb.connect(str(db), config={STORAGE_SETTING: TARGET})
    con.execute(PROBE_SQL)
    con.close()
    return db


# --- no PyPI needed -------------------------------------------------------------------------


def test_profile_sets_the_storage_version_at_creation() -> None:
    target = yaml.safe_load((ROOT / "profiles.yml").read_text(encoding="utf-8"))["user_segmentation"]["outputs"][
        "local"
    ]
    assert TARGET in target["config_options"][STORAGE_SETTING]
    assert STORAGE_SETTING not in target.get("settings", {}), "a `settings:` entry is SET after the file exists"


@pytest.mark.dbt
def test_built_warehouse_is_in_the_compatible_format(sample_warehouse) -> None:
    assert storage_version(str(sample_warehouse.db)) == f"{TARGET}+"


def _newer_format_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path), config={STORAGE_SETTING: "latest"})
    con.execute(PROBE_SQL)
    con.execute("create view probe_view as select lvl, names from probe")
    con.execute("create table segmentation_runs as select range as run from range(3)")
    con.close()


def test_a_newer_format_warehouse_is_migrated_with_its_contents(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    _newer_format_warehouse(db)
    assert storage_version(str(db)) != f"{TARGET}+"
    before = _project(db, PROBE_ROW)
    assert migrate_storage(str(db), TARGET) is True
    assert storage_version(str(db)) == f"{TARGET}+"
    assert _project(db, PROBE_ROW) == before
    assert _project(db, "select count(*) from segmentation_runs") == [(3,)]
    assert _project(db, "select lvl::varchar, names from probe_view") == [("mid", ["a", "b"])]
    assert not (tmp_path / "old.duckdb.migrating").exists()
    assert migrate_storage(str(db), TARGET) is False  # once only


def test_the_plugin_migrates_before_dbt_connects(tmp_path: Path, capsys) -> None:
    db = tmp_path / "w" / "segmentation.duckdb"
    db.parent.mkdir()
    _newer_format_warehouse(db)
    plugin = Plugin.__new__(Plugin)  # no published warehouse: the plugin migrates the file it is given
    plugin.published, plugin.build = None, None
    plugin.update_connection_config(SimpleNamespace(path=str(db)), {STORAGE_SETTING: TARGET})
    assert storage_version(str(db)) == f"{TARGET}+"
    assert "migrating it once" in capsys.readouterr().err
    # Without the setting the plugin leaves the file alone.
    _newer_format_warehouse(fresh := tmp_path / "other.duckdb")
    plugin.update_connection_config(SimpleNamespace(path=str(fresh)), {})
    assert storage_version(str(fresh)) != f"{TARGET}+"


# --- the clients, from PyPI -----------------------------------------------------------------


@pytest.mark.pypi
@pytest.mark.dbt
def test_duckdb_cli_from_pypi_reads_the_warehouse(sample_warehouse) -> None:
    db = sample_warehouse.db
    assert _cli_json(db, "select version() as v")[0]["v"].startswith("v1.5")
    segments = _cli_json(db, "select count(*) as n from dim_segments")
    assert segments == [{"n": _project(db, "select count(*) from dim_segments")[0][0]}]
    (row,) = _cli_json(db, USERS_ROW)
    expected = _project(
        db, "select user_id, age::varchar, income_level::varchar, interests from dim_users order by 1 limit 1"
    )
    assert (row["user_id"], row["age"], row["income_level"], row["interests"]) == expected[0]


@pytest.mark.pypi
@pytest.mark.dbt
def test_python_duckdb_14_from_pypi_reads_the_warehouse(sample_warehouse) -> None:
    db = sample_warehouse.db
    got = _py14(db, {"segments": "select count(*) from dim_segments", "user": USERS_ROW})
    assert got["version"].startswith("1.4.")
    assert got["segments"] == [[str(_project(db, "select count(*) from dim_segments")[0][0])]]
    assert got["user"] == [[str(v) for v in _project(db, USERS_ROW)[0]]]


@pytest.mark.pypi
def test_both_clients_read_enums_lists_structs_and_maps(probe_db: Path) -> None:
    expected = [str(v) for v in _project(probe_db, PROBE_ROW)[0]]
    assert _py14(probe_db, {"row": PROBE_ROW})["row"] == [expected]
    (row,) = _cli_json(probe_db, "select lvl, names, numbers, reasons, pair from probe")
    assert row == {
        "lvl": "mid",
        "names": ["a", "b"],
        "numbers": [1.5, 2.5],
        "reasons": [{"column": "Age", "code": "bad_level", "detail": "x"}],
        "pair": {"k": 1, "v": "w"},
    }
