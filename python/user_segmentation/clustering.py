"""K-Means on bounded samples, and an honest account of how real the segments are.

Everything here works on small in-memory matrices (the fit sample, at most
``fit_sample_size`` users; metric samples of a few thousand). Labelling every user is done
in SQL against the centroids (``int_segment_assignments``), so no step holds all users.

Quality, per k:

- inertia, silhouette (on a bounded sample), Calinski-Harabasz, Davies-Bouldin;
- stability: fits on bootstrap resamples label the same sample; mean pairwise adjusted
  Rand index (1 = the same partition every time);
- a null reference: the same silhouette for the sample with every column permuted
  independently (same marginals, no joint structure), averaged over ``NULL_REPEATS`` permutations.
  ``silhouette_gap = silhouette - null_silhouette`` is the structure K-Means found
  beyond what it finds in noise.

Verdict (:func:`verdict`): ``clear`` when the gap is at least ``CLEAR_GAP`` and stability at
least ``CLEAR_STABILITY``; ``weak`` when the gap is at least ``WEAK_GAP``; else ``none``.

Choice of k (:func:`choose_k`): among the ks whose stability is at least
``STABLE_ENOUGH`` and whose smallest segment holds at least ``min_segment_share`` of the
sample, the one with the largest silhouette gap (ties: the smaller k); then, when that gap is
at least ``WEAK_GAP``, the finest of those ks whose gap is within ``FINER_TOLERANCE`` of it.
The silhouette favours merging two real segments that lie close together, or are small,
into one; a finer partition that is as well separated is the real one. (Stability alone does
not make a finer k real: at 10 million users, halving one planted segment reproduced with
stability 0.965.) If no k qualifies, the largest gap overall.

Restarts: the partition scored for each k gets the final fit's ``n_init``, so the sweep
scores the partition the final fit finds (with unequal segments, three restarts settle on
splitting the largest segment and merging two small ones). The null reference and the
bootstrap refits use ``SWEEP_N_INIT``: on data without joint structure, more restarts lower
the inertia but leave the silhouette as it is (checked on the 20,000-user noise set), and
the refits only measure how reproducible k is.

Which features carry the segments: :mod:`user_segmentation.feature_relevance`;
:func:`user_segmentation.segmentation_steps.k_selection_table` sweeps again on the relevant
features when some are noise.

Determinism: every random draw comes from ``seed``; each K-Means fit runs single-threaded
(``threadpool_limits(1)``), so the same data and configuration give the same centroids
whatever the machine's thread count.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import combinations

import numpy as np

from .cluster_metrics import adjusted_rand, silhouette
from .feature_relevance import explained_share

__all__ = [
    "CLEAR_GAP",
    "CLEAR_STABILITY",
    "ClusteringInputError",
    "DISTINCT_TRAIT_Z",
    "FINER_TOLERANCE",
    "KScore",
    "NULL_REPEATS",
    "STABLE_ENOUGH",
    "SWEEP_N_INIT",
    "WEAK_GAP",
    "check_enough_users",
    "choose_k",
    "fit_centroids",
    "null_reference",
    "score_k",
    "segment_names",
    "signed",
    "single_threaded",
    "stability",
    "stable_segment_ids",
    "sweep",
    "verdict",
]

CLEAR_GAP = 0.15
CLEAR_STABILITY = 0.80
WEAK_GAP = 0.05
STABLE_ENOUGH = 0.75
FINER_TOLERANCE = 0.90
NULL_REPEATS = 2
SWEEP_N_INIT = 3
DISTINCT_TRAIT_Z = 0.25


class ClusteringInputError(ValueError):
    """The data cannot support the requested clustering; the message gives the numbers."""


@dataclass
class KScore:
    k: int
    inertia: float
    silhouette: float
    null_silhouette: float
    silhouette_gap: float
    calinski_harabasz: float
    davies_bouldin: float
    stability_ari: float
    smallest_share: float
    verdict: str
    # Per clustering feature (in matrix order): the share of its variance between the segments,
    # on the data and on the null reference (feature_relevance.explained_share).
    explained_share: list[float] = field(default_factory=list)
    null_explained_share: list[float] = field(default_factory=list)

    def as_row(self) -> dict:
        return asdict(self)


def _kmeans(x: np.ndarray, k: int, seed: int, n_init: int):
    """One K-Means fit. Callers run it inside :func:`single_threaded`."""
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed, algorithm="lloyd").fit(x)


def single_threaded():
    """Native thread pools limited to one thread: identical results on any machine.

    Set around a whole computation and again on each worker thread of :func:`sweep` (a BLAS
    limit is process-wide, an OpenMP one holds for the thread that sets it), never per fit.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def sweep(
    x: np.ndarray,
    k_values: list[int],
    seed: int,
    n_init: int,
    silhouette_sample_size: int,
    resamples: int,
    workers: int | None = None,
) -> list[tuple[KScore, float]]:
    """:func:`score_k` for every k (in ``k_values`` order), with the seconds each took.

    The ks run on up to ``workers`` Python threads (default: one per CPU): K-Means and the
    NumPy metrics release the GIL, so two cores score two ks at once. Each fit still runs
    single-threaded and every k draws from its own seeded generator, so the figures are the
    same whatever the number of workers.
    """

    def timed_score(k: int) -> tuple[KScore, float]:
        # Again on each worker: an OpenMP thread limit holds for the thread that sets it.
        with single_threaded():
            started = time.perf_counter()
            score = score_k(x, k, seed, n_init, silhouette_sample_size, resamples)
            return score, time.perf_counter() - started

    workers = max(1, min(len(k_values), workers or os.cpu_count() or 1))
    with single_threaded():
        if workers == 1:
            return [timed_score(k) for k in k_values]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="k-sweep") as pool:
            return list(pool.map(timed_score, k_values))


