"""Bad settings stop the build at start-up with a sentence, not a traceback.

Each case runs the real ``dbt build`` in a subprocess (conftest ``run_dbt``) on the embedded
1,000-row sample or a small file: the var checks (macro ``validate_settings``, on-run-start),
the environment checks (``user_segmentation.settings_check``, from the plugin), the overrides
seed's tests and the rejected-share tests.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from dbt_common.exceptions import DbtRuntimeError

from tests.python.conftest import BIN, ROOT, DbtRun, project_copy, run_dbt, yaml_string
from user_segmentation import settings_check


def assert_stopped(run, *words: str, models_ran: bool = False) -> None:
    """Non-zero exit, no traceback, every word in the output; no model built unless told."""
    assert run.returncode != 0, run.output[-3000:]
    assert "Traceback" not in run.output, run.output[-3000:]
    for word in words:
        assert word in run.output, f"{word!r} not in:\n{run.output[-3000:]}"
    if not models_ran:
        assert "OK created" not in run.output and "OK loaded seed" not in run.output, run.output[-3000:]


# (vars, words the message must hold: the setting and its allowed range)
BAD_VARS = [
    ("{k: 1}", ["vars.k ", "'auto' or a whole number from 2 to 100", "got 1"]),
    ("{k: 0}", ["vars.k ", "'auto' or a whole number from 2 to 100", "got 0"]),
    ("{k: abc}", ["vars.k ", "'auto' or a whole number from 2 to 100", '"abc"']),
    ("{k: 2.5}", ["vars.k ", "whole number"]),
    ("{k_min: 6, k_max: 3}", ["vars.k_min and vars.k_max", "2 <= k_min <= k_max <= 100"]),
    ("{k_min: 1}", ["vars.k_min", "from 2 to 100"]),
    ("{fit_sample_size: 0}", ["vars.fit_sample_size", ">= 10", "largest k = 8"]),
    ("{k: 20, selection_sample_size: 15}", ["vars.selection_sample_size", ">= 21"]),
    ("{silhouette_sample_size: lots}", ["vars.silhouette_sample_size", ">= 10"]),
    ("{seed: -1}", ["vars.seed", "from 0 to 4294967295"]),
    ("{n_init: 0}", ["vars.n_init", "from 1 to 1000"]),
    ("{stability_resamples: 1}", ["vars.stability_resamples", "0 (no stability score) or a whole number from 2"]),
    ("{min_segment_share: 2}", ["vars.min_segment_share", "0 <= min_segment_share < 1"]),
    ("{min_segment_share: -0.1}", ["vars.min_segment_share", "0 <= min_segment_share < 1"]),
    ("{min_segment_share_severity: loud}", ["vars.min_segment_share_severity", "warn | error"]),
    ("{min_cell_users: 0}", ["vars.min_cell_users", ">= 1"]),
    ("{interest_index_threshold: 0}", ["vars.interest_index_threshold", "> 0"]),
    ("{report_top_traits: 0}", ["vars.report_top_traits", ">= 1"]),
    ("{histogram_bins: 500}", ["vars.histogram_bins", "from 1 to 200"]),
    ("{input_encoding: ebcdic}", ["vars.input_encoding", "utf-8", "latin-1", "utf-16"]),
    ("{max_rejected_share: 1.5}", ["vars.max_rejected_share", "0 <= max_rejected_share <= 1"]),
    ("{max_rejected_share_severity: never}", ["vars.max_rejected_share_severity", "warn | error"]),
    ("{cluster_features: {no_such_feature: {weight: 1}}}", ["vars.cluster_features", "unknown feature"]),
]


@pytest.mark.dbt
@pytest.mark.parametrize(("vars_yaml", "words"), BAD_VARS, ids=[case[0] for case in BAD_VARS])
def test_bad_var_stops_before_any_model(tmp_path: Path, vars_yaml: str, words: list[str]) -> None:
    run = run_dbt(tmp_path / "w.duckdb", "build", vars_yaml=vars_yaml)
    assert_stopped(run, *words)


@pytest.mark.dbt
def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    run = run_dbt(tmp_path / "w.duckdb", "build", vars_yaml="{k: abc, n_init: 0, histogram_bins: 0}")
    assert_stopped(run, "3 problems; nothing was built", "vars.k ", "vars.n_init", "vars.histogram_bins")


@pytest.mark.dbt
def test_bad_input_format_declaration(tmp_path: Path) -> None:
    import yaml

    spec = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["input_format"]
    spec["levels"]["gender"]["levels"] = ["Female", "Female"]
    spec["levels"]["location"]["levels"] = []
    spec["interests"] = [f"Interest {i}" for i in range(32)]
    spec["numeric_columns"]["followed_accounts"]["max"] = -1
    run = run_dbt(tmp_path / "w.duckdb", "build", vars_yaml=yaml.safe_dump({"input_format": spec}))
    assert_stopped(
        run,
        "vars.input_format.levels.gender.levels: 'Female' is listed twice",
        "vars.input_format.levels.location.levels must not be empty",
        "at most 31 interests",
        "vars.input_format.numeric_columns.followed_accounts: min (0) must be <= max (-1)",
    )


# (environment variable, value, words of the message)
BAD_ENVIRONMENT = [
    ("SEGMENTATION_MEMORY_LIMIT", "lots", ["SEGMENTATION_MEMORY_LIMIT='lots'", "KB, MB, GB, TB", "KiB, MiB", "%"]),
    ("SEGMENTATION_MEMORY_LIMIT", "1200", ["SEGMENTATION_MEMORY_LIMIT='1200'", "<number><unit>"]),
    ("SEGMENTATION_MEMORY_LIMIT", "200%", ["SEGMENTATION_MEMORY_LIMIT='200%'", "at most 100%"]),
    ("SEGMENTATION_STORAGE_VERSION", "1.4", ["SEGMENTATION_STORAGE_VERSION='1.4'", "v1.4.0", "'latest'"]),
]


@pytest.mark.dbt
@pytest.mark.parametrize(("name", "value", "words"), BAD_ENVIRONMENT, ids=[f"{c[0]}={c[1]}" for c in BAD_ENVIRONMENT])
def test_bad_environment_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: list[str]
) -> None:
    monkeypatch.setenv(name, value)
    run = run_dbt(tmp_path / "w.duckdb", "build")
    assert_stopped(run, *words)


def _read_only_folder() -> Path | None:
    """A folder on a file system nobody can write to (or None where there is none)."""
    for candidate in (Path("/proc/self"), Path("/sys/kernel")):
        try:
            with open(candidate / "probe", "w"):
                pass
        except OSError:
            return candidate
    return None


def run_dbt_in(project: Path, db: Path, *args: str, vars_yaml: str | None = None) -> DbtRun:
    """``dbt <args>`` in ``project`` (the project root or a copy of it) against ``db``."""
    return run_dbt(db, *args, vars_yaml=vars_yaml, project=project)


@pytest.mark.dbt
def test_warehouse_on_read_only_file_system(tmp_path: Path) -> None:
    folder = _read_only_folder()
    if folder is None:
        pytest.skip("no read-only folder on this machine")
    db = folder / "segmentation" / "w.duckdb"
    run = _run_with_db(tmp_path, db)
    assert_stopped(run, f"SEGMENTATION_DB={db}", "read-only or not writable")


def _run_with_db(tmp_path: Path, db: Path) -> DbtRun:
    """``dbt build`` from the project root with SEGMENTATION_DB=db, logs and target in tmp_path."""
    env = {
        **os.environ,
        "SEGMENTATION_DB": str(db),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_PROJECT_DIR": str(ROOT),
        "DBT_USE_COLORS": "false",
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
    }
    done = subprocess.run([str(BIN / "dbt"), "build"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return DbtRun(done.returncode, done.stdout + done.stderr, db)


def test_settings_check_functions(tmp_path: Path) -> None:
    for good in ("1200MB", "1.5 GB", "2gib", "1 TiB", "50%", "0.5%"):
        settings_check.check_memory_limit(good)
    for bad in ("lots", "100", "10B", "10MB", "0%", "-1", ""):
        with pytest.raises(DbtRuntimeError, match="SEGMENTATION_MEMORY_LIMIT"):
            settings_check.check_memory_limit(bad)
    for good in ("v1.4.0", "v2.0.0", "latest"):
        settings_check.check_storage_version(good)
    for bad in ("1.4.0", "v1.4", "newest"):
        with pytest.raises(DbtRuntimeError, match="v1.4.0"):
            settings_check.check_storage_version(bad)
    settings_check.check_warehouse_path(str(tmp_path / "new" / "w.duckdb"))
    assert (tmp_path / "new").is_dir()
    settings_check.check_warehouse_path(":memory:")
    for name in ("my-warehouse.duckdb", "2026 build.duckdb"):
        with pytest.raises(DbtRuntimeError, match="database name, which must be letters, digits and underscores"):
            settings_check.check_warehouse_path(str(tmp_path / name))
    with pytest.raises(DbtRuntimeError, match="is a folder"):
        settings_check.check_warehouse_path(str(tmp_path))
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(DbtRuntimeError, match="cannot be created"):
        settings_check.check_warehouse_path(str(blocker / "w.duckdb"))


# ------------------------------------------------------------------ the overrides seed


@pytest.fixture
def overrides_project(tmp_path: Path):
    """A copy of the project whose seeds/segment_name_overrides.csv the test writes."""
    (tmp_path / "project").mkdir()
    project = project_copy(tmp_path / "project")

    def write(text: str) -> Path:
        (project / "seeds" / "segment_name_overrides.csv").write_text(text)
        return project

    return write


def _written(run: DbtRun) -> DbtRun:
    """The run with the file it wrote: the published one, or the build file of a run that failed."""
    build = Path(f"{run.db}.build")
    return dataclasses.replace(run, db=build) if build.exists() else run


def _failures(run, test_name: str) -> list[str]:
    con = duckdb.connect(str(_written(run).db), read_only=True)
    try:
        schema = con.execute("select schema_name from duckdb_tables() where table_name = ?", [test_name]).fetchall()
        return [row[0] for row in con.execute(f'select * from "{schema[0][0]}"."{test_name}"').fetchall()]
    finally:
        con.close()


@pytest.mark.dbt
def test_bad_overrides_seed_stops_before_dim_segments(tmp_path: Path, overrides_project) -> None:
    project = overrides_project(
        "segment_id,segment_name,segment_description\n1,Night owls,x\n2,,y\n1,Again,z\n9,Ghost,w\n"
    )
    run = run_dbt_in(project, tmp_path / "w.duckdb", "build")
    assert_stopped(
        run,
        "segment_name_overrides_csv_segment_id_once_per_row",
        "segment_name_overrides_csv_segment_name_filled_in",
        "SKIP relation main.dim_segments",
        models_ran=True,
    )
    assert _failures(run, "segment_name_overrides_csv_segment_id_once_per_row") == [
        "seeds/segment_name_overrides.csv row 3 (line 4): segment_id 1 repeats row 1 "
        "(each segment_id may appear once; delete one of the two rows)"
    ]
    assert _failures(run, "segment_name_overrides_csv_segment_name_filled_in") == [
        "seeds/segment_name_overrides.csv row 2 (line 3): segment_name is blank (fill it in or delete the row)"
    ]
    # The post-hook keeps one row per id even though the file has two.
    assert (
        _written(run).scalar("select count(*) - count(distinct segment_id) from main_seeds.segment_name_overrides") == 0
    )


@pytest.mark.dbt
def test_unknown_override_id_warns(tmp_path: Path, overrides_project) -> None:
    project = overrides_project("segment_id,segment_name,segment_description\n1,Night owls,x\n9,Ghost,w\n")
    run = run_dbt_in(project, tmp_path / "w.duckdb", "build")
    assert run.returncode == 0, run.output[-3000:]
    assert "WARN 1 segment_name_overrides_csv_segment_id_is_a_segment" in run.output
    (message,) = _failures(run, "segment_name_overrides_csv_segment_id_is_a_segment")
    assert message.startswith("seeds/segment_name_overrides.csv row 2 (line 3): segment_id 9 is not a segment")
    assert run.scalar("select count(*) from main.dim_segments where segment_name = 'Night owls'") == 1


# ------------------------------------------------------------------ rejected rows


@pytest.fixture(scope="module")
def percent_ctr_csv(tmp_path_factory) -> Path:
    """The embedded sample with click-through rates written as percentages in 94% of rows."""
    path = tmp_path_factory.mktemp("percent") / "percent_ctr.csv"
    with (ROOT / "seeds" / "raw_user_profiles.csv").open(newline="") as source:
        rows = list(csv.DictReader(source))
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for i, row in enumerate(rows):
            if i % 100 < 94:
                row["Click-Through Rates (CTR)"] = str(round(float(row["Click-Through Rates (CTR)"]) * 100, 2))
            writer.writerow(row)
    return path


@pytest.mark.dbt
def test_mostly_rejected_input_warns(tmp_path: Path, percent_ctr_csv: Path) -> None:
    run = run_dbt(tmp_path / "w.duckdb", "build", vars_yaml="{input_path: " + yaml_string(str(percent_ctr_csv)) + "}")
    assert run.returncode == 0, run.output[-3000:]
    assert "WARN 1 assert_rejected_share_below_max" in run.output
    assert "WARN 1 assert_rate_columns_are_fractions" in run.output
    (share,) = _failures(run, "assert_rejected_share_below_max")
    assert " of 1000 input rows were rejected" in share and "max_rejected_share = 0.1" in share
    assert "click_through_rate: out_of_range" in share
    (rate,) = _failures(run, "assert_rate_columns_are_fractions")
    assert rate.startswith("click_through_rate looks like percentages") and "divide the column by 100" in rate


@pytest.mark.dbt
def test_mostly_rejected_input_stops_with_error_severity(tmp_path: Path, percent_ctr_csv: Path) -> None:
    vars_yaml = "{input_path: " + yaml_string(str(percent_ctr_csv)) + ", max_rejected_share_severity: error}"
    run = run_dbt(tmp_path / "w.duckdb", "build", vars_yaml=vars_yaml)
    assert_stopped(run, "FAIL 1 assert_rejected_share_below_max", "SKIP relation main.dim_segments", models_ran=True)


def test_out_of_memory_names_the_build_setting(monkeypatch) -> None:
    """A real DuckDB out-of-memory error through dbt-duckdb's error handler, as a model meets it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    from user_segmentation import out_of_memory

    out_of_memory.install()
    out_of_memory.install()  # idempotent: wrapped once
    monkeypatch.setenv("SEGMENTATION_MEMORY_LIMIT", "64MB")
    con = duckdb.connect(config={"memory_limit": "64MB", "threads": "1"})
    manager = DuckDBConnectionManager.__new__(DuckDBConnectionManager)
    manager.rollback_if_open = lambda: None
    with pytest.raises(DbtRuntimeError) as raised, manager.exception_handler("select ...", "model.test"):
        con.sql("select list(range) from range(100000000)").fetchall()
    message = str(raised.value)
    assert "Out of Memory" in message and "SEGMENTATION_MEMORY_LIMIT=4GB" in message and "64MB" in message
    assert "SET memory_limit='" not in message and len(message.splitlines()) <= 4
    # Other errors pass through as dbt-duckdb made them.
    with pytest.raises(DbtRuntimeError, match="Catalog Error"), manager.exception_handler("select", "model.test"):
        con.sql("select * from no_such_table").fetchall()


def test_python_model_errors_of_our_own_are_sentences() -> None:
    """The k sweep's input errors and out-of-memory errors leave a Python model without a traceback."""
    from dbt.adapters.duckdb.environments import Environment

    from user_segmentation import out_of_memory

    out_of_memory.install()
    con = duckdb.connect()
    for body, expected in (
        (
            "from user_segmentation.clustering import ClusteringInputError\n"
            "    raise ClusteringInputError('k = 3 needs at least 3 distinct users')",
            "k = 3 needs at least 3",
        ),
        (
            "import duckdb\n    raise duckdb.OutOfMemoryException('Out of Memory Error: could not allocate')",
            "SEGMENTATION_MEMORY_LIMIT",
        ),
    ):
        # What dbt compiles a Python model into: the model, and a dbtObj wrapper around refs.
        code = f"def model(dbt, session):\n    {body}\n\n\nclass dbtObj:\n    def __init__(self, load):\n        pass\n"
        with pytest.raises(DbtRuntimeError) as raised:
            Environment.run_python_job(con, None, "int_segmentation_k_sweep", code, None)
        assert expected in str(raised.value) and "Traceback" not in str(raised.value)
        assert raised.value.msg.startswith("Python model int_segmentation_k_sweep: ")
