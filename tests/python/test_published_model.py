"""Labelling with the published model (vars.refit: false) and moves between builds.

Through the real ``dbt build``: a first build of the embedded sample fits and publishes a
model; a second build with ``refit: false`` on the same users plus 20% new ones labels with
that model. The old users keep their segment ids, the model table gains no row, the run says
which model labelled it, and segment_transitions / segmentation_changes show the new users.
"""

from __future__ import annotations

import io
import json
import subprocess

import pandas as pd
import pytest

from user_segmentation.report import render_report

from .conftest import BIN, ROOT, run_dbt, yaml_string

SEED = ROOT / "seeds" / "raw_user_profiles.csv"


def plus_new_users(path, share: float = 0.2):
    """The embedded sample plus ``share`` new users (other users' rows under new ids)."""
    users = pd.read_csv(SEED, dtype=str, keep_default_na=False)
    new = users.sample(frac=share, random_state=3).copy()
    # Shift each copied user's numbers a little, so the new users are not duplicates.
    new["Likes and Reactions"] = (new["Likes and Reactions"].astype(int) + 7).astype(str)
    new["User ID"] = [str(900000 + i) for i in range(len(new))]
    pd.concat([users, new]).to_csv(path, index=False)
    return len(users), len(new)


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    work = tmp_path_factory.mktemp("refit")
    db = work / "w.duckdb"
    first = run_dbt(db, "build")
    assert first.returncode == 0, first.output[-3000:]
    before = {
        "labels": dict(first.query("select user_id, segment_id from dim_users")),
        "names": dict(first.query("select segment_id, segment_name from int_segmentation_fit")),
        "models": first.query("select model_id, run_id from segmentation_models"),
        "stats": first.query("select feature, mean, sd from int_feature_stats order by feature"),
        "changes": first.scalar("select count(*) from segmentation_changes"),
        "transitions": first.scalar("select count(*) from segment_transitions"),
        "report": render_report(db, work / "first.html").read_text(),
    }
    data = work / "plus20.csv"
    old_users, new_users = plus_new_users(data)
    second = run_dbt(db, "build", vars_yaml=f"{{refit: false, input_path: {yaml_string(str(data))}}}")
    assert second.returncode == 0, second.output[-3000:]
    before["second_report"] = render_report(db, work / "second.html").read_text()
    before["data"] = data
    return before, second, old_users, new_users


def test_a_first_build_publishes_one_model_and_has_nothing_to_compare(two_builds) -> None:
    before, _, _, _ = two_builds
    assert len(before["models"]) == 1
    assert before["changes"] == 0 and before["transitions"] == 0


def test_old_users_keep_their_segment_and_the_model_is_reused(two_builds) -> None:
    before, second, old_users, new_users = two_builds
    after = dict(second.query("select user_id, segment_id from dim_users"))
    assert len(after) == old_users + new_users
    kept = sum(after[user] == segment for user, segment in before["labels"].items())
    assert kept == len(before["labels"]) == old_users
    # The same model: no new row, the same names, and the run records it.
    assert second.query("select model_id, run_id from segmentation_models") == before["models"]
    assert dict(second.query("select segment_id, segment_name from int_segmentation_fit")) == before["names"]
    runs = second.query("select model_id, refitted from segmentation_runs order by run_started_at")
    assert runs == [(before["models"][0][0], True), (before["models"][0][0], False)]
    settings = json.loads(second.scalar("select settings_json from int_segmentation_settings"))
    assert settings["refit"] is False and settings["model_id"] == before["models"][0][0]


def test_the_new_build_standardises_with_the_models_statistics(two_builds) -> None:
    before, second, _, _ = two_builds
    # The new users shift the data's own means; the build still uses the model's.
    assert second.query("select feature, mean, sd from int_feature_stats order by feature") == before["stats"]
    data_mean = second.scalar("select avg(likes_and_reactions) from int_user_features")
    model_mean = dict((f, m) for f, m, _ in before["stats"])["likes_and_reactions"]
    assert data_mean != pytest.approx(model_mean, rel=1e-6)


def test_transitions_show_the_new_users_and_the_verdict_is_stable(two_builds) -> None:
    _, second, old_users, new_users = two_builds
    moves = dict(second.query("select movement, sum(users)::bigint from segment_transitions group by 1"))
    assert moves == {"stayed": old_users, "new": new_users}
    new_by_segment = dict(second.query("select segment_id, users from segment_transitions where movement = 'new'"))
    labelled_new = dict(second.query("select segment_id, count(*) from dim_users where user_id >= 900000 group by 1"))
    assert new_by_segment == labelled_new
    change = second.query(
        "select users_in_both, users_moved, new_users, departed_users, max_drift_sd, verdict from segmentation_changes"
    )
    assert change == [(old_users, 0, new_users, 0, 0.0, "stable")]


