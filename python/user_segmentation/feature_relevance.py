"""Which clustering features carry the segments, and which are noise that dilutes them.

Two measures, both shares of one feature's variance explained by a partition (the R² of a
one-way analysis of variance: 1 - within-segment sum of squares / total sum of squares):

- :func:`explained_share`: by the segments of a fit on every feature. Stored per k and
  feature with the same share on the null reference (the fit on the sample with each column
  permuted independently) and their gap: what the report shows as "which features define the
  segments".
- :func:`explained_by_other_features`: by the segments of a fit that does not see the feature
  (leave one feature out, at the highest k tried). A feature that only adds noise is
  independent of the others, so segments found without it explain no more of it than a random
  partition does (:func:`chance_share`, (k - 1) / (n - 1)); a feature that carries the
  segments is predicted by them. This is the test that drops features, because it does not
  depend on which axis K-Means happens to cut in noise: on uniform data a fit at k = 2 cuts one
  arbitrary column, which then looks "explained" by its own fit, but never by the others.

A feature is relevant when the share explained by the other features exceeds chance by at least
``RELEVANT_SHARE``. Features the user marks ``keep: true`` in ``vars.cluster_features`` are
always used.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = [
    "RELEVANT_SHARE",
    "LEAVE_ONE_OUT_N_INIT",
    "chance_share",
    "explained_by_other_features",
    "explained_share",
    "relevant_mask",
]

RELEVANT_SHARE = 0.10
LEAVE_ONE_OUT_N_INIT = 1


def explained_share(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Per column of ``x``: the share of its variance between the ``k`` segments of ``labels``."""
    x = np.asarray(x, dtype=np.float64)
    total = ((x - x.mean(axis=0)) ** 2).sum(axis=0)
    within = np.zeros(x.shape[1])
    for segment in range(k):
        members = x[labels == segment]
        if len(members):
            within += ((members - members.mean(axis=0)) ** 2).sum(axis=0)
    share = 1.0 - within / np.where(total > 0, total, 1.0)
    return np.where(total > 0, np.clip(share, 0.0, 1.0), 0.0)


def chance_share(k: int, n: int) -> float:
    """The expected share a random partition into ``k`` groups explains of ``n`` values."""
    return (k - 1) / (n - 1) if n > 1 else 0.0


def explained_by_other_features(x: np.ndarray, k: int, seed: int, workers: int | None = None) -> np.ndarray:
    """Per column: the share of its variance explained by a ``k``-means fit of the other columns.

    One fit per column (``LEAVE_ONE_OUT_N_INIT`` start, single-threaded, seeded), run on up to
    ``workers`` threads: the same figures on any machine.
    """
    from .clustering import _kmeans, single_threaded

    features = x.shape[1]
    if features < 2:
        return np.zeros(features)

    def share(column: int) -> float:
        with single_threaded():
            others = np.delete(x, column, axis=1)
            labels = _kmeans(others, k, seed, LEAVE_ONE_OUT_N_INIT).labels_
            return float(explained_share(x[:, [column]], labels, k)[0])

    workers = max(1, min(features, workers or os.cpu_count() or 1))
    with single_threaded():
        if workers == 1:
            return np.array([share(j) for j in range(features)])
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="relevance") as pool:
            return np.array(list(pool.map(share, range(features))))


def relevant_mask(by_others: np.ndarray, k: int, n: int, keep: np.ndarray | None = None) -> np.ndarray:
    """True for the features that carry segments (or that the user keeps)."""
    relevant = by_others - chance_share(k, n) >= RELEVANT_SHARE
    if keep is not None:
        relevant |= np.asarray(keep, dtype=bool)
    return relevant
