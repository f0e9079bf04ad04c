"""The profile staging on Spark gives what it gives on DuckDB (issue 16, the part that is ported).

One project copy whose seed holds the sample plus records with every kind of problem (bad
numbers, unknown levels, odd spelling, exact and conflicting repeats, a missing id, unknown
interests) is built twice, on DuckDB and on local Spark, with the same selection: the seeds and the
profile staging with its tests and unit tests (selector ``spark_ported``). The valid users, their interests
and the quarantine with its reasons must be equal, row by row.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import BIN, ROOT, dbt_env, project_copy
from tests.python.spark_support import require_spark

pytestmark = pytest.mark.dbt

# The models that run on Spark today, with their tests (selectors.yml, README "Apache Spark").
SPARK_STAGING = ["--selector", "spark_ported"]

# Records appended to the sample seed, one per line: 9001 odd spacing and case with an unknown
# interest; 9002 not a number and an unknown level; 9003 a percentage CTR and negative likes; no id
# and missing values; 9001's exact repeat; two conflicting copies of 9004; 9005 hours above 24 and
# followers not whole.
BAD_RECORDS = """\
9001, 25-34 ,FEMALE,urban,hindi,phd,10,5,mobile + desktop,2,3,0.1,0.05,30,100K+," gaming ,Gaming,, Knitting ,pet care"
9002,17-,Male,Rural,English,Master,many,5,Tablet,2,3,0.1,0.05,30,0-20k,Gaming
9003,35-44,Male,Rural,English,Master,-4,5,Tablet,2,3,12.5,0.05,30,0-20k,Gaming
,35-44,,Rural,English,Master,4,,Tablet,2,3,0.5,0.05,30,0-20k,
9001, 25-34 ,FEMALE,urban,hindi,phd,10,5,mobile + desktop,2,3,0.1,0.05,30,100K+," gaming ,Gaming,, Knitting ,pet care"
9004,45-54,Female,Urban,Spanish,Bachelor,1,2,Desktop Only,1,1,0.2,0.1,10,20k-40k,Travel and Adventure
9004,45-54,Female,Urban,Spanish,Bachelor,1,3,Desktop Only,1,1,0.2,0.1,10,20k-40k,Travel and Adventure
9005,65+,Male,Suburban,Mandarin,Technical,1,2.5,Mobile Only,25,1,0.2,0.1,10,80k-100k,Gaming
"""

VALID_USERS = """
    select user_id, source_row_number, age::varchar, age_order, age_lower_years, age_upper_years,
        gender::varchar, location::varchar, language::varchar, education_level::varchar, education_order,
        device_usage::varchar, income_level::varchar, income_order, income_lower_usd, income_upper_usd,
        likes_and_reactions, followed_accounts, weekday_hours_online, weekend_hours_online,
        click_through_rate, conversion_rate, ad_interaction_seconds,
        array_to_string(interests, '|'), interest_mask, array_to_string(other_interests, '|')
    from {schema}.stg_user_profiles order by user_id
"""
SPARK_VALID_USERS = VALID_USERS.replace("::varchar", "").replace("array_to_string", "array_join")
QUARANTINE = """
    select source_row_number, raw_user_id, raw_top_interests, array_to_string(rejection_codes, '|'),
        rejection_summary
    from {schema}.rejected_user_profiles order by source_row_number
"""
INTERESTS = "select user_id, interest, is_known_interest from {schema}.stg_user_interests order by 1, 2"


def _project_with_bad_records(folder: Path) -> Path:
    folder.mkdir()
    project = project_copy(folder)
    seed = project / "seeds" / "raw_user_profiles.csv"
    seed.write_text(seed.read_text(encoding="utf-8") + BAD_RECORDS, encoding="utf-8")
    return project


def _dbt(project: Path, folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
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


def _spark_rows(spark_dir: Path, queries: list[str]) -> list[list[tuple]]:
    """Rows of Spark SQL queries on the metastore and warehouse a finished dbt run left."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(spark_dir / "spark-warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=false",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir}")
        .enableHiveSupport()
        .getOrCreate()
    )
    try:
        return [[tuple(row) for row in spark.sql(query).collect()] for query in queries]
    finally:
        spark.stop()


def _normalised(rows: list[tuple]) -> list[tuple]:
    """Floats rounded to 12 significant digits (engines may differ in the last bit)."""
    return [tuple(float(f"{v:.12g}") if isinstance(v, float) else v for v in row) for row in rows]


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory) -> tuple[list[list[tuple]], list[list[tuple]], str]:
    require_spark()
    root = tmp_path_factory.mktemp("spark_staging")
    project = _project_with_bad_records(root / "project")
    duck = _dbt(project, root / "duckdb", *SPARK_STAGING)
    assert duck.returncode == 0, duck.stdout[-4000:]
    spark = _dbt(project, root / "spark", *SPARK_STAGING, "--target", "spark")
    assert spark.returncode == 0, spark.stdout[-6000:]
    # A selection is not published: DuckDB's tables are in its build file (publish.py).
    con = duckdb.connect(str(root / "duckdb" / "w.duckdb.build"), read_only=True)
    try:
        duck_rows = [con.execute(q.format(schema="main")).fetchall() for q in (VALID_USERS, QUARANTINE, INTERESTS)]
    finally:
        con.close()
    spark_queries = [SPARK_VALID_USERS, QUARANTINE.replace("array_to_string", "array_join"), INTERESTS]
    spark_rows = _spark_rows(root / "spark" / "spark", [q.format(schema="segmentation") for q in spark_queries])
    return duck_rows, spark_rows, spark.stdout


def test_every_staging_node_ran_on_spark(both_engines) -> None:
    output = both_engines[2]
    assert "ERROR=0" in output and "SKIP=0" in output, output[-3000:]


def test_valid_users_are_equal_on_both_engines(both_engines) -> None:
    duck, spark, _ = both_engines
    # The sample's 1,000 users and 9001 (odd spelling; its exact repeat is quarantined).
    assert len(duck[0]) == 1001 and duck[0][-1][0] == 9001
    assert _normalised(spark[0]) == _normalised(duck[0])


def test_the_quarantine_is_equal_on_both_engines(both_engines) -> None:
    duck, spark, _ = both_engines
    # 9002, 9003, the record without an id, 9001's repeat, both copies of 9004, 9005.
    assert len(duck[1]) == 7
    assert spark[1] == duck[1]


def test_interests_are_equal_on_both_engines(both_engines) -> None:
    duck, spark, _ = both_engines
    assert spark[2] == duck[2]


def test_spark_wrote_only_under_its_folder(both_engines) -> None:
    for name in ("metastore_db", "spark-warehouse", "derby.log"):
        assert not (ROOT / name).exists() and not Path(os.getcwd(), name).exists()