def check_enough_users(x: np.ndarray, k_values: list[int]) -> None:
    """Stop with the numbers when the sample cannot hold the largest k asked for."""
    k_high = max(k_values)
    distinct = len(np.unique(x, axis=0)) if len(x) else 0
    if distinct < k_high:
        raise ClusteringInputError(
            f"k = {k_high} needs at least {k_high} distinct users, but the valid users have only "
            f"{distinct} distinct feature profiles ({len(x)} users)"
        )


def verdict(silhouette_gap: float, stability: float) -> str:
    if silhouette_gap >= CLEAR_GAP and stability >= CLEAR_STABILITY:
        return "clear"
    if silhouette_gap >= WEAK_GAP:
        return "weak"
    return "none"


def null_reference(
    x: np.ndarray, k: int, seed: int, n_init: int, metric_size: int, repeats: int = NULL_REPEATS
) -> tuple[float, np.ndarray]:
    """K-Means on ``x`` with each column permuted independently: mean silhouette, and the mean
    share of each feature's variance between its segments.

    Fitted on the same sample and scored on the same number of users as the real data, so the
    figures differ from the real ones only by the joint structure (``n_init``: see the
    module docstring).
    """
    rng = np.random.default_rng([seed, k, 7919])
    values, shares = [], []
    for _ in range(repeats):
        permuted = np.column_stack([rng.permutation(column) for column in x.T])
        labels = _kmeans(permuted, k, seed, n_init).labels_
        values.append(silhouette(permuted[:metric_size], labels[:metric_size]))
        shares.append(explained_share(permuted, labels, k))
    return float(np.mean(values)), np.mean(shares, axis=0)


def stability(x: np.ndarray, k: int, seed: int, n_init: int, resamples: int) -> float:
    """Mean pairwise adjusted Rand index of fits on bootstrap resamples, all labelling ``x``."""
    if resamples < 2:
        return float("nan")
    rng = np.random.default_rng([seed, k, 104729])
    labelings = []
    for _ in range(resamples):
        resample = x[rng.integers(0, len(x), len(x))]
        labelings.append(_kmeans(resample, k, seed, n_init).predict(x))
    return float(np.mean([adjusted_rand(a, b) for a, b in combinations(labelings, 2)]))


