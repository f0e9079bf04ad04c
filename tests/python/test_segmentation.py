"""Segmentation end to end through dbt: planted segments found, noise called noise,
labels reproducible, ids stable, errors plain."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from sklearn.metrics import adjusted_rand_score

from tests.python.conftest import ROOT, project_copy, run_dbt, yaml_string
from user_segmentation_tools.generator import SEGMENTS

pytestmark = pytest.mark.dbt
TRUTH = ROOT / "tests" / "fixtures" / "sample_truth.csv"


def labels(run) -> dict[int, int]:
    return dict(run.query("select user_id, segment_id from int_segment_assignments"))


def ari(a: dict[int, int], b: dict[int, int]) -> float:
    users = sorted(a)
    assert users == sorted(b)
    return adjusted_rand_score([a[u] for u in users], [b[u] for u in users])


def test_sample_finds_the_planted_segments(sample_warehouse) -> None:
    chosen = sample_warehouse.query(
        "select k, verdict, silhouette, null_silhouette, stability_ari from segmentation_k_selection where chosen"
    )
    k, verdict, silhouette, null_silhouette, stability = chosen[0]
    assert k == len(SEGMENTS)
    assert verdict == "clear" and silhouette - null_silhouette > 0.15 and stability > 0.8
    assert sample_warehouse.scalar("select count(*) from segmentation_k_selection") == 7
    truth = dict(duckdb.connect().execute(f"select * from read_csv('{TRUTH}')").fetchall())
    assert ari(labels(sample_warehouse), truth) >= 0.9
    run = sample_warehouse.query("select verdict, k, valid_users from segmentation_runs")
    assert run == [("clear", len(SEGMENTS), 1000)]


def test_names_are_unique_and_describe_the_profile(sample_warehouse) -> None:
    labels_by_feature = {
        f: (hi, lo)
        for f, hi, lo in sample_warehouse.query("select feature, high_label, low_label from int_feature_stats")
    }
    rows = sample_warehouse.query("select segment_name, features, centroid_z from int_segmentation_fit")
    assert len({r[0] for r in rows}) == len(rows) == len(SEGMENTS)
    for name, features, centroid in rows:
        strongest = max(range(len(features)), key=lambda j: abs(centroid[j]))
        high, low = labels_by_feature[features[strongest]]
        assert name.startswith(high if centroid[strongest] > 0 else low), (name, features[strongest])


def test_public_data_is_called_noise(public_warehouse) -> None:
    ks = public_warehouse.query("select k, verdict from segmentation_k_selection order by k")
    assert [k for k, _ in ks] == list(range(2, 9))
    assert {v for _, v in ks} == {"none"}
    assert public_warehouse.scalar("select verdict from segmentation_runs") == "none"
    assert public_warehouse.scalar("select count(*) from dim_users") == 1000


def test_fresh_process_single_thread_gives_identical_labels(sample_warehouse, tmp_path: Path) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    try:
        again = run_dbt(tmp_path / "again.duckdb", "build", "--threads", "1")
    finally:
        os.environ.pop("OMP_NUM_THREADS")
    assert again.returncode == 0, again.output[-3000:]
    assert labels(again) == labels(sample_warehouse)
    assert again.query("select segment_id, segment_name from dim_segments order by 1") == sample_warehouse.query(
        "select segment_id, segment_name from dim_segments order by 1"
    )


def test_other_seed_same_partition_and_ids_stay_put(sample_warehouse, tmp_path: Path) -> None:
    fresh = run_dbt(tmp_path / "seed7.duckdb", "build", vars_yaml="{seed: 7}")
    assert fresh.returncode == 0, fresh.output[-3000:]
    assert ari(labels(fresh), labels(sample_warehouse)) >= 0.99

    # Rebuild the first warehouse with another seed: centroids are matched to the previous
    # run's, so every user keeps the same segment id, and the run history says so.
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copy(sample_warehouse.db, copy)
    rebuilt = run_dbt(copy, "build", vars_yaml="{seed: 11}")
    assert rebuilt.returncode == 0, rebuilt.output[-3000:]
    assert labels(rebuilt) == labels(sample_warehouse)
    history = rebuilt.query(
        "select ids_matched_to_previous_run, users_in_previous_run, users_changed_segment "
        "from segmentation_runs order by run_started_at"
    )
    assert len(history) == 2 and history[1] == (True, 1000, 0)


def test_fixed_k_records_its_metrics(tmp_path: Path) -> None:
    run = run_dbt(tmp_path / "k3.duckdb", "build", vars_yaml="{k: 3}")
    assert run.returncode == 0, run.output[-3000:]
    rows = run.query("select k, chosen, k_mode, choice_rule, silhouette from segmentation_k_selection")
    assert len(rows) == 1 and rows[0][:4] == (3, True, "fixed", "fixed by vars.k") and rows[0][4] > 0
    assert run.scalar("select count(*) from dim_segments") == 3


def test_name_overrides_survive_a_rerun(tmp_path: Path) -> None:
    # A copy of the project: the checkout's seed stays as it is for every other test.
    (tmp_path / "project").mkdir()
    project = project_copy(tmp_path / "project")
    overrides = project / "seeds" / "segment_name_overrides.csv"
    db = tmp_path / "named.duckdb"
    first = run_dbt(db, "build", project=project)
    assert first.returncode == 0, first.output[-3000:]
    segment_id, computed = first.query("select segment_id, segment_name from dim_segments order by users limit 1")[0]
    overrides.write_text(overrides.read_text() + f'{segment_id},Night owls,"Renamed by marketing, kept across runs"\n')
    second = run_dbt(db, "build", vars_yaml="{seed: 3}", project=project)
    assert second.returncode == 0, second.output[-3000:]
    row = second.query(
        f"select segment_name, computed_segment_name, is_name_overridden from dim_segments "
        f"where segment_id = {segment_id}"
    )
    assert row == [("Night owls", computed, True)]


def test_too_few_users_stops_with_the_numbers(tmp_path: Path) -> None:
    lines = (ROOT / "seeds" / "raw_user_profiles.csv").read_text().splitlines()
    small = tmp_path / "five.csv"
    small.write_text("\n".join(lines[:6]) + "\n")
    run = run_dbt(tmp_path / "five.duckdb", "build", vars_yaml="{input_path: " + yaml_string(str(small)) + "}")
    assert run.returncode != 0
    assert "Not enough users to cluster: k up to 8 needs at least 9 valid users" in run.output
    assert "there are 5 valid users" in run.output
    assert "Traceback" not in run.output


TUTORIAL_PRESET = (
    "{k: 5, cluster_features: {weekday_hours_online: {weight: 1}, weekend_hours_online: {weight: 1}, "
    "likes_and_reactions: {weight: 1}, click_through_rate: {weight: 1}}, "
    "cluster_categoricals: {age: 1, gender: 1, income_level: 1}}"
)


def test_tutorial_preset_one_hot_encodes_age_gender_income(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    assert TUTORIAL_PRESET in readme, "the README documents this exact preset"
    run = run_dbt(tmp_path / "tutorial.duckdb", "build", vars_yaml=TUTORIAL_PRESET)
    assert run.returncode == 0, run.output[-3000:]
    kinds = dict(run.query("select feature_kind, count(*) from int_feature_stats group by 1"))
    assert kinds == {"numeric": 4, "indicator": 6 + 2 + 6}
    assert run.query("select k, k_mode from segmentation_k_selection") == [(5, "fixed")]
    # Indicators are 0/1 times their weight, not standardised (as in the tutorial).
    assert run.scalar("select count(distinct z_age__18_24) from int_feature_matrix") == 2
    centroids = run.query(
        "select feature, centroid_value from int_segment_centroids "
        "where feature like 'gender__%' order by segment_id, feature"
    )
    assert centroids and all(-1e-9 <= value <= 1 + 1e-9 for _, value in centroids)  # shares, up to rounding