def test_the_new_users_labels_equal_user_segmentation_score_on_them(two_builds, tmp_path) -> None:
    before, second, _, new_users = two_builds
    rows = pd.read_csv(before["data"], dtype=str, keep_default_na=False)
    new_rows = rows[rows["User ID"].astype(int) >= 900000]
    assert len(new_rows) == new_users
    path = tmp_path / "new_users.csv"
    new_rows.to_csv(path, index=False)
    done = subprocess.run(
        [str(BIN / "user-segmentation"), "score", "--db", str(second.db), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(io.StringIO(done.stdout))
    assert scored["reason"].isna().all()
    labels = dict(second.query("select user_id, segment_id from dim_users where user_id >= 900000"))
    assert dict(zip(scored["user_id"], scored["segment_id"], strict=True)) == labels
    distances = dict(second.query("select user_id, distance_to_centroid from dim_users where user_id >= 900000"))
    for user, distance in zip(scored["user_id"], scored["distance"], strict=True):
        assert distance == pytest.approx(distances[user], rel=1e-9)


def test_the_report_says_what_changed_since_the_last_build(two_builds) -> None:
    before, second, old_users, new_users = two_builds
    assert "Since the last build" in before["report"] and "there is nothing to compare yet" in before["report"]
    html = before["second_report"]
    assert "nothing to compare yet" not in html
    assert "Verdict: <strong>stable</strong>" in html
    assert f"{old_users:,} users are in both builds; 0 (0.0%) changed segment, {new_users:,} are new" in html
    # The matrix: a "New" row holding the new users by segment.
    new_by_segment = dict(second.query("select segment_id, users from segment_transitions where movement = 'new'"))
    row = html[html.index('<th scope="row">New</th>') :].split("</tr>")[0]
    for users in new_by_segment.values():
        assert f"<td>{users:,}</td>" in row


def test_refit_false_without_a_published_model_stops_clearly(tmp_path) -> None:
    run = run_dbt(tmp_path / "w.duckdb", "build", vars_yaml="{refit: false}")
    assert run.returncode != 0
    assert "no published model to label with" in run.output and "Run a build with refit: true first" in run.output
    assert "Traceback" not in run.output


def test_an_unknown_model_id_names_the_published_ones(two_builds) -> None:
    before, second, _, _ = two_builds
    run = run_dbt(second.db, "build", vars_yaml="{refit: false, model_id: not-a-model}")
    assert run.returncode != 0
    assert 'vars.model_id "not-a-model" is not in segmentation_models' in run.output
    assert before["models"][0][0] in run.output


def test_a_model_of_other_features_is_refused(two_builds) -> None:
    _, second, _, _ = two_builds
    features = "{weekly_hours_online: {weight: 1.0}, click_through_rate: {weight: 1.0}}"
    run = run_dbt(second.db, "build", vars_yaml=f"{{refit: false, cluster_features: {features}}}")
    assert run.returncode != 0
    assert "clusters on weekly_hours_online, weekend_share_of_time" in run.output
    assert "(not in this build: weekend_share_of_time, likes_and_reactions" in run.output
    assert "Traceback" not in run.output


def test_a_refit_appends_a_model_and_keeps_the_published_ones(two_builds) -> None:
    """Last in this module: it publishes a third build into the shared warehouse."""
    before, second, _, _ = two_builds
    published = second.query("select model_id, run_id, created_at, centroids_weighted_z from segmentation_models")
    third = run_dbt(second.db, "build", vars_yaml=f"{{input_path: {yaml_string(str(before['data']))}}}")
    assert third.returncode == 0, third.output[-3000:]
    models = third.query(
        "select model_id, run_id, created_at, centroids_weighted_z from segmentation_models order by created_at"
    )
    assert len(models) == 2 and models[0] == published[0]
    assert models[1][0] != published[0][0]
    runs = third.query("select model_id, refitted from segmentation_runs order by run_started_at")
    assert runs[-1] == (models[1][0], True)
    centroids = third.scalar("select count(*) from segment_model_centroids")
    assert centroids == sum(len(m[3]) * len(m[3][0]) for m in models)
