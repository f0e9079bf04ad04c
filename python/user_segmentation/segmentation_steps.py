"""What the dbt Python models do, as plain functions of pandas frames and settings.

``models/intermediate/int_segmentation_k_sweep.py``, ``int_segmentation_fit.py`` and
``int_segment_rules.py`` only load their inputs as pandas (:mod:`user_segmentation.model_frames`,
the same on DuckDB and on Spark) and call :func:`k_selection_table` / :func:`final_fit_table` /
:func:`rules_table`. No function here sees an engine's relation. All read the fit sample the
same way: the users with the lowest ``sample_key`` (a fixed
hash of ``user_id``), at most ``fit_sample_size`` of them; all other users are labelled in
SQL. Nothing here ever holds more than that sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import clustering, feature_relevance
from .model_frames import SAMPLE_ORDER

__all__ = ["Settings", "final_fit_table", "k_selection_table", "load_sample", "previous_centroids", "select_features"]


@dataclass(frozen=True)
class Settings:
    """The clustering settings: the dbt vars, read from the model int_segmentation_settings."""

    k: int | None
    k_min: int
    k_max: int
    seed: int
    n_init: int
    fit_sample_size: int
    selection_sample_size: int
    silhouette_sample_size: int
    stability_resamples: int
    min_segment_share: float
    feature_selection: str = "relevance"
    kept_features: tuple[str, ...] = ()
    # vars.refit: false labels with the published model model_id (int_segmentation_settings
    # resolves "latest" to an id and sets k to the model's).
    refit: bool = True
    model_id: str | None = None

    @classmethod
    def from_config(cls, get: Any) -> Settings:
        """Build from ``dbt.config.get``; values arrive as rendered text."""

        def number(key: str, kind=int):
            value = get(key)
            try:
                return kind(float(value)) if kind is int else kind(value)
            except (TypeError, ValueError):
                raise ValueError(f"vars.{key} must be a number, got {value!r}") from None

        raw_k = str(get("k")).strip().lower()
        k = None if raw_k in ("auto", "", "none") else number("k")
        settings = cls(
            k=k,
            k_min=number("k_min"),
            k_max=number("k_max"),
            seed=number("seed"),
            n_init=number("n_init"),
            fit_sample_size=number("fit_sample_size"),
            selection_sample_size=number("selection_sample_size"),
            silhouette_sample_size=number("silhouette_sample_size"),
            stability_resamples=number("stability_resamples"),
            min_segment_share=number("min_segment_share", float),
            feature_selection=str(get("feature_selection") or "relevance").strip().lower(),
            kept_features=tuple(get("kept_features") or ()),
            refit=str(get("refit") if get("refit") is not None else True).strip().lower() not in ("false", "0", "no"),
            model_id=str(get("model_id")) if get("model_id") else None,
        )
        if settings.feature_selection not in ("relevance", "none"):
            raise ValueError(
                f"vars.feature_selection must be one of relevance | none, got {settings.feature_selection!r}"
            )
        if settings.k is None and not 2 <= settings.k_min <= settings.k_max:
            raise ValueError(
                f"vars.k_min and k_max must satisfy 2 <= k_min <= k_max, got {settings.k_min} and {settings.k_max}"
            )
        if settings.k is not None and settings.k < 2:
            raise ValueError(f"vars.k must be 'auto' or a whole number of at least 2, got {settings.k}")
        return settings

    @classmethod
    def from_values(cls, **values: Any) -> Settings:
        return cls.from_config(values.get)

    @classmethod
    def from_json(cls, text: str | None) -> Settings:
        """From ``int_segmentation_settings.settings_json`` (every setting by name, as JSON)."""
        import json

        if not text:
            raise ValueError("int_segmentation_settings.settings_json is empty (see the macro segmentation_settings)")
        return cls.from_values(**json.loads(text))

    @property
    def k_values(self) -> list[int]:
        return [self.k] if self.k is not None else list(range(self.k_min, self.k_max + 1))


def load_sample(matrix: pd.DataFrame, size: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The ``size`` users of ``matrix`` (the fit sample, as pandas: int_fit_sample) with the
    lowest sample_key, ties by user_id: ids, z-matrix (float64), feature names. The order is
    made here, so it does not depend on the order an engine returns the rows in."""
    rows = matrix.sort_values(list(SAMPLE_ORDER), kind="stable").head(size)
    features = [c for c in rows.columns if c.startswith("z_")]
    return rows["user_id"].to_numpy(), rows[features].to_numpy(dtype=np.float64), [f[2:] for f in features]


def _versions() -> dict[str, str]:
    import duckdb
    import sklearn

    return {
        "scikit_learn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "duckdb_version": duckdb.__version__,
    }


