"""Spark and DuckDB find the same 6 planted segments (issue 16; helpers in spark_parity.py).

A generated Parquet file with 6 planted segments (``generate --segments 6``) is read as the
user's file (var ``input_path``) on both engines (seeds and models): both choose k = 6 with the
verdict ``clear``, every profile figure is equal within 1e-9 relative, the labels have an
adjusted Rand index of 1.0 against each other and at least 0.9 against the truth. Also: the
report names a missing Spark table, and var input_table is refused where it cannot be read.
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from tests.python.conftest import BIN, ROOT, dbt_env
from tests.python.spark_parity import (
    ONLY_MODELS,
    SEGMENTATION,
    assert_same_rows,
    both_engines,
    build_both,
    labels_ari,
    make_project,
    run_tool,
)
from tests.python.spark_support import require_spark

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def planted_on_both(tmp_path_factory) -> tuple[dict, dict, list[list[str]]]:
    require_spark()
    root = tmp_path_factory.mktemp("spark_planted")
    generated = root / "planted.parquet"
    truth = root / "truth.csv"
    done = subprocess.run(
        [str(BIN / "user-segmentation"), "generate", "--rows", "3000", "--seed", "7", "--segments", "6"]
        + ["--out", str(generated), "--truth", str(truth)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seed = (ROOT / "seeds" / "raw_user_profiles.csv").read_text(encoding="utf-8")
    project = make_project(root / "project", seed)
    # The user's Parquet file (input_path) on both engines, seeds and models (the sample's build in
    # test_spark_parity_sample.py runs every test on both engines).
    path = str(generated).replace("'", "''")
    build_both(root, project, "--vars", f"{{input_path: '{path}'}}", *ONLY_MODELS)
    duck, spark = both_engines(root, SEGMENTATION, root / "duckdb" / "w.duckdb.build", published=False)
    return duck, spark, list(csv.reader(io.StringIO(truth.read_text(encoding="utf-8"))))


def test_six_planted_segments_are_found_alike_on_both_engines(planted_on_both) -> None:
    duck, spark, truth = planted_on_both
    chosen = [row for row in duck["k_sweep"][1:] if row[-1] == "true"]
    assert [(row[0], row[5]) for row in chosen] == [("6", "clear")], duck["k_sweep"]
    for name in SEGMENTATION:
        if name != "labels":
            assert_same_rows(duck[name], spark[name], name)
    assert labels_ari(duck["labels"], spark["labels"]) == 1.0
    # And the segments are the planted ones.
    planted = dict(truth[1:])
    found = duck["labels"][1:]
    assert adjusted_rand_score([planted[user] for user, _ in found], [segment for _, segment in found]) >= 0.9


def test_the_report_names_a_missing_spark_table(tmp_path: Path) -> None:
    require_spark()
    done = run_tool(tmp_path, "report", "--target", "spark", "--out", str(tmp_path / "r.html"))
    assert done.returncode == 2 and not (tmp_path / "r.html").exists()
    last = done.stderr.strip().splitlines()[-1]
    assert "cannot read dim_segments on Spark" in last and "dbt build --target spark" in last, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def test_input_table_is_refused_where_it_cannot_be_read(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", (ROOT / "seeds" / "raw_user_profiles.csv").read_text(encoding="utf-8"))
    environment = {**dbt_env(tmp_path / "w.duckdb", project), "SEGMENTATION_SPARK_DIR": str(tmp_path / "spark")}

    def parse(*args: str) -> str:
        done = subprocess.run(
            [str(BIN / "dbt"), "parse", *args],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode != 0 and "Traceback" not in done.stdout, done.stdout[-2000:]
        return done.stdout

    on_duckdb = parse("--vars", "{input_table: crm.users}")
    assert "Input table crm.users: var input_table names a table on the Spark target" in on_duckdb, on_duckdb[-2000:]
    both = parse("--target", "spark", "--vars", "{input_table: crm.users, input_path: /data/users.parquet}")
    assert "as input_path (a file) or as input_table (a table), not both" in both, both[-2000:]