def score_k(
    x: np.ndarray,
    k: int,
    seed: int,
    n_init: int,
    silhouette_sample_size: int,
    resamples: int,
) -> KScore:
    """All quality figures for one k on the selection sample ``x``."""
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

    # The partition scored for k, and its null reference, get the final fit's full n_init: with
    # unequal segments, a few restarts settle on splitting the largest one and merging two
    # small ones, and that local minimum would be scored instead of the partition the final
    # fit finds. The bootstrap refits only measure how reproducible k is; SWEEP_N_INIT
    # restarts suffice there.
    fitted = _kmeans(x, k, seed, n_init)
    labels = fitted.labels_
    metric_x, metric_labels = x[:silhouette_sample_size], labels[:silhouette_sample_size]
    sil = silhouette(metric_x, metric_labels)
    null, null_shares = null_reference(x, k, seed, min(n_init, SWEEP_N_INIT), silhouette_sample_size)
    stable = stability(x[:silhouette_sample_size], k, seed, min(n_init, SWEEP_N_INIT), resamples)
    several = len(np.unique(labels)) > 1
    gap = sil - null
    return KScore(
        k=k,
        inertia=float(fitted.inertia_),
        silhouette=sil,
        null_silhouette=null,
        silhouette_gap=gap,
        calinski_harabasz=float(calinski_harabasz_score(x, labels)) if several else 0.0,
        davies_bouldin=float(davies_bouldin_score(x, labels)) if several else 0.0,
        stability_ari=stable,
        smallest_share=float(np.bincount(labels, minlength=k).min() / len(labels)),
        verdict=verdict(gap, stable if not np.isnan(stable) else 0.0),
        explained_share=[float(v) for v in explained_share(x, labels, k)],
        null_explained_share=[float(v) for v in null_shares],
    )


def choose_k(scores: list[KScore], min_segment_share: float) -> tuple[int, str]:
    """The k to use and the rule that picked it (see the module docstring)."""
    eligible = [s for s in scores if s.stability_ari >= STABLE_ENOUGH and s.smallest_share >= min_segment_share]
    pool = eligible or scores
    best = max(pool, key=lambda s: (round(s.silhouette_gap, 6), -s.k))
    if eligible:
        rule = (
            f"largest silhouette gap over the null reference among k with stability >= "
            f"{STABLE_ENOUGH} and smallest segment >= {min_segment_share:.0%}"
        )
        if best.silhouette_gap >= WEAK_GAP:
            finer = [s for s in eligible if s.k > best.k and s.silhouette_gap >= FINER_TOLERANCE * best.silhouette_gap]
            if finer:
                finest = max(finer, key=lambda s: s.k)
                rule += (
                    f"; then the finest such k whose gap is within {FINER_TOLERANCE:.0%} of it (k = "
                    f"{finest.k}: gap {finest.silhouette_gap:.3f}, against {best.silhouette_gap:.3f} "
                    f"at k = {best.k})"
                )
                return finest.k, rule
    else:
        rule = "largest silhouette gap over the null reference (no k met the stability and size rules)"
    return best.k, rule


def fit_centroids(x: np.ndarray, k: int, seed: int, n_init: int) -> tuple[np.ndarray, np.ndarray]:
    """Centroids of the final fit and the number of sample users nearest each."""
    with single_threaded():
        fitted = _kmeans(x, k, seed, n_init)
    return fitted.cluster_centers_, np.bincount(fitted.labels_, minlength=k)