def select_features(x: np.ndarray, features: list[str], settings: Settings) -> tuple[np.ndarray, np.ndarray, str]:
    """The share of each feature explained by the other features, which features to cluster
    on, and why (see :mod:`user_segmentation.feature_relevance`)."""
    by_others = feature_relevance.explained_by_other_features(x, feature_relevance.feature_inputs(features))
    keep = np.array([name in settings.kept_features for name in features])
    relevant = feature_relevance.relevant_mask(by_others, len(x), keep)
    chance = feature_relevance.chance_share(feature_relevance.RELEVANCE_BINS, len(x))
    threshold = f"at least {feature_relevance.RELEVANT_SHARE:.2f} above chance ({chance:.3f})"
    dropped = [name for name, used in zip(features, relevant, strict=True) if not used]
    if settings.feature_selection == "none":
        return by_others, np.ones(len(features), dtype=bool), "every feature (vars.feature_selection: none)"
    if not dropped:
        return (
            by_others,
            relevant,
            (f"every feature: another feature's deciles explain {threshold} of each one's variance"),
        )
    if relevant.sum() < 2:
        return (
            by_others,
            np.ones(len(features), dtype=bool),
            (
                f"every feature: fewer than 2 features are explained {threshold} by another feature, "
                "so there is no joint structure to cluster on without them"
            ),
        )
    return (
        by_others,
        relevant,
        (
            f"dropped {', '.join(dropped)}: no other feature's deciles explain {threshold} of their "
            "variance, so they are noise that dilutes the distances; the sweep ran again without them"
        ),
    )


def k_selection_table(matrix: pd.DataFrame, run_id: str, settings: Settings) -> pd.DataFrame:
    """One row per k: quality figures, the null reference, the verdict, and the chosen k.

    The sweep runs on every clustering feature; when some of them carry no segments
    (:func:`select_features`), it runs again on the others, and those figures choose k. The
    rows are those of the sweep that chose; ``all_feature_*`` list columns keep the first
    sweep's per-feature shares for ``segmentation_feature_relevance``.
    """
    _, x, features = load_sample(matrix, settings.selection_sample_size)
    clustering.check_enough_users(x, settings.k_values)

    def run_sweep(sample: np.ndarray):
        return clustering.sweep(
            sample,
            settings.k_values,
            settings.seed,
            settings.n_init,
            settings.silhouette_sample_size,
            settings.stability_resamples,
        )

    first = run_sweep(x)
    by_others, used, feature_rule = select_features(x, features, settings)
    timed = first if used.all() else run_sweep(x[:, used])
    scores = [score for score, _ in timed]
    if settings.k is None:
        chosen, rule = clustering.choose_k(scores, settings.min_segment_share)
    elif not settings.refit:
        chosen, rule = settings.k, f"the k of the published model {settings.model_id} (vars.refit: false)"
    else:
        chosen, rule = settings.k, "fixed by vars.k"
    table = pd.DataFrame([score.as_row() for score, _ in timed])
    table["seconds"] = [elapsed for _, elapsed in timed]
    table["features"] = [[f for f, u in zip(features, used, strict=True) if u]] * len(table)
    first_scores = [score for score, _ in first]
    table["all_features"] = [features] * len(table)
    table["all_feature_explained_share"] = [s.explained_share for s in first_scores]
    table["all_feature_null_explained_share"] = [s.null_explained_share for s in first_scores]
    table["explained_by_other_features"] = [[float(v) for v in by_others]] * len(table)
    table["relevance_threshold"] = feature_relevance.RELEVANT_SHARE
    table["relevance_chance_share"] = feature_relevance.chance_share(feature_relevance.RELEVANCE_BINS, len(x))
    table["dropped_features"] = [[f for f, u in zip(features, used, strict=True) if not u]] * len(table)
    table["feature_rule"] = feature_rule
    table.insert(0, "run_id", run_id)
    table["chosen"] = table["k"] == chosen
    table["k_mode"] = "auto" if settings.k is None else "fixed"
    table["choice_rule"] = rule
    table["selection_users"] = len(x)
    table["silhouette_users"] = min(len(x), settings.silhouette_sample_size)
    for name, version in _versions().items():
        table[name] = version
    return table


def previous_centroids(previous: pd.DataFrame | None, features: list[str]) -> dict[int, np.ndarray] | None:
    """A previous run's centroids by segment id, if it clustered on the same features."""
    if previous is None or previous.empty:
        return None
    if list(previous["features"].iloc[0]) != features:
        return None
    return {int(r.segment_id): np.asarray(r.centroid_z, dtype=float) for r in previous.itertuples()}


