"""The input-policy corpus on Spark: the same outcomes as on DuckDB (issue 16).

Each case of tests/python/corpus.py (its file, its expected valid and rejected counts and
reasons, or the fragments of its error) is built with ``dbt build --target spark`` on local
Spark (tests/python/spark_corpus_runner.py: one process, one SparkSession). On Spark a CSV file
is checked and split by the DuckDB target's reader and staged as Parquet
(python/user_segmentation/spark_input.py); a Parquet file is read in place. CI runs a
representative subset (``SPARK_CORPUS_SUBSET``: the header's spelling, the delimiter and decimal
comma, a malformed record, bad values, conflicting repeats, a declared encoding, an unclosed
quote, missing columns, every row invalid, Parquet); ``make corpus-spark`` runs every case
(``SEGMENTATION_SPARK_CORPUS=all``). The cases' extra ``check`` functions query DuckDB and are
not run here. The ``parquet`` case's file is also read into a Spark table and built from there
(``--vars '{input_table: ...}'``), with the same outcome.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.python.conftest import BIN, ROOT, project_copy
from tests.python.corpus import CASES, Case
from tests.python.spark_support import require_spark

pytestmark = pytest.mark.dbt

SPARK_CORPUS_SUBSET = (
    "renamed_header",
    "semicolons",
    "too_many_fields",
    "bad_numbers",
    "conflicting_duplicates",
    "latin1_declared",
    "unclosed_quote",
    "missing_columns",
    "every_row_invalid",
    "parquet",
)
COMPARED = ("valid", "rejected", "checked", "reasons")
EVERY_CASE = os.environ.get("SEGMENTATION_SPARK_CORPUS", "") == "all"
SELECTED = [case for case in CASES if EVERY_CASE or case.name in SPARK_CORPUS_SUBSET]


def test_the_subset_names_corpus_cases() -> None:
    assert len(SELECTED) == len(CASES) if EVERY_CASE else len(SELECTED) == len(SPARK_CORPUS_SUBSET)


@pytest.fixture(scope="module")
def spark_outcomes(tmp_path_factory) -> dict[str, dict]:
    require_spark()
    root = tmp_path_factory.mktemp("spark_corpus")
    (root / "project").mkdir()
    project = project_copy(root / "project")
    out = root / "outcomes.json"
    environment = {
        key: value for key, value in os.environ.items() if key not in {"SPARK_REMOTE", "SEGMENTATION_SPARK_REMOTE"}
    }
    environment.update(
        SEGMENTATION_SPARK_DIR=str(root / "spark"),
        SEGMENTATION_SPARK_MASTER="local[2]",
        DBT_TARGET_PATH=str(root / "target"),
        DBT_LOG_PATH=str(root / "logs"),
        DBT_USE_COLORS="false",
        SEGMENTATION_DB=str(root / "unused.duckdb"),
    )
    names = [case.name for case in SELECTED] + ["table:parquet"]
    done = subprocess.run(
        [str(BIN / "python"), "-m", "tests.python.spark_corpus_runner", str(out), str(project), str(root / "files")]
        + names,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60 * 60,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", SELECTED, ids=[case.name for case in SELECTED])
def test_input_file_on_spark(case: Case, spark_outcomes: dict[str, dict]) -> None:
    outcome = spark_outcomes[case.name]
    assert "Traceback" not in outcome["output"]
    if case.succeeds:
        assert outcome["succeeded"], outcome["output"][-3000:]
        assert outcome["valid"] == case.valid
        assert outcome["rejected"] == case.rejected
        assert outcome["reasons"] == case.reasons
        # Nothing lost: the checked table holds every record once, split between the two sides.
        assert outcome["checked"] == case.valid + case.rejected
    else:
        assert not outcome["succeeded"]
        for fragment in case.error:
            assert fragment in outcome["output"], f"{fragment!r} not in:\n{outcome['output'][-2000:]}"


def test_an_existing_table_reads_as_its_file_does(spark_outcomes: dict[str, dict]) -> None:
    from_table, from_file = spark_outcomes["table:parquet"], spark_outcomes["parquet"]
    assert from_table["succeeded"], from_table["output"][-3000:]
    assert from_table["valid"] > 0
    assert {k: from_table[k] for k in COMPARED} == {k: from_file[k] for k in COMPARED}


def test_the_readme_names_the_subset() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make corpus-spark" in readme
    assert all(f"`{name}`" in readme for name in SPARK_CORPUS_SUBSET), "README: the Spark corpus subset"