def stable_segment_ids(
    centroids: np.ndarray,
    sizes: np.ndarray,
    previous: dict[int, np.ndarray] | None = None,
) -> list[int]:
    """The segment id (1..k) for each fitted cluster.

    Without a previous run: by size, largest first (ties: the centroid's coordinates).
    With one: Hungarian matching on centroid distance keeps a matched cluster's previous id;
    clusters left over (k grew) take the free ids in size order.
    """
    k = len(centroids)
    by_size = sorted(range(k), key=lambda i: (-int(sizes[i]), tuple(np.round(centroids[i], 9))))
    ids: dict[int, int] = {}
    if previous:
        from scipy.optimize import linear_sum_assignment

        previous_ids = sorted(i for i in previous if 1 <= i <= k)
        if previous_ids:
            old = np.array([previous[i] for i in previous_ids])
            cost = ((centroids[:, None, :] - old[None, :, :]) ** 2).sum(axis=2)
            rows, cols = linear_sum_assignment(cost)
            ids = {int(r): previous_ids[c] for r, c in zip(rows, cols, strict=True)}
    free = iter(sorted(set(range(1, k + 1)) - set(ids.values())))
    for cluster in by_size:
        if cluster not in ids:
            ids[cluster] = next(free)
    return [ids[i] for i in range(k)]


def signed(value: float, decimals: int = 1) -> str:
    """``+1.2`` / ``\u22120.4``: an explicit sign, and a real minus sign for people."""
    return f"{value:+.{decimals}f}".replace("-", "\u2212")


def _direction(label: str, first: bool) -> str:
    """Sentence case inside a list: "High CTR" -> "high CTR", acronyms kept."""
    if first or label[:2].isupper():
        return label
    return label[0].lower() + label[1:]


def segment_names(
    centroids_z: np.ndarray,
    high_labels: list[str],
    low_labels: list[str],
    traits: int = 2,
) -> list[tuple[str, str]]:
    """A name and a one-sentence description per segment, from its centroid (in z-units).

    The name joins the ``traits`` most distinctive features (largest |z|, at least
    ``DISTINCT_TRAIT_Z``) with their direction, e.g. "High CTR, weekend-heavy". Clashing
    names get further traits (in order of |z|) until they differ; only segments with
    identical profiles get a number, in the order given (segment id order).
    """
    k, features = centroids_z.shape
    orders = [sorted(range(features), key=lambda j, i=i: (-abs(centroids_z[i, j]), j)) for i in range(k)]

    def name_for(i: int, level: int) -> str:
        # Level 0: the ``traits`` strongest features that are distinctive (|z| >= threshold).
        # Level 1..: to break a clash, any non-zero trait counts, one more per level.
        depth = min(traits + max(level - 1, 0), features)
        chosen = [
            j
            for j in orders[i][:depth]
            if abs(centroids_z[i, j]) >= DISTINCT_TRAIT_Z or (level > 0 and centroids_z[i, j] != 0)
        ]
        if not chosen:
            return "Close to average"
        parts = [high_labels[j] if centroids_z[i, j] > 0 else low_labels[j] for j in chosen]
        return ", ".join(_direction(p, n == 0) for n, p in enumerate(parts))

    level = [0] * k
    names = [name_for(i, 0) for i in range(k)]
    for _ in range(features + 1):
        clashes = {n for n in names if names.count(n) > 1}
        if not clashes:
            break
        for i in range(k):
            if names[i] in clashes:
                level[i] += 1
                names[i] = name_for(i, level[i])
    clashing = {n for n in names if names.count(n) > 1}
    seen: dict[str, int] = {}
    for i, name in enumerate(list(names)):
        if name in clashing:
            seen[name] = seen.get(name, 0) + 1
            names[i] = f"{name} ({seen[name]})"

    described = []
    for i in range(k):
        notable = [j for j in orders[i][:3] if abs(centroids_z[i, j]) >= DISTINCT_TRAIT_Z]
        if notable:
            phrases = [
                f"{_direction(high_labels[j] if centroids_z[i, j] > 0 else low_labels[j], n == 0)} "
                f"({signed(centroids_z[i, j])} sd)"
                for n, j in enumerate(notable)
            ]
            joined = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
            sentence = f"{joined}, compared with all users."
        else:
            sentence = "Close to the average on every clustering feature."
        described.append((names[i], sentence))
    return described
