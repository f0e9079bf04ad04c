"""Segments that live only in the activity logs are found from the SQL activity features.

The generated set (conftest ``activity_set``): 3,000 users whose profile columns are one
segment-free distribution (``--profile-noise``), and event and order logs with 4 planted
segments (frequency, recency, time of day, spend). A full ``dbt build`` with both logs must
drop the profile columns as noise, find k = 4 with verdict ``clear`` and recover the planted
segments (adjusted Rand index >= 0.9), and name every segment from its activity. Without the
logs (the public data) nothing about the activity appears.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from user_segmentation.input_format import declaration, feature_label

pytestmark = pytest.mark.dbt

ACTIVITY = declaration()["activity_feature_catalog"]
PROFILE = declaration()["feature_catalog"]


def _truth(path: Path) -> dict[int, int]:
    with path.open(newline="") as handle:
        return {int(row["user_id"]): int(row["planted_segment"]) for row in csv.DictReader(handle)}


def test_the_planted_activity_segments_are_found(activity_warehouse, activity_set) -> None:
    k, verdict = activity_warehouse.query("select k, verdict from segmentation_runs order by run_started_at desc")[0]
    assert (k, verdict) == (4, "clear")
    labels = dict(activity_warehouse.query("select user_id, segment_id from dim_users"))
    truth = _truth(activity_set.truth)
    assert set(labels) == set(truth)  # every user labelled, those without activity included
    ids = sorted(truth)
    assert adjusted_rand_score([truth[i] for i in ids], [labels[i] for i in ids]) >= 0.9


def test_profile_noise_is_dropped_and_the_activity_features_are_clustered(activity_warehouse) -> None:
    clustered, dropped = activity_warehouse.query(
        "select clustered_features, dropped_features from segmentation_k_selection where chosen"
    )[0]
    assert clustered and set(clustered) <= set(ACTIVITY)
    assert set(dropped) == set(PROFILE) & {
        "weekly_hours_online",
        "weekend_share_of_time",
        "likes_and_reactions",
        "followed_accounts",
        "click_through_rate",
        "conversion_rate",
        "ad_interaction_seconds",
    }


def test_every_segment_is_named_from_its_activity(activity_warehouse) -> None:
    words = set()
    for name in ACTIVITY:
        label = feature_label(name)
        words |= {label.high, label.low}
    names = [row[0] for row in activity_warehouse.query("select segment_name from dim_segments order by segment_id")]
    assert len(names) == len(set(names)) == 4
    for name in names:
        parts = [part.strip() for part in name.split(",")]
        assert parts and all(part.capitalize() in {w.capitalize() for w in words} for part in parts), name


def test_users_without_activity_are_labelled_but_not_fitted_on(activity_warehouse) -> None:
    inactive, labelled = activity_warehouse.query(
        "select count(*), count(dim_users.segment_id) from int_user_activity_features "
        "left join dim_users using (user_id) where not has_activity"
    )[0]
    assert inactive > 0 and labelled == inactive
    in_sample = activity_warehouse.scalar("select count(*) from int_fit_sample where not has_activity")
    assert in_sample == 0
    recency = activity_warehouse.query(
        "select distinct days_since_last_event = window_days + 1 from int_user_activity_features "
        "cross join int_activity_window where not has_activity"
    )
    assert recency == [(True,)]


def test_the_reconciliation_counts_every_record(activity_warehouse, activity_set) -> None:
    rows = {
        row[0]: row[1:]
        for row in activity_warehouse.query(
            "select activity_log, rows_in_file, valid_rows, rejected_rows, unknown_user_rows, counted_rows "
            "from segmentation_activity_reconciliation"
        )
    }
    for log, path in (("interactions", activity_set.events), ("transactions", activity_set.orders)):
        with path.open() as handle:
            records = sum(1 for _ in handle) - 1
        assert rows[log] == (records, records, 0, 0, records)


def test_without_activity_logs_nothing_about_activity_appears(public_warehouse) -> None:
    columns = {row[0] for row in public_warehouse.query("select column_name from (describe int_user_features)")}
    assert not columns & set(ACTIVITY)
    assert public_warehouse.scalar("select count(*) from int_user_activity_features") == 0
    assert public_warehouse.query(
        "select activity_log, input_path, rows_in_file from segmentation_activity_reconciliation order by 1"
    ) == [("interactions", None, 0), ("transactions", None, 0)]
    clustered = public_warehouse.scalar("select clustered_features from segmentation_k_selection where chosen")
    assert clustered and not set(clustered) & set(ACTIVITY)


def test_the_sql_features_equal_the_pandas_baseline(activity_warehouse, activity_set) -> None:
    """The benchmark's pandas baseline computes the same features from the same files: every
    user's every activity feature agrees with int_user_activity_features within 1e-9."""
    import numpy as np

    from user_segmentation_tools.activity_baseline import activity_features_pandas, profile_user_ids

    ids = profile_user_ids(activity_set.profiles)
    expected = activity_features_pandas(activity_set.events, activity_set.orders, ids)
    con_rows = activity_warehouse.query("select * from int_user_activity_features order by user_id")
    columns = [
        row[0] for row in activity_warehouse.query("select column_name from (describe int_user_activity_features)")
    ]
    sql = {column: [row[i] for row in con_rows] for i, column in enumerate(columns)}
    expected = expected.sort_index()
    assert list(expected.index) == sql["user_id"]
    assert set(columns) - {"user_id"} == set(expected.columns)
    for column in expected.columns:
        np.testing.assert_allclose(
            np.asarray(sql[column], dtype=float),
            expected[column].to_numpy(dtype=float),
            rtol=1e-9,
            atol=1e-9,
            err_msg=column,
        )


def test_lifecycle_targeting_follows_the_rfm_indexes(activity_warehouse, public_warehouse) -> None:
    rows = activity_warehouse.query(
        "select t.segment_id, t.recommendation, r.index_vs_population, f.index_vs_population, v.index_vs_population "
        "from segment_targeting as t "
        "join segment_feature_profiles as r on r.segment_id = t.segment_id and r.feature = 'days_since_last_order' "
        "join segment_feature_profiles as f on f.segment_id = t.segment_id and f.feature = 'orders' "
        "join segment_feature_profiles as v on v.segment_id = t.segment_id and v.feature = 'average_order_value' "
        "where t.recommendation_kind = 'lifecycle' order by 1"
    )
    assert len(rows) == 4
    for _, recommendation, recency, frequency, value in rows:
        if recency >= 120:
            expected = "Win back" if value >= 110 else "Re-engage"
        elif recency <= 83 and frequency >= 110:
            expected = "Reward loyal"
        elif value >= 110:
            expected = "Premium"
        else:
            expected = "Keep in the regular"
        assert recommendation.startswith(expected), (recommendation, recency, frequency, value)
    assert any(r[2] >= 120 for r in rows)  # the planted light users have lapsed
    assert (
        public_warehouse.scalar("select count(*) from segment_targeting where recommendation_kind = 'lifecycle'") == 0
    )
