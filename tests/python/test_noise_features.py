"""The k choice when only some features carry the segments (and when none do).

Planted sets generated here, seeded and small: 7 clustering features as the k sweep sees them
(standardised columns), of which some carry segments (each segment a centre in the column's
range plus Gaussian spread, as the project's generator draws them) and the rest are uniform
noise. Each set goes through ``k_selection_table`` (what the dbt k sweep model calls) and
``final_fit_table`` (what the final fit model calls) on the fit sample as a pandas frame, with the project's
default settings, and must give the planted k and an adjusted Rand index of at least 0.9
against the planted labels. Pure noise must give the verdict ``none``. One set also goes
through the real ``dbt build`` and the report (labelling in SQL over the kept features).
"""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

from user_segmentation import clustering, feature_relevance
from user_segmentation.cluster_metrics import adjusted_rand
from user_segmentation.segmentation_steps import Settings, final_fit_table, k_selection_table
from user_segmentation_tools.generator import NOISE_SD, generate

from .conftest import BIN, run_dbt, yaml_string

FEATURES = [f"feature_{j}" for j in range(7)]
DEFAULTS = dict(
    k="auto",
    k_min=2,
    k_max=8,
    seed=42,
    n_init=10,
    fit_sample_size=200000,
    selection_sample_size=5000,
    silhouette_sample_size=2000,
    stability_resamples=5,
    min_segment_share=0.05,
)


