"""The profile staging on Spark gives what it gives on DuckDB (issue 16, the part that is ported).

One project copy whose seed holds the sample plus records with every kind of problem (bad
numbers, unknown levels, odd spelling, exact and conflicting repeats, a missing id, unknown
interests) is built twice, on DuckDB and on local Spark, with the same selection: the seeds and the
profile staging with its tests and unit tests (selector ``spark_ported``). The valid users, their interests
and the quarantine with its reasons must be equal, row by row.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

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

# The same three queries on both engines, through `user-segmentation query` (CSV text). Levels as
# text (DuckDB ENUMs), lists joined (DuckDB array_to_string, Spark array_join).
VALID_USERS = """
    select user_id, source_row_number, age::string as age, age_order, age_lower_years, age_upper_years,
        gender::string as gender, location::string as location, language::string as language,
        education_level::string as education_level, education_order, device_usage::string as device_usage,
        income_level::string as income_level, income_order, income_lower_usd, income_upper_usd,
        likes_and_reactions, followed_accounts, weekday_hours_online, weekend_hours_online,
        click_through_rate, conversion_rate, ad_interaction_seconds,
        {join}(interests, '|') as interests, interest_mask, {join}(other_interests, '|') as other_interests
    from stg_user_profiles order by user_id
"""
QUARANTINE = """
    select source_row_number, raw_user_id, raw_top_interests, {join}(rejection_codes, '|') as codes,
        rejection_summary
    from rejected_user_profiles order by source_row_number
"""
INTERESTS = "select user_id, interest, is_known_interest from stg_user_interests order by 1, 2"
QUERIES = {"users": VALID_USERS, "quarantine": QUARANTINE, "interests": INTERESTS}


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


def _query(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """``user-segmentation query`` on the Spark build in ``folder`` (``--target spark`` is the caller's)."""
    environment = {key: value for key, value in os.environ.items() if key not in {"SPARK_REMOTE", "MASTER"}}
    environment.update(SEGMENTATION_SPARK_DIR=str(folder / "spark" / "spark"), SEGMENTATION_SPARK_MASTER="local[1]")
    environment.pop("SEGMENTATION_SPARK_REMOTE", None)
    return subprocess.run(
        [str(BIN / "user-segmentation"), "query", "--profiles-dir", str(ROOT), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _csv(done: subprocess.CompletedProcess) -> list[list[str]]:
    assert done.returncode == 0, done.stderr[-3000:]
    return list(csv.reader(io.StringIO(done.stdout)))


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory) -> tuple[dict, dict, str, Path]:
    require_spark()
    root = tmp_path_factory.mktemp("spark_staging")
    project = _project_with_bad_records(root / "project")
    duck = _dbt(project, root / "duckdb", *SPARK_STAGING)
    assert duck.returncode == 0, duck.stdout[-4000:]
    spark = _dbt(project, root / "spark", *SPARK_STAGING, "--target", "spark")
    assert spark.returncode == 0, spark.stdout[-6000:]
    # A selection is not published: DuckDB's tables are in its build file (publish.py).
    duck_db = str(root / "duckdb" / "w.duckdb.build")
    duck_rows = {
        name: _csv(_query(root, "--db", duck_db, q.format(join="array_to_string"))) for name, q in QUERIES.items()
    }
    spark_rows = {
        name: _csv(_query(root, "--target", "spark", q.format(join="array_join"))) for name, q in QUERIES.items()
    }
    return duck_rows, spark_rows, spark.stdout, root


def test_every_staging_node_ran_on_spark(both_engines) -> None:
    output = both_engines[2]
    assert "ERROR=0" in output and "SKIP=0" in output, output[-3000:]


def test_valid_users_are_equal_on_both_engines(both_engines) -> None:
    duck, spark, *_ = both_engines
    # A header, the sample's 1,000 users and 9001 (odd spelling; its exact repeat is quarantined).
    assert len(duck["users"]) == 1 + 1001 and duck["users"][-1][0] == "9001"
    assert spark["users"] == duck["users"]


def test_the_quarantine_is_equal_on_both_engines(both_engines) -> None:
    duck, spark, *_ = both_engines
    # 9002, 9003, the record without an id, 9001's repeat, both copies of 9004, 9005.
    assert len(duck["quarantine"]) == 1 + 7
    assert spark["quarantine"] == duck["quarantine"]


def test_interests_are_equal_on_both_engines(both_engines) -> None:
    duck, spark, *_ = both_engines
    assert len(duck["interests"]) > 1000
    assert spark["interests"] == duck["interests"]


def test_spark_wrote_only_under_its_folder(both_engines) -> None:
    for name in ("metastore_db", "spark-warehouse", "derby.log"):
        assert not (ROOT / name).exists() and not Path(os.getcwd(), name).exists()


def test_query_on_spark_prints_csv(both_engines) -> None:
    folder = both_engines[3]
    done = _query(
        folder, "--target", "spark", "select age, count(*) as users from stg_user_profiles group by age order by age"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "age,users" and len(lines) == 1 + 6
    assert sum(int(line.split(",")[1]) for line in lines[1:]) == 1001


def test_a_failing_spark_query_stops_with_one_line(both_engines) -> None:
    done = _query(both_engines[3], "--target", "spark", "drop table stg_user_profiles")
    assert done.returncode == 2 and done.stdout == ""
    # Spark's own start-up warnings go to standard error too; ours is the last line, and no traceback.
    last = done.stderr.strip().splitlines()[-1]
    assert "the query failed on Spark" in last and "Traceback" not in done.stderr, done.stderr[-2000:]
