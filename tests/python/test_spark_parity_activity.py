"""Spark and DuckDB build the activity logs to the same results (issue 16; helpers in spark_parity.py).

Generated Parquet profiles (noise) with event and order logs (``interactions_path``,
``transactions_path``), seeds and models on both engines (the sample's build in
test_spark_parity_sample.py runs every test on both): the activity features, the
reconciliation, the activity grid and the segments found in the logs are the same, the labels
with an adjusted Rand index of 1.0.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.python.conftest import BIN, ROOT
from tests.python.spark_parity import (
    ONLY_MODELS,
    SEGMENTATION,
    assert_same_rows,
    both_engines,
    build_both,
    labels_ari,
    make_project,
)
from tests.python.spark_support import require_spark

pytestmark = pytest.mark.dbt

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
    project = make_project(root / "project", (ROOT / "seeds" / "raw_user_profiles.csv").read_text(encoding="utf-8"))
    paths = {name: str(path).replace("'", "''") for name, path in files.items()}
    variables = (
        f"{{input_path: '{paths['users']}', interactions_path: '{paths['events']}', "
        f"transactions_path: '{paths['orders']}'}}"
    )
    output = build_both(root, project, "--vars", variables, *ONLY_MODELS)
    duck, spark = both_engines(root, ACTIVITY, root / "duckdb" / "w.duckdb.build", published=False)
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
            assert_same_rows(duck[name], spark[name], name)
    assert labels_ari(duck["labels"], spark["labels"]) == 1.0
