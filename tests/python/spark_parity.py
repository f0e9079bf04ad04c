"""What the Spark parity tests share (issue 16): a project copy built on DuckDB and on local Spark
(``local[2]``), the Spark tables read back with the code of ``user-segmentation query --target spark``
(one session for all queries), and rows compared with floats within ``REL_TOL``.

The tests are three files, so that pytest-xdist (``--dist loadfile``) spreads their Spark builds
over its workers: ``test_spark_parity_sample.py`` (the sample with bad records, built whole),
``test_spark_parity_planted.py`` (6 planted segments from a Parquet ``input_path``) and
``test_spark_parity_activity.py`` (Parquet event and order logs).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from tests.python.conftest import BIN, ROOT, dbt_env, project_copy

# What the segmentation gave, on either engine (floats compared within REL_TOL, the rest exactly).
SEGMENTATION = {
    "k_sweep": """
        select k, silhouette, null_silhouette, silhouette_gap, stability_ari, verdict, chosen
        from segmentation_k_selection order by k
    """,
    "segments": """
        select segment_id, segment_name, users, share_of_users, segmentation_verdict
        from dim_segments order by segment_id
    """,
    "profiles": """
        select segment_id, feature, segment_mean, population_mean, z_score, index_vs_population
        from segment_feature_profiles order by segment_id, feature
    """,
    "categories": """
        select segment_id, dimension, level, users, share_in_segment
        from segment_category_profiles order by segment_id, dimension, level
    """,
    "labels": "select user_id, segment_id from dim_users order by user_id",
}
REL_TOL = 1e-9
# The Spark target's schema (profiles.yml's default): dbt builds into <it>__build, readers read it.
SPARK_SCHEMA = "segmentation"


# Seeds and models, not the tests: a build that is not whole is not published (publish.py,
# spark_publish.py), so its tables are read from the build file (``duckdb/w.duckdb.build``) and
# the Spark build schema (``both_engines(..., published=False)``).
ONLY_MODELS = ("--exclude", "resource_type:test", "resource_type:unit_test")


def make_project(folder: Path, seed_text: str) -> Path:
    """A project copy in ``folder`` whose profile seed is ``seed_text``."""
    folder.mkdir()
    project = project_copy(folder)
    (project / "seeds" / "raw_user_profiles.csv").write_text(seed_text, encoding="utf-8")
    return project


def dbt_build(project: Path, folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **dbt_env(folder / "w.duckdb", project),
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
        "SEGMENTATION_SPARK_DIR": str(folder / "spark"),
        "SEGMENTATION_SPARK_MASTER": "local[2]",
        **env,
    }
    for key in ("SPARK_REMOTE", "SEGMENTATION_SPARK_REMOTE", "MASTER"):
        environment.pop(key, None)
    return subprocess.run(
        [str(BIN / "dbt"), "build", *args], cwd=project, env=environment, capture_output=True, text=True, timeout=900
    )


def tool_env(folder: Path, published: bool = True) -> dict[str, str]:
    """The environment of ``user-segmentation`` on the Spark build in ``folder``: it reads the
    published schema, or with ``published`` false the build schema (its name as the schema)."""
    environment = {key: value for key, value in os.environ.items() if key not in {"SPARK_REMOTE", "MASTER"}}
    environment.update(SEGMENTATION_SPARK_DIR=str(folder / "spark" / "spark"), SEGMENTATION_SPARK_MASTER="local[1]")
    environment.pop("SEGMENTATION_SPARK_REMOTE", None)
    environment.pop("SEGMENTATION_SPARK_SCHEMA", None)
    if not published:
        environment["SEGMENTATION_SPARK_SCHEMA"] = f"{SPARK_SCHEMA}__build"
    return environment


def run_tool(folder: Path, command: str, *args: str) -> subprocess.CompletedProcess:
    """``user-segmentation <command> --profiles-dir <root> <args>`` (``--target spark`` is the caller's)."""
    return subprocess.run(
        [str(BIN / "user-segmentation"), command, "--profiles-dir", str(ROOT), *args],
        env=tool_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_query(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return run_tool(folder, "query", *args)


def csv_rows(done: subprocess.CompletedProcess) -> list[list[str]]:
    assert done.returncode == 0, done.stderr[-3000:]
    return list(csv.reader(io.StringIO(done.stdout)))


# Runs each query of a JSON object {name: sql} given as argv[2] with the code of `query --target
# spark` (write_spark_query_csv) in one Spark session (one JVM start, not one per query), and
# writes <name>.csv into the folder argv[1].
SPARK_QUERIES = """
import json, sys
from pathlib import Path
from user_segmentation.spark_query import spark_session, spark_target, write_spark_query_csv
profiles = Path(sys.argv[3])
spark = spark_session(spark_target(profiles)[1])
for name, sql in json.loads(sys.argv[2]).items():
    with open(Path(sys.argv[1]) / (name + ".csv"), "w", encoding="utf-8", newline="") as out:
        write_spark_query_csv(sql, out, profiles, session=spark)
spark.stop()
"""


def spark_rows(root: Path, queries: dict[str, str], published: bool = True) -> dict[str, list[list[str]]]:
    folder = root / "spark_csv"
    folder.mkdir(exist_ok=True)
    done = subprocess.run(
        [str(BIN / "python"), "-c", SPARK_QUERIES, str(folder), json.dumps(queries), str(ROOT / "profiles.yml")],
        env=tool_env(root, published),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        name: list(csv.reader(io.StringIO((folder / f"{name}.csv").read_text(encoding="utf-8")))) for name in queries
    }


def both_engines(root: Path, queries: dict[str, str], duck_db: Path, published: bool = True) -> tuple[dict, dict]:
    """Every query on the DuckDB warehouse ``duck_db`` and on the Spark tables of ``root``'s builds
    (published, or with ``published`` false those in the build schema)."""
    duck = {
        name: csv_rows(run_query(root, "--db", str(duck_db), q.format(join="array_to_string")))
        for name, q in queries.items()
    }
    spark = spark_rows(root, {name: q.format(join="array_join") for name, q in queries.items()}, published)
    return duck, spark


def build_both(root: Path, project: Path, *args: str) -> str:
    """``dbt build <args>`` of ``project`` on DuckDB and on Spark; returns both dbt outputs."""
    duck = dbt_build(project, root / "duckdb", *args)
    assert duck.returncode == 0, duck.stdout[-4000:]
    spark = dbt_build(project, root / "spark", *args, "--target", "spark")
    assert spark.returncode == 0, spark.stdout[-6000:]
    return duck.stdout + "\n=== spark ===\n" + spark.stdout


def as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def assert_same_rows(duck: list[list[str]], spark: list[list[str]], what: str) -> None:
    """Equal headers and rows; cells that both read as numbers are equal within REL_TOL."""
    assert spark[0] == duck[0], what
    assert len(spark) == len(duck), f"{what}: {len(spark) - 1} rows on Spark, {len(duck) - 1} on DuckDB"
    for line, (duck_row, spark_row) in enumerate(zip(duck[1:], spark[1:], strict=True), start=1):
        for column, duck_cell, spark_cell in zip(duck[0], duck_row, spark_row, strict=True):
            a, b = as_number(duck_cell), as_number(spark_cell)
            if a is not None and b is not None:
                assert math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12), (what, line, column, duck_cell, spark_cell)
            else:
                assert spark_cell == duck_cell, (what, line, column, duck_cell, spark_cell)


def labels_ari(duck: list[list[str]], spark: list[list[str]]) -> float:
    assert [row[0] for row in duck[1:]] == [row[0] for row in spark[1:]]
    return adjusted_rand_score([row[1] for row in duck[1:]], [row[1] for row in spark[1:]])
