"""Spark and DuckDB build the sample to the same results (issue 16; helpers in spark_parity.py).

The embedded sample plus records with every kind of problem (bad numbers, unknown levels, odd
spelling, exact and conflicting repeats, a missing id, unknown interests), built whole on both
engines (every seed, model, test and unit test): the same nodes pass; the valid users, their
interests and the quarantine with its reasons are equal row by row; the k sweep, verdict,
segments and profiles are equal within 1e-9 relative and the labels have an adjusted Rand index
of 1.0; the report rendered from the Spark tables (``report --target spark``) says what the
DuckDB one says; ``query --target spark`` prints CSV and stops a failing query with one line.
Last, write-audit-publish on Spark: the build was published, and a second, partial build of the
models that read the previous publication (previous labels, transitions, the run history) runs
on Spark against it and is not published: readers still see the first build.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest

from tests.python.conftest import ROOT
from tests.python.spark_parity import (
    REL_TOL,
    SEGMENTATION,
    assert_same_rows,
    both_engines,
    build_both,
    dbt_build,
    labels_ari,
    make_project,
    run_query,
    run_tool,
    spark_rows,
)
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


@pytest.fixture(scope="module")
def sample_on_both(tmp_path_factory) -> tuple[dict, dict, str, Path]:
    require_spark()
    root = tmp_path_factory.mktemp("spark_sample")
    seed = (ROOT / "seeds" / "raw_user_profiles.csv").read_text(encoding="utf-8")
    project = make_project(root / "project", seed + BAD_RECORDS)
    output = build_both(root, project)
    duck, spark = both_engines(root, {**QUERIES, **SEGMENTATION}, root / "duckdb" / "w.duckdb")
    return duck, spark, output, root


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
    assert_same_rows(duck[name], spark[name], name)


def test_the_sample_labels_agree_on_both_engines(sample_on_both) -> None:
    duck, spark, *_ = sample_on_both
    assert len(duck["labels"]) == 1 + 1001
    assert labels_ari(duck["labels"], spark["labels"]) == 1.0


def test_the_report_reads_the_spark_tables(sample_on_both, tmp_path: Path) -> None:
    root = sample_on_both[3]
    from_duck = tmp_path / "duckdb.html"
    from_spark = tmp_path / "spark.html"
    done = run_tool(root, "report", "--db", str(root / "duckdb" / "w.duckdb"), "--out", str(from_duck))
    assert done.returncode == 0, done.stderr[-2000:]
    done = run_tool(root, "report", "--target", "spark", "--out", str(from_spark))
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


def test_spark_wrote_only_under_its_folder(sample_on_both) -> None:
    for name in ("metastore_db", "spark-warehouse", "derby.log"):
        assert not (ROOT / name).exists() and not Path(os.getcwd(), name).exists()


def test_query_on_spark_prints_csv(sample_on_both) -> None:
    folder = sample_on_both[3]
    done = run_query(folder, "--target", "spark", "select segment_id, count(*) from dim_users group by 1 order by 1")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("segment_id,") and len(lines) > 2
    assert sum(int(line.split(",")[1]) for line in lines[1:]) == 1001


def test_a_failing_spark_query_stops_with_one_line(sample_on_both) -> None:
    done = run_query(sample_on_both[3], "--target", "spark", "drop table stg_user_profiles")
    assert done.returncode == 2 and done.stdout == ""
    # Spark's own start-up warnings go to standard error too; ours is the last line, and no traceback.
    last = done.stderr.strip().splitlines()[-1]
    assert "the query failed on Spark" in last and "Traceback" not in done.stderr, done.stderr[-2000:]


# The published build, as readers see it; and the models that read the previous publication.
PUBLICATION = {
    "pointer": "select publication, run_id, size(relations) > 60 as every_relation from segmentation_publication",
    "runs": "select run_id from segmentation_runs order by run_started_at",
    "users": "select count(*), min(run_id), max(run_id) from dim_users",
    "transitions": "select movement, sum(users) from segment_transitions group by 1 order by 1",
}
READS_THE_PUBLICATION = "int_labelled_users segment_transitions segmentation_runs segmentation_changes"


def test_a_partial_build_reads_the_publication_and_is_not_published(sample_on_both) -> None:
    # Runs last in this file: it builds again (readers must not notice).
    root = sample_on_both[3]
    before = spark_rows(root, PUBLICATION)
    (publication, first_run, every_relation), *_ = before["pointer"][1:]
    assert (publication, every_relation) == ("1", "true"), before
    assert before["runs"][1:] == [[first_run]] and before["users"][1:] == [["1001", first_run, first_run]]
    assert before["transitions"][1:] == []  # a first build has nothing to compare with

    project = root / "project"
    again = dbt_build(project, root / "spark", "--target", "spark", "--select", READS_THE_PUBLICATION)
    assert again.returncode == 0, again.stdout[-4000:]
    assert "Not published: only a full `dbt build`" in again.stdout, again.stdout[-3000:]
    assert spark_rows(root, PUBLICATION) == before  # readers still see the first build

    history = {name: PUBLICATION[name] for name in ("runs", "transitions")}
    built = spark_rows(root, history, published=False)  # the second build, in the build schema
    second = [row[0] for row in built["runs"][1:]]
    assert len(second) == 2 and second[0] == first_run  # the published history, then this run
    assert built["transitions"][1:] == [["stayed", "1001"]]  # the same users, in the same segments
