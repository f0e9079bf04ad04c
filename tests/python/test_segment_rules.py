"""Readable segment rules: the tree's best leaf, written for people and as SQL that reproduces
the stated figures."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from user_segmentation.segment_rules import FeatureColumn, nice_threshold, segment_rules


def test_rules_on_the_planted_sample_are_precise_and_their_sql_reproduces_the_figures(sample_warehouse) -> None:
    rules = sample_warehouse.query(
        "select segment_id, rule_text, sql_condition, users_covered, users_covered_in_segment, segment_users,"
        " rule_precision, rule_recall, is_low_fidelity from segment_rules order by segment_id"
    )
    segments = sample_warehouse.query("select segment_id, users from dim_segments order by segment_id")
    assert [r[0] for r in rules] == [s[0] for s in segments] and len(rules) == 4
    con = duckdb.connect(str(sample_warehouse.db), read_only=True)
    try:
        for segment_id, text, condition, covered, hits, members, precision, recall, low in rules:
            # Plain DuckDB over dim_users, the condition exactly as stored.
            got = con.execute(
                f"select count(*) filter (where {condition}), "
                f"count(*) filter (where ({condition}) and segment_id = ?), "
                f"count(*) filter (where segment_id = ?) from dim_users",
                [segment_id, segment_id],
            ).fetchall()[0]
            assert got == (covered, hits, members), (segment_id, text)
            assert precision == pytest.approx(hits / covered) and recall == pytest.approx(hits / members)
            assert precision >= 0.9 and recall >= 0.9, (segment_id, text, precision, recall)
            assert not low
            assert 1 <= text.count(" and ") + 1 <= 3 and (">=" in text or "<" in text)
    finally:
        con.close()


def test_rules_on_noise_say_they_are_imprecise() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (4000, 5))
    # An arbitrary partition of noise along a direction no single threshold follows.
    labels = np.digitize(x @ np.array([1.0, -1.0, 1.0, -1.0, 1.0]), [-0.3, 0.5, 1.3])
    features = [FeatureColumn(f"f{i}", f"F{i}") for i in range(5)]
    rules = segment_rules(x, labels, features, seed=1)
    assert len(rules) == 4
    assert (rules["fit_precision"] < 0.8).any()


def test_indicator_conditions_read_as_levels_and_quote_them_in_sql() -> None:
    rng = np.random.default_rng(1)
    device = rng.integers(0, 2, 2000).astype(float)
    hours = rng.uniform(0, 40, 2000)
    labels = np.where(device == 1, 1, 2)
    features = [FeatureColumn("device_usage", "Device usage", level="Smartphone's"), FeatureColumn("hours", "Hours")]
    rules = segment_rules(np.column_stack([device, hours]), labels, features, seed=0).set_index("segment_id")
    assert rules.loc[1, "rule_text"] == "Device usage is Smartphone's"
    assert rules.loc[1, "sql_condition"] == "(device_usage = 'Smartphone''s')"
    assert rules.loc[2, "sql_condition"] == "(device_usage <> 'Smartphone''s')"
    assert rules.loc[1, "fit_precision"] == 1.0 and rules.loc[1, "fit_recall"] == 1.0


def test_thresholds_are_rounded_to_three_significant_digits() -> None:
    assert nice_threshold(0.123456) == 0.123
    assert nice_threshold(4375.579) == 4380.0
    assert nice_threshold(-0.0004567) == -0.000457
    assert nice_threshold(0.0) == 0.0
