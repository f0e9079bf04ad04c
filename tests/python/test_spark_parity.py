"""Spark and DuckDB build the same project to the same results (issue 16).

Three project copies are each built on DuckDB and on local Spark (``local[2]``), the Spark tables read
back with the code of ``user-segmentation query --target spark`` (one session for all queries):

- the embedded sample plus records with every kind of problem (bad numbers, unknown levels, odd
  spelling, exact and conflicting repeats, a missing id, unknown interests): the valid users,
  their interests and the quarantine with its reasons are equal row by row, and the report
  rendered from the Spark tables (``report --target spark``) says what the DuckDB one says
  (this copy is built whole: every seed, model, test and unit test);
- a generated Parquet file with 6 planted segments (``generate --segments 6``), read as the
  user's file (var ``input_path``) on both engines (seeds and models);
- generated Parquet profiles (noise) with event and order logs (``interactions_path``,
  ``transactions_path``), built whole: the activity features, the reconciliation, the activity
  grid and the segments found in the logs are the same.

On both: the same k sweep and verdict, segment labels with an adjusted Rand index of 1.0 against
each other, and every profile figure equal within 1e-9 relative.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from tests.python.conftest import BIN, ROOT, dbt_env, project_copy
from tests.python.spark_support import require_spark

pytestmark = pytest.mark.dbt

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


def _project(folder: Path, seed_text: str) -> Path:
    """A project copy in ``folder`` whose profile seed is ``seed_text``."""
    folder.mkdir()
    project = project_copy(folder)
    (project / "seeds" / "raw_user_profiles.csv").write_text(seed_text, encoding="utf-8")
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


def _tool_env(folder: Path) -> dict[str, str]:
    """The environment of ``user-segmentation`` on the Spark build in ``folder``."""
    environment = {key: value for key, value in os.environ.items() if key not in {"SPARK_REMOTE", "MASTER"}}
    environment.update(SEGMENTATION_SPARK_DIR=str(folder / "spark" / "spark"), SEGMENTATION_SPARK_MASTER="local[1]")
    environment.pop("SEGMENTATION_SPARK_REMOTE", None)
    return environment


def _tool(folder: Path, command: str, *args: str) -> subprocess.CompletedProcess:
    """``user-segmentation <command> --profiles-dir <root> <args>`` (``--target spark`` is the caller's)."""
    return subprocess.run(
        [str(BIN / "user-segmentation"), command, "--profiles-dir", str(ROOT), *args],
        env=_tool_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _query(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return _tool(folder, "query", *args)


def _csv(done: subprocess.CompletedProcess) -> list[list[str]]:
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


def _spark_rows(root: Path, queries: dict[str, str]) -> dict[str, list[list[str]]]:
    folder = root / "spark_csv"
    folder.mkdir(exist_ok=True)
    done = subprocess.run(
        [str(BIN / "python"), "-c", SPARK_QUERIES, str(folder), json.dumps(queries), str(ROOT / "profiles.yml")],
        env=_tool_env(root),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        name: list(csv.reader(io.StringIO((folder / f"{name}.csv").read_text(encoding="utf-8")))) for name in queries
    }


def _both(root: Path, queries: dict[str, str], duck_db: Path) -> tuple[dict, dict]:
    """Every query on the DuckDB warehouse ``duck_db`` and on the Spark tables of ``root``'s builds."""
    duck = {
        name: _csv(_query(root, "--db", str(duck_db), q.format(join="array_to_string"))) for name, q in queries.items()
    }
    spark = _spark_rows(root, {name: q.format(join="array_join") for name, q in queries.items()})
    return duck, spark


def _build_both(root: Path, project: Path, *args: str) -> str:
    """``dbt build <args>`` of ``project`` on DuckDB and on Spark; returns both dbt outputs."""
    duck = _dbt(project, root / "duckdb", *args)
    assert duck.returncode == 0, duck.stdout[-4000:]
    spark = _dbt(project, root / "spark", *args, "--target", "spark")
    assert spark.returncode == 0, spark.stdout[-6000:]
    return duck.stdout + "\n=== spark ===\n" + spark.stdout


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _assert_same_rows(duck: list[list[str]], spark: list[list[str]], what: str) -> None:
    """Equal headers and rows; cells that both read as numbers are equal within REL_TOL."""
    assert spark[0] == duck[0], what
    assert len(spark) == len(duck), f"{what}: {len(spark) - 1} rows on Spark, {len(duck) - 1} on DuckDB"
    for line, (duck_row, spark_row) in enumerate(zip(duck[1:], spark[1:], strict=True), start=1):
        for column, duck_cell, spark_cell in zip(duck[0], duck_row, spark_row, strict=True):
            a, b = _number(duck_cell), _number(spark_cell)
            if a is not None and b is not None:
                assert math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12), (what, line, column, duck_cell, spark_cell)
            else:
                assert spark_cell == duck_cell, (what, line, column, duck_cell, spark_cell)


def _labels_ari(duck: list[list[str]], spark: list[list[str]]) -> float:
    assert [row[0] for row in duck[1:]] == [row[0] for row in spark[1:]]
    return adjusted_rand_score([row[1] for row in duck[1:]], [row[1] for row in spark[1:]])


@pytest.fixture(scope="module")
def sample_on_both(tmp_path_factory) -> tuple[dict, dict, str, Path]:
    require_spark()
    root = tmp_path_factory.mktemp("spark_sample")
    seed = (ROOT / "seeds" / "raw_user_profiles.csv").read_text(encoding="utf-8")
    project = _project(root / "project", seed + BAD_RECORDS)
    output = _build_both(root, project)
    duck, spark = _both(root, {**QUERIES, **SEGMENTATION}, root / "duckdb" / "w.duckdb")
    return duck, spark, output, root


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
    project = _project(root / "project", seed)
    # The user's Parquet file (input_path) on both engines. The seeds and models only: the
    # sample's build above runs every test on both engines. Not a full build, so DuckDB does not
    # publish: its tables are in the build file (publish.py).
    path = str(generated).replace("'", "''")
    only_models = ("--exclude", "resource_type:test", "resource_type:unit_test")
    _build_both(root, project, "--vars", f"{{input_path: '{path}'}}", *only_models)
    duck, spark = _both(root, SEGMENTATION, root / "duckdb" / "w.duckdb.build")
    return duck, spark, list(csv.reader(io.StringIO(truth.read_text(encoding="utf-8"))))


def test_every_node_ran_on_spark(sample_on_both) -> None:
    output = sample_on_both[2]
    duck, spark = output.split("=== spark ===")
    done = [line[line.index("Done.") :] for line in spark.splitlines() if "Done." in line]
    assert done and "ERROR=0" in done[-1] and "SKIP=0" in done[-1], spark[-3000:]
    # The same seeds, models, tests and unit tests passed on both engines.
    assert done == [line[line.index("Done.") :] for line in duck.splitlines() if "Done." in line]


def test_valid_users_are_equal_on_both_engines(sample_on_both) -> None:
    duck, spark, *_ = sample_on_both
    # A header, the sample's 1,000 users and 9001 (odd spelling; its exact repeat is quarantined).
    assert len(duck["users"]) == 1 + 1001 and duck["users"][-1][0] == "9001"
    assert spark["users"] == duck["users"]


def test_the_quarantine_is_equal_on_both_engines(sample_on_both) -> None:
    duck, spark, *_ = sample_on_both
    # 9002, 9003, the record without an id, 9001's repeat, both copies of 9004, 9005.
    assert len(duck["quarantine"]) == 1 + 7
    assert spark["quarantine"] == duck["quarantine"]


def test_interests_are_equal_on_both_engines(sample_on_both) -> None:
    duck, spark, *_ = sample_on_both
    assert len(duck["interests"]) > 1000
    assert spark["interests"] == duck["interests"]


@pytest.mark.parametrize("name", [name for name in SEGMENTATION if name != "labels"])
def test_the_sample_segmentation_is_equal_on_both_engines(sample_on_both, name: str) -> None:
    duck, spark, *_ = sample_on_both
    assert len(duck[name]) > 2
    _assert_same_rows(duck[name], spark[name], name)


def test_the_sample_labels_agree_on_both_engines(sample_on_both) -> None:
    duck, spark, *_ = sample_on_both
    assert len(duck["labels"]) == 1 + 1001
    assert _labels_ari(duck["labels"], spark["labels"]) == 1.0


def test_the_report_reads_the_spark_tables(sample_on_both, tmp_path: Path) -> None:
    root = sample_on_both[3]
    from_duck = tmp_path / "duckdb.html"
    from_spark = tmp_path / "spark.html"
    done = _tool(root, "report", "--db", str(root / "duckdb" / "w.duckdb"), "--out", str(from_duck))
    assert done.returncode == 0, done.stderr[-2000:]
    done = _tool(root, "report", "--target", "spark", "--out", str(from_spark))
    assert done.returncode == 0, done.stderr[-2000:]

    def shown(path: Path) -> str:
        # The run ids and times differ between the two builds; everything else must not.
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<run id>", text)
        return re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?( UTC)?", "<time>", text)

    # Text equal, numbers (the charts' data values print every digit) equal within REL_TOL.
    number = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")
    duck_text, spark_text = shown(from_duck), shown(from_spark)
    assert "segment" in spark_text
    assert number.split(spark_text) == number.split(duck_text)
    duck_numbers, spark_numbers = number.findall(duck_text), number.findall(spark_text)
    assert len(duck_numbers) > 100
    for duck_value, spark_value in zip(duck_numbers, spark_numbers, strict=True):
        assert math.isclose(float(duck_value), float(spark_value), rel_tol=REL_TOL, abs_tol=1e-12), (
            duck_value,
            spark_value,
        )


def test_the_report_names_a_missing_spark_table(tmp_path: Path) -> None:
    require_spark()
    done = _tool(tmp_path, "report", "--target", "spark", "--out", str(tmp_path / "r.html"))
    assert done.returncode == 2 and not (tmp_path / "r.html").exists()
    last = done.stderr.strip().splitlines()[-1]
    assert "cannot read dim_segments on Spark" in last and "dbt build --target spark" in last, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def test_spark_refuses_a_csv_input_with_what_to_do(tmp_path: Path) -> None:
    require_spark()
    project = _project(tmp_path / "project", (ROOT / "seeds" / "raw_user_profiles.csv").read_text(encoding="utf-8"))
    environment = {**dbt_env(tmp_path / "w.duckdb", project), "SEGMENTATION_SPARK_DIR": str(tmp_path / "spark")}
    done = subprocess.run(
        [str(BIN / "dbt"), "parse", "--target", "spark", "--vars", "{input_path: /data/users.csv}"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "Input file /data/users.csv: on the Spark target the input is read from Parquet" in done.stdout, done.stdout[
        -2000:
    ]


def test_six_planted_segments_are_found_alike_on_both_engines(planted_on_both) -> None:
    duck, spark, truth = planted_on_both
    chosen = [row for row in duck["k_sweep"][1:] if row[-1] == "true"]
    assert [(row[0], row[5]) for row in chosen] == [("6", "clear")], duck["k_sweep"]
    for name in SEGMENTATION:
        if name != "labels":
            _assert_same_rows(duck[name], spark[name], name)
    assert _labels_ari(duck["labels"], spark["labels"]) == 1.0
    # And the segments are the planted ones.
    planted = dict(truth[1:])
    found = duck["labels"][1:]
    assert adjusted_rand_score([planted[user] for user, _ in found], [segment for _, segment in found]) >= 0.9


# The activity features and what is built on them, on either engine.
ACTIVITY = {
    "features": """
        select user_id, has_activity, events, active_days, events_per_active_day, sessions,
            mean_session_events, days_since_last_event, evening_share_of_events,
            weekend_share_of_events, orders, days_since_last_order, monetary_value, average_order_value
        from int_user_activity_features order by user_id
    """,
    "reconciliation": """
        select activity_log, rows_in_file, valid_rows, rejected_rows, unknown_user_rows, rows_after_as_of,
            counted_rows, profile_users_with_rows, profile_users_without_rows
        from segmentation_activity_reconciliation order by activity_log
    """,
    "hours": """
        select segment_id, local_weekday, local_hour, events, share_of_segment_events
        from segment_activity_hours order by segment_id, local_weekday, local_hour
    """,
    **SEGMENTATION,
}


@pytest.fixture(scope="module")
def activity_on_both(tmp_path_factory) -> tuple[dict, dict, str]:
    require_spark()
    root = tmp_path_factory.mktemp("spark_activity")
    files = {name: root / f"{name}.parquet" for name in ("users", "events", "orders")}
    done = subprocess.run(
        [str(BIN / "user-segmentation"), "generate", "--rows", "1000", "--seed", "5", "--profile-noise"]
        + ["--out", str(files["users"]), "--interactions", str(files["events"])]
        + ["--transactions", str(files["orders"]), "--events-per-user", "10"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    project = _project(root / "project", (ROOT / "seeds" / "raw_user_profiles.csv").read_text(encoding="utf-8"))
    paths = {name: str(path).replace("'", "''") for name, path in files.items()}
    variables = (
        f"{{input_path: '{paths['users']}', interactions_path: '{paths['events']}', "
        f"transactions_path: '{paths['orders']}'}}"
    )
    output = _build_both(root, project, "--vars", variables)
    duck, spark = _both(root, ACTIVITY, root / "duckdb" / "w.duckdb")
    return duck, spark, output


def test_the_activity_logs_build_alike_on_both_engines(activity_on_both) -> None:
    duck, spark, output = activity_on_both
    duck_output, spark_output = output.split("=== spark ===")
    assert "ERROR=0" in spark_output and "SKIP=0" in spark_output, spark_output[-3000:]
    # Every event and order of the Parquet logs is counted, on both engines alike.
    assert [row[:2] for row in duck["reconciliation"][1:]] == [["interactions", "11455"], ["transactions", "920"]]
    assert len(duck["features"]) == 1 + 1000 and len(duck["hours"]) > 24
    for name in ACTIVITY:
        if name != "labels":
            _assert_same_rows(duck[name], spark[name], name)
    assert _labels_ari(duck["labels"], spark["labels"]) == 1.0


def test_spark_wrote_only_under_its_folder(sample_on_both) -> None:
    for name in ("metastore_db", "spark-warehouse", "derby.log"):
        assert not (ROOT / name).exists() and not Path(os.getcwd(), name).exists()


def test_query_on_spark_prints_csv(sample_on_both) -> None:
    folder = sample_on_both[3]
    done = _query(folder, "--target", "spark", "select segment_id, count(*) from dim_users group by 1 order by 1")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("segment_id,") and len(lines) > 2
    assert sum(int(line.split(",")[1]) for line in lines[1:]) == 1001


def test_a_failing_spark_query_stops_with_one_line(sample_on_both) -> None:
    done = _query(sample_on_both[3], "--target", "spark", "drop table stg_user_profiles")
    assert done.returncode == 2 and done.stdout == ""
    # Spark's own start-up warnings go to standard error too; ours is the last line, and no traceback.
    last = done.stderr.strip().splitlines()[-1]
    assert "the query failed on Spark" in last and "Traceback" not in done.stderr, done.stderr[-2000:]
