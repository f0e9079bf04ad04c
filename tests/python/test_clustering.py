"""The clustering functions: verdict, choice of k, stable ids, names, input checks."""

from __future__ import annotations

import numpy as np
import pytest

from user_segmentation import clustering as c
from user_segmentation.cluster_metrics import adjusted_rand, silhouette
from user_segmentation.segmentation_steps import Settings


def blobs(k: int, n: int = 600, spread: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, size=(k, 4))
    labels = rng.integers(0, k, n)
    return centres[labels] + rng.normal(0, spread, size=(n, 4)), labels


@pytest.mark.parametrize("k", [2, 3, 7])
def test_silhouette_matches_scikit_learn(k: int) -> None:
    from sklearn.metrics import silhouette_score

    x, labels = blobs(k, n=900, spread=1.5, seed=k)
    # Ties, a singleton cluster, and labels that are not 0..k-1.
    x[5] = x[6]
    labels = labels * 10 + 3
    labels[0] = 999
    assert silhouette(x, labels) == pytest.approx(silhouette_score(x, labels), abs=1e-12)
    # Blocks of rows (the memory bound) give the same number as one block.
    big, big_labels = blobs(k, n=2500, spread=2.0, seed=k + 1)
    assert silhouette(big, big_labels) == pytest.approx(silhouette_score(big, big_labels), abs=1e-12)
    assert silhouette(x, np.zeros(len(x), dtype=int)) == 0.0
    assert silhouette(x[:3], np.array([0, 1, 2])) == 0.0


def test_adjusted_rand_matches_scikit_learn() -> None:
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = rng.integers(0, 5, 300), rng.integers(0, rng.integers(1, 8), 300)
        b[:150] = a[:150]
        assert adjusted_rand(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)
    a = rng.integers(0, 4, 100)
    assert adjusted_rand(a, (a + 1) % 4) == 1.0
    assert adjusted_rand(np.zeros(10), np.zeros(10)) == adjusted_rand_score(np.zeros(10), np.zeros(10)) == 1.0
    assert adjusted_rand(np.arange(10), np.arange(10)) == 1.0


def test_sweep_gives_the_same_figures_on_any_number_of_threads() -> None:
    x, _ = blobs(3, n=500, spread=0.8, seed=11)
    one = c.sweep(x, [2, 3, 4, 5], seed=42, n_init=3, silhouette_sample_size=300, resamples=3, workers=1)
    two = c.sweep(x, [2, 3, 4, 5], seed=42, n_init=3, silhouette_sample_size=300, resamples=3, workers=2)
    assert [score.k for score, _ in two] == [2, 3, 4, 5]
    assert [score for score, _ in one] == [score for score, _ in two]
    assert all(seconds > 0 for _, seconds in one + two)


def test_verdict_thresholds() -> None:
    assert c.verdict(c.CLEAR_GAP, c.CLEAR_STABILITY) == "clear"
    assert c.verdict(c.CLEAR_GAP, c.CLEAR_STABILITY - 0.01) == "weak"
    assert c.verdict(c.WEAK_GAP, 1.0) == "weak"
    assert c.verdict(c.WEAK_GAP - 0.001, 1.0) == "none"


def test_planted_blobs_are_found_and_called_clear() -> None:
    x, _ = blobs(3)
    scores = [c.score_k(x, k, 1, 5, 400, 3) for k in (2, 3, 4, 5)]
    k, rule = c.choose_k(scores, 0.05)
    assert k == 3 and "stability" in rule
    chosen = next(s for s in scores if s.k == 3)
    assert chosen.verdict == "clear" and chosen.stability_ari > 0.95


def test_uniform_noise_is_called_none() -> None:
    x = np.random.default_rng(5).uniform(size=(600, 5))
    scores = [c.score_k(x, k, 1, 5, 400, 3) for k in (2, 3, 4)]
    assert {s.verdict for s in scores} == {"none"}
    assert all(abs(s.silhouette_gap) < c.WEAK_GAP for s in scores)


