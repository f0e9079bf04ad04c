"""A short, readable rule per segment: the best path of a shallow decision tree.

For each segment, a decision tree of depth at most ``MAX_DEPTH`` is fitted to "in this
segment or not" on the fit sample, in the features' own units (the centroids' labels, as
SQL gives them). The rule is the tree's leaf for the segment with the best F1 score on that
sample, written as at most ``MAX_DEPTH`` conditions: ``rule_text`` for people ("Weekend share
of time >= 0.62 and Click-through rate >= 0.15") and ``sql_condition``, a boolean expression
over the feature columns (named as in ``dim_users``; the activity features too) in plain
SQL (comparisons, ``and``, quoted levels) that DuckDB and Spark both run as is. Thresholds
are rounded to ``SIGNIFICANT_DIGITS`` significant digits, the same in both forms; the rule's
precision and recall on all users are computed in SQL (mart ``segment_rules``), so the
figures describe the rule as written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MAX_DEPTH", "RULE_SAMPLE", "SIGNIFICANT_DIGITS", "FeatureColumn", "nice_threshold", "segment_rules"]

MAX_DEPTH = 3
RULE_SAMPLE = 50_000  # users of the fit sample the trees are fitted on (the lowest sample keys)
SIGNIFICANT_DIGITS = 3
MIN_LEAF_SHARE = 0.005  # a leaf holds at least this share of the sample: no rules for a handful


@dataclass(frozen=True)
class FeatureColumn:
    """One clustering feature as a rule can name it."""

    name: str  # the dim_users column (numeric) or the level's column (indicator)
    label: str  # for people
    level: str | None = None  # an indicator's level: the feature is "column = level"


def nice_threshold(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(round(value, digits - 1 - math.floor(math.log10(abs(value)))))


def _number(value: float) -> str:
    text = f"{value:.{SIGNIFICANT_DIGITS + 6}g}"
    return text if "e" not in text else repr(value)


def _condition(feature: FeatureColumn, op: str, threshold: float) -> tuple[str, str]:
    """(text, sql) of one condition; an indicator's split (0/1) reads as = / <> its level."""
    if feature.level is not None:
        is_level = op == ">"
        quoted = feature.level.replace("'", "''")
        word = "is" if is_level else "is not"
        return (f"{feature.label} {word} {feature.level}", f"{feature.name} {'=' if is_level else '<>'} '{quoted}'")
    sql_op = ">=" if op == ">" else "<"
    return f"{feature.label} {sql_op} {_number(threshold)}", f"{feature.name} {sql_op} {_number(threshold)}"


def _leaf_paths(tree) -> dict[int, list[tuple[int, str, float]]]:
    """Each leaf's conditions (feature index, '<=' or '>', threshold) from the root."""
    t = tree.tree_
    paths: dict[int, list[tuple[int, str, float]]] = {}
    stack = [(0, [])]
    while stack:
        node, path = stack.pop()
        if t.children_left[node] == -1:
            paths[node] = path
            continue
        f, thr = int(t.feature[node]), float(t.threshold[node])
        stack.append((int(t.children_left[node]), [*path, (f, "<=", thr)]))
        stack.append((int(t.children_right[node]), [*path, (f, ">", thr)]))
    return paths


def _simplify(path: list[tuple[int, str, float]]) -> list[tuple[int, str, float]]:
    """The tightest bound per feature and direction, in first-use order."""
    best: dict[tuple[int, str], float] = {}
    for f, op, thr in path:
        key = (f, op)
        best[key] = thr if key not in best else (min(best[key], thr) if op == "<=" else max(best[key], thr))
    return [(f, op, best[(f, op)]) for f, op in dict.fromkeys((f, op) for f, op, _ in path)]


def _apply(x: np.ndarray, conditions: list[tuple[int, str, float]]) -> np.ndarray:
    covered = np.ones(len(x), dtype=bool)
    for f, op, thr in conditions:
        covered &= x[:, f] >= thr if op == ">" else x[:, f] < thr
    return covered


def segment_rules(x: np.ndarray, labels: np.ndarray, features: list[FeatureColumn], seed: int) -> pd.DataFrame:
    """One rule per segment label in ``labels``; ``x`` holds the features' own units."""
    from sklearn.tree import DecisionTreeClassifier

    rows = []
    min_leaf = max(1, int(MIN_LEAF_SHARE * len(x)))
    for segment in sorted(np.unique(labels)):
        target = labels == segment
        tree = DecisionTreeClassifier(max_depth=MAX_DEPTH, min_samples_leaf=min_leaf, random_state=seed)
        tree.fit(x, target)
        best = None
        for path in _leaf_paths(tree).values():
            # Thresholds rounded as they will be written; >= / < as SQL will evaluate them.
            conditions = [(f, op, nice_threshold(thr)) for f, op, thr in _simplify(path)]
            covered = _apply(x, conditions)
            hits = int((covered & target).sum())
            if not conditions or hits == 0:
                continue
            precision, recall = hits / int(covered.sum()), hits / int(target.sum())
            f1 = 2 * precision * recall / (precision + recall)
            if best is None or f1 > best[0] + 1e-12:
                best = (f1, conditions, precision, recall)
        if best is None:  # a segment no leaf describes: the rule "everyone", honestly scored
            rows.append(
                {
                    "segment_id": int(segment),
                    "rule_text": "all users",
                    "sql_condition": "true",
                    "conditions": 0,
                    "fit_precision": float(target.mean()),
                    "fit_recall": 1.0,
                }
            )
            continue
        f1, conditions, precision, recall = best
        parts = [_condition(features[f], op, thr) for f, op, thr in conditions]
        rows.append(
            {
                "segment_id": int(segment),
                "rule_text": " and ".join(text for text, _ in parts),
                "sql_condition": " and ".join(f"({sql})" for _, sql in parts),
                "conditions": len(parts),
                "fit_precision": float(precision),
                "fit_recall": float(recall),
            }
        )
    return pd.DataFrame(rows)