def planted(
    users: int,
    k: int,
    informative: int,
    sizes: list[float] | None = None,
    spread: float = NOISE_SD,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Standardised features, planted labels, and which columns carry the segments.

    Segment sizes are exact (``sizes`` shares of ``users``); centres are drawn at least 0.35
    of the range apart over the informative columns, and each informative column spreads the
    centres over at least 0.3 of its range (so that it does carry segments); the columns are
    then shuffled.
    """
    rng = np.random.default_rng(seed)
    shares = np.full(k, 1 / k) if sizes is None else np.asarray(sizes)
    counts = np.floor(shares * users).astype(int)
    counts[0] += users - counts.sum()
    truth = rng.permutation(np.repeat(np.arange(k), counts))
    x = rng.uniform(0.0, 1.0, (users, len(FEATURES)))
    if informative:
        for _ in range(1000):
            centres = rng.uniform(0.1, 0.9, (k, informative))
            gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(k) for b in range(a + 1, k)]
            if min(gaps) >= 0.35 and (np.ptp(centres, axis=0) >= 0.3).all():
                break
        x[:, :informative] = np.clip(centres[truth] + rng.normal(0.0, spread, (users, informative)), 0.0, 1.0)
    order = rng.permutation(len(FEATURES))
    x = x[:, order]
    carrying = sorted(int(np.flatnonzero(order == j)[0]) for j in range(informative))
    return (x - x.mean(axis=0)) / x.std(axis=0), truth, carrying


def segment(x: np.ndarray, **overrides) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The k sweep's table and the final fit's table, as the dbt Python models make them."""
    frame = pd.DataFrame(x, columns=[f"z_{name}" for name in FEATURES])
    frame.insert(0, "user_id", np.arange(len(x)))
    frame.insert(1, "sample_key", np.arange(len(x)))
    matrix = frame.sample(frac=1.0, random_state=0)  # any row order: the steps sort by sample_key
    settings = Settings.from_values(**{**DEFAULTS, **overrides})
    sweep = k_selection_table(matrix, "run", settings)
    chosen = sweep[sweep["chosen"]].iloc[0]
    stats = pd.DataFrame(
        {
            "feature": FEATURES,
            "weight": 1.0,
            "feature_kind": "numeric",
            "mean": 0.0,
            "sd": 1.0,
            "high_label": [f"High {f}" for f in FEATURES],
            "low_label": [f"Low {f}" for f in FEATURES],
        }
    )
    fit = final_fit_table(matrix, stats, int(chosen["k"]), "run", settings, None, list(chosen["features"]))
    return sweep, fit


def labels_of(x: np.ndarray, fit: pd.DataFrame) -> np.ndarray:
    """Nearest centroid over the features the segments were fitted on (as int_labelled_users does)."""
    used = np.array([f in set(fit["clustered_features"].iloc[0]) for f in FEATURES])
    centroids = np.vstack(fit["centroid_z"].to_numpy())
    distances = (((x * used)[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


PLANTED = {
    # name: (planted set, expected k)
    "segments in 4 of 7 features, k = 3": (dict(users=4000, k=3, informative=4, seed=1), 3),
    "segments in 3 of 7 features, k = 3": (dict(users=4000, k=3, informative=3, seed=2), 3),
    "segments in 4 of 7 features, k = 5": (dict(users=4000, k=5, informative=4, seed=3), 5),
    "segments in 3 of 7 features, k = 5": (dict(users=4000, k=5, informative=3, seed=4), 5),
    "unequal sizes 50/25/12/8/5 %": (dict(users=5000, k=5, informative=7, sizes=[0.5, 0.25, 0.12, 0.08, 0.05]), 5),
    "spread 1.8 times the generator's": (dict(users=4000, k=4, informative=7, spread=1.8 * NOISE_SD, seed=5), 4),
    "all features informative": (dict(users=4000, k=4, informative=7, seed=6), 4),
}


@pytest.mark.parametrize("name", list(PLANTED))
def test_planted_k_is_found_and_recovered(name: str) -> None:
    spec, expected_k = PLANTED[name]
    x, truth, carrying = planted(**spec)
    sweep, fit = segment(x)
    chosen = sweep[sweep["chosen"]].iloc[0]
    assert chosen["k"] == expected_k, sweep[["k", "silhouette_gap", "stability_ari", "smallest_share"]].to_string()
    assert chosen["verdict"] in ("clear", "weak")
    assert adjusted_rand(labels_of(x, fit), truth) >= 0.9
    # Exactly the noise columns are dropped (none when every feature carries segments).
    assert sorted(chosen["dropped_features"]) == [f for j, f in enumerate(FEATURES) if j not in carrying]
    assert sorted(fit["clustered_features"].iloc[0]) == [FEATURES[j] for j in carrying]


def test_noise_at_20000_users_is_called_none_and_nothing_is_dropped() -> None:
    x, _, _ = planted(users=20000, k=1, informative=0, seed=7)
    sweep, _ = segment(x)
    assert set(sweep["verdict"]) == {"none"}
    assert list(sweep["dropped_features"].iloc[0]) == []
    assert "every feature" in sweep["feature_rule"].iloc[0]


def test_noise_features_stay_at_chance_and_segment_features_do_not() -> None:
    x, _, carrying = planted(users=3000, k=3, informative=4, seed=8)
    shares = feature_relevance.explained_by_other_features(x)
    chance = feature_relevance.chance_share(feature_relevance.RELEVANCE_BINS, len(x))
    noise = [j for j in range(7) if j not in carrying]
    assert (shares[noise] - chance < 0.02).all(), shares
    assert (shares[carrying] - chance >= feature_relevance.RELEVANT_SHARE).all(), shares
    # The same figures whatever the order of the users.
    shuffled = np.random.default_rng(0).permutation(len(x))
    assert np.allclose(shares, feature_relevance.explained_by_other_features(x[shuffled]), atol=0.01)


def test_kept_features_and_selection_off_override_the_relevance_rule() -> None:
    x, _, carrying = planted(users=3000, k=3, informative=4, seed=1)
    noise = [FEATURES[j] for j in range(7) if j not in carrying]
    kept, _ = segment(x, kept_features=[noise[0]])
    assert noise[0] not in kept["dropped_features"].iloc[0]
    assert noise[0] in kept["features"].iloc[0]
    off, _ = segment(x, feature_selection="none")
    assert list(off["dropped_features"].iloc[0]) == []
    assert "feature_selection: none" in off["feature_rule"].iloc[0]


def test_the_k_sweep_is_deterministic() -> None:
    x, _, _ = planted(users=3000, k=3, informative=4, seed=9)
    first, fit_one = segment(x)
    second, fit_two = segment(x)
    columns = ["k", "silhouette_gap", "stability_ari", "chosen", "dropped_features"]
    assert first[columns].astype(str).equals(second[columns].astype(str))
    assert fit_one["centroid_z"].astype(str).equals(fit_two["centroid_z"].astype(str))
    assert list(fit_one["segment_id"]) == list(fit_two["segment_id"])


def test_choose_k_prefers_a_finer_partition_only_when_it_is_as_separated() -> None:
    def score(k, gap, stability=0.9, share=0.2):
        return clustering.KScore(k, 0, gap, 0, gap, 0, 0, stability, share, "clear")

    # k = 5 within 90% of the best gap (k = 4): the finer partition wins.
    assert clustering.choose_k([score(4, 0.45), score(5, 0.42), score(6, 0.2)], 0.05)[0] == 5
    # Not within 90%: the best gap stays, even when every refit reproduces the finer partition
    # (10 million generated users: k = 5 halved a planted segment with stability 0.965).
    assert clustering.choose_k([score(4, 0.50), score(5, 0.36)], 0.05)[0] == 4
    assert clustering.choose_k([score(4, 0.565), score(5, 0.407, stability=1.0)], 0.05)[0] == 4
    # Unstable or too small finer partitions never win.
    assert clustering.choose_k([score(4, 0.45), score(5, 0.44, stability=0.5)], 0.05)[0] == 4
    assert clustering.choose_k([score(4, 0.45), score(5, 0.44, share=0.01)], 0.05)[0] == 4
    # Noise (best gap below WEAK_GAP): no preference for finer partitions.
    assert clustering.choose_k([score(2, 0.02), score(3, 0.019)], 0.05)[0] == 2


def test_a_build_with_noise_columns_drops_them_and_labels_without_them(tmp_path) -> None:
    """Through the real ``dbt build``: the generator's four planted segments, with three of the
    seven clustering features replaced by uniform noise over their range."""
    data, truth = tmp_path / "users.csv", tmp_path / "truth.csv"
    generate(3000, 11, data, truth)
    users = pd.read_csv(data)
    rng = np.random.default_rng(11)
    for column in ("Likes and Reactions", "Followed Accounts", "Ad Interaction Time (sec)"):
        users[column] = rng.integers(users[column].min(), users[column].max() + 1, len(users))
    users.to_csv(data, index=False)
    run = run_dbt(tmp_path / "w.duckdb", "build", vars_yaml="{input_path: " + yaml_string(str(data)) + "}")
    assert run.returncode == 0, run.output[-3000:]

    chosen = run.query("select k, verdict, dropped_features from segmentation_k_selection where chosen")[0]
    assert chosen[0] == 4 and chosen[1] == "clear", chosen
    assert sorted(chosen[2]) == ["ad_interaction_seconds", "followed_accounts", "likes_and_reactions"]
    assert run.query(
        "select feature from int_segment_centroids where not is_clustered group by feature order by feature"
    ) == [("ad_interaction_seconds",), ("followed_accounts",), ("likes_and_reactions",)]
    labelled = run.query(
        f"select d.segment_id, t.planted_segment from dim_users as d"
        f" join read_csv({yaml_string(str(truth))}) as t on d.user_id = t.user_id order by d.user_id"
    )
    found, planted_labels = (np.array(column) for column in zip(*labelled, strict=True))
    assert adjusted_rand(found, planted_labels) >= 0.9
    relevance = dict(
        run.query("select feature, carries_segments from segmentation_feature_relevance where is_chosen_k")
    )
    assert relevance == {f: f not in chosen[2] for f in relevance} and len(relevance) == 7

    report = tmp_path / "report.html"
    done = subprocess.run(
        [str(BIN / "user-segmentation"), "report", "--db", str(run.db), "--out", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    html = report.read_text()
    assert "Dropped as noise:" in html and "Ad interaction time" in html.split("Dropped as noise:")[1][:400]
