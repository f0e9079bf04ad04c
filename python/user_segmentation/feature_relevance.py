"""Which clustering features carry the segments, and which are noise that dilutes them.

Two measures, both shares of one feature's variance explained by a grouping of the users
(the R² of a one-way analysis of variance: between-group sum of squares / total):

- :func:`explained_share`: by the segments of a fit on every feature. Stored per k and
  feature with the same share on the null reference (the fit on the sample with each column
  permuted independently) and their gap: what the report shows as "which features define the
  segments".
- :func:`explained_by_other_features`: by the deciles of another feature, the best over the
  other features (the correlation ratio, eta squared). Segments that live in several features
  make those features depend on each other, and each one's values shift with the others'
  deciles; a feature that is only noise is independent of every other feature, so no other
  feature explains more of it than chance (:func:`chance_share`, (bins - 1) / (n - 1)). This is
  the test that drops features. It needs no fit, so it does not depend on which axis K-Means
  happens to cut in noise (on uniform data a fit at k = 2 cuts one arbitrary column, which then
  looks "explained" by its own fit, but never by the other columns), and it costs about a
  millisecond on the sample.

A feature is relevant when another feature explains at least ``RELEVANT_SHARE`` more of its
variance than chance. Features the user marks ``keep: true`` in ``vars.cluster_features`` are
always used. Its blind spot: segments that only show in a combination of features and in no
pair of them, which planted and real behavioural segments do not produce.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "RELEVANT_SHARE",
    "RELEVANCE_BINS",
    "chance_share",
    "explained_by_other_features",
    "explained_share",
    "feature_inputs",
    "relevant_mask",
]

RELEVANT_SHARE = 0.10
RELEVANCE_BINS = 10


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


def chance_share(groups: int, n: int) -> float:
    """The expected share that a grouping into ``groups`` independent of a column explains of it."""
    return (groups - 1) / (n - 1) if n > 1 else 0.0


def feature_inputs(features: list[str]) -> list[frozenset[str]]:
    """The input columns each feature is computed from (``inputs`` in vars.feature_catalog; a
    one-hot indicator ``<column>__<level>`` reads its column; otherwise the feature itself)."""
    from .input_format import CATEGORY_SHARE_PREFIX, FEATURES, feature_label

    inputs = []
    for name in features:
        if name in FEATURES or name.startswith(CATEGORY_SHARE_PREFIX):
            inputs.append(frozenset(feature_label(name).inputs or (name,)))
        else:
            inputs.append(frozenset([name.split("__")[0]]))
    return inputs


def explained_by_other_features(
    x: np.ndarray, inputs: list[frozenset[str]] | None = None, bins: int = RELEVANCE_BINS
) -> np.ndarray:
    """Per column: the largest share of its variance that the ``bins`` quantile bins of another
    column explain (eta squared); 0 for a single column or a constant one. Columns whose
    ``inputs`` overlap (computed from the same input column) are not compared with each other:
    they depend on each other by construction, not because of segments."""
    x = np.asarray(x, dtype=np.float64)
    n, features = x.shape
    if features < 2 or n < 2:
        return np.zeros(features)
    # Quantile bins by rank, ties broken by position: the same bins on any machine.
    ranks = np.argsort(np.argsort(x, axis=0, kind="stable"), axis=0, kind="stable")
    codes = (ranks * bins) // n
    centred = x - x.mean(axis=0)
    total = (centred**2).sum(axis=0)
    best = np.zeros(features)
    for other in range(features):
        counts = np.bincount(codes[:, other], minlength=bins).astype(np.float64)
        for column in range(features):
            if column == other or total[column] <= 0:
                continue
            if inputs is not None and inputs[column] & inputs[other]:
                continue
            sums = np.bincount(codes[:, other], weights=centred[:, column], minlength=bins)
            share = (sums**2 / np.maximum(counts, 1.0)).sum() / total[column]
            best[column] = max(best[column], share)
    return best


def relevant_mask(by_others: np.ndarray, n: int, keep: np.ndarray | None = None) -> np.ndarray:
    """True for the features that carry segments (or that the user keeps)."""
    relevant = by_others - chance_share(RELEVANCE_BINS, n) >= RELEVANT_SHARE
    if keep is not None:
        relevant |= np.asarray(keep, dtype=bool)
    return relevant