def final_fit_table(
    matrix: pd.DataFrame,
    stats: pd.DataFrame,
    k: int,
    run_id: str,
    settings: Settings,
    previous: pd.DataFrame | None,
    used_features: list[str] | None = None,
) -> pd.DataFrame:
    """Fit K-Means with the chosen k on the fit sample; number, name and describe the segments.

    ``used_features`` (default: all) are the features the k sweep kept; the centroids still
    have a coordinate for every feature (0, the mean, for a dropped one), and
    ``clustered_features`` says which ones the segments were fitted on, so that labelling in
    SQL measures distances over those only.
    """
    _, x, features = load_sample(matrix, settings.fit_sample_size)
    used = np.array([used_features is None or f in used_features for f in features])
    if not used.any():
        raise clustering.ClusteringInputError(
            f"none of the chosen features {used_features} is in the feature matrix ({features})"
        )
    clustering.check_enough_users(x[:, used], [k])
    fitted, sizes = clustering.fit_centroids(x[:, used], k, settings.seed, settings.n_init)
    centroids = np.zeros((k, len(features)))
    centroids[:, used] = fitted
    matched = previous_centroids(previous, features)
    ids = clustering.stable_segment_ids(centroids, sizes, matched)

    stats = stats.set_index("feature").loc[features]
    weights = stats["weight"].to_numpy(dtype=float)
    plain_z = centroids / weights
    indicator = (stats["feature_kind"] == "indicator").to_numpy()
    if indicator.any():
        sd = stats["sd"].to_numpy(dtype=float)
        mean = stats["mean"].to_numpy(dtype=float)
        safe_sd = np.where(sd > 0, sd, 1.0)
        plain_z[:, indicator] = ((plain_z - mean) / safe_sd)[:, indicator]
    by_id = np.argsort(ids)  # name in segment-id order, so any tie-break follows the ids
    names_by_id = clustering.segment_names(plain_z[by_id], list(stats["high_label"]), list(stats["low_label"]))
    names = {int(cluster): names_by_id[rank] for rank, cluster in enumerate(by_id)}

    rows = []
    for cluster, segment_id in enumerate(ids):
        rows.append(
            {
                "run_id": run_id,
                "segment_id": segment_id,
                "segment_name": names[cluster][0],
                "segment_description": names[cluster][1],
                "fit_users": int(sizes[cluster]),
                "fit_share": float(sizes[cluster] / sizes.sum()),
                "features": features,
                "centroid_z": [float(v) for v in centroids[cluster]],
                "clustered_features": [f for f, u in zip(features, used, strict=True) if u],
                "matched_previous_run": matched is not None,
            }
        )
    return pd.DataFrame(rows).sort_values("segment_id").reset_index(drop=True)


def rules_table(matrix: pd.DataFrame, stats: pd.DataFrame, fit: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """A readable rule per segment (:mod:`user_segmentation.segment_rules`), fitted on the
    fit sample's first users (``RULE_SAMPLE``) in the features' own units, to the labels SQL
    gives them (the nearest centroid over the clustered features, ties to the lower id)."""
    from .segment_rules import RULE_SAMPLE, FeatureColumn, segment_rules

    _, z, features = load_sample(matrix, min(RULE_SAMPLE, settings.fit_sample_size))
    fit = fit.sort_values("segment_id")
    centroids = np.vstack(fit["centroid_z"].to_numpy())
    clustered = np.array([f in set(fit["clustered_features"].iloc[0]) for f in features])
    distances = (((z * clustered)[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    labels = fit["segment_id"].to_numpy()[distances.argmin(axis=1)]

    stats = stats.set_index("feature").loc[features]
    weight, mean, sd = (stats[c].to_numpy(dtype=float) for c in ("weight", "mean", "sd"))
    plain = z / weight
    values = mean + sd * plain
    logged = (stats["transform"] == "log1p").to_numpy()
    values[:, logged] = np.expm1(values[:, logged])  # only those: expm1 of a raw count overflows
    indicator = (stats["feature_kind"] == "indicator").to_numpy()
    values[:, indicator] = plain[:, indicator]
    columns = [
        FeatureColumn(
            name=str(row.source_column),
            label=str(row.feature_label),
            level=str(row.feature_level) if row.feature_kind == "indicator" else None,
        )
        for row in stats.itertuples()
    ]
    used = np.flatnonzero(clustered)
    rules = segment_rules(values[:, used], labels, [columns[i] for i in used], settings.seed)
    rules.insert(0, "run_id", str(fit["run_id"].iloc[0]))
    rules["rule_sample_users"] = len(z)
    return rules