def test_choose_k_prefers_stable_big_enough_segments() -> None:
    def score(k, gap, stability, share):
        return c.KScore(k, 0, gap, 0, gap, 0, 0, stability, share, "none")

    scores = [score(2, 0.30, 0.9, 0.4), score(3, 0.50, 0.5, 0.3), score(4, 0.40, 0.9, 0.01)]
    assert c.choose_k(scores, 0.05)[0] == 2
    assert "no k met" in c.choose_k([score(3, 0.5, 0.1, 0.3), score(2, 0.2, 0.1, 0.4)], 0.05)[1]


def test_stable_ids_follow_previous_centroids_and_size_order() -> None:
    centroids = np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    assert c.stable_segment_ids(centroids, np.array([10, 30, 20])) == [3, 1, 2]
    previous = {1: np.array([-5.1, 5.0]), 2: np.array([0.1, 0.0]), 3: np.array([5.0, 4.9])}
    assert c.stable_segment_ids(centroids, np.array([10, 30, 20]), previous) == [2, 3, 1]
    # k grew: the new cluster takes the free id
    grown = np.vstack([centroids, [[9.0, -9.0]]])
    assert c.stable_segment_ids(grown, np.array([10, 30, 20, 5]), previous) == [2, 3, 1, 4]


def test_names_come_from_the_profile_and_are_unique() -> None:
    z = np.array([[1.5, -0.2, 0.1], [-1.0, 0.9, 0.0], [1.4, -0.1, 0.15], [0.1, 0.1, 0.1]])
    names = c.segment_names(z, ["High CTR", "Weekend-heavy", "Many likes"], ["Low CTR", "Weekday-heavy", "Few likes"])
    labels = [n for n, _ in names]
    assert labels[1] == "Low CTR, weekend-heavy"
    # Rows 0 and 2 share the distinctive trait; weaker traits tell them apart.
    assert labels[0] == "High CTR, weekday-heavy" and labels[2] == "High CTR, many likes"
    assert len(set(labels)) == 4 and labels[3] == "Close to average"
    assert "\u22121.0 sd" in names[1][1]
    # Order of the input does not change a segment's name.
    flipped = c.segment_names(
        z[::-1], ["High CTR", "Weekend-heavy", "Many likes"], ["Low CTR", "Weekday-heavy", "Few likes"]
    )
    assert [n for n, _ in flipped][::-1] == labels
    twins = c.segment_names(np.array([[1.0, 0.0], [1.0, 0.0]]), ["High CTR", "Many likes"], ["Low CTR", "Few likes"])
    assert [n for n, _ in twins] == ["High CTR (1)", "High CTR (2)"]


def test_too_few_distinct_users_is_refused_with_numbers() -> None:
    x = np.array([[0.0, 1.0]] * 5 + [[1.0, 0.0]] * 5)
    with pytest.raises(c.ClusteringInputError, match="k = 3 needs at least 3 distinct users.*only 2"):
        c.check_enough_users(x, [2, 3])


def test_settings_parse_and_refuse_bad_values() -> None:
    base = dict(
        k="auto",
        k_min="2",
        k_max="8",
        seed="42",
        n_init="10",
        fit_sample_size="200000",
        selection_sample_size="20000",
        silhouette_sample_size="5000",
        stability_resamples="5",
        min_segment_share="0.05",
    )
    settings = Settings.from_values(**base)
    assert settings.k is None and settings.k_values == list(range(2, 9))
    assert Settings.from_values(**{**base, "k": "5"}).k_values == [5]
    with pytest.raises(ValueError, match="vars.k must be"):
        Settings.from_values(**{**base, "k": "1"})
    with pytest.raises(ValueError, match="vars.seed must be a number"):
        Settings.from_values(**{**base, "seed": "abc"})
    with pytest.raises(ValueError, match="k_min and k_max"):
        Settings.from_values(**{**base, "k_min": "9"})
