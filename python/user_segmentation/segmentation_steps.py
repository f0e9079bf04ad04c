"""What the two dbt Python models do, as plain functions of DuckDB relations and settings.

``models/intermediate/int_segmentation_k_sweep.py`` and ``models/intermediate/int_segmentation_fit.py``
only load their inputs and call :func:`k_selection_table` / :func:`final_fit_table`.
Both read the fit sample the same way: the users with the lowest ``sample_key`` (a fixed
hash of ``user_id``), at most ``fit_sample_size`` of them; all other users are labelled in
SQL. Nothing here ever holds more than that sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import clustering

__all__ = ["Settings", "final_fit_table", "k_selection_table", "load_sample", "previous_centroids"]


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


def load_sample(matrix: Any, size: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The ``size`` users with the lowest sample_key: ids, z-matrix (float64), feature names."""
    rows = matrix.order("sample_key, user_id").limit(size).df()
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


def k_selection_table(matrix: Any, run_id: str, settings: Settings) -> pd.DataFrame:
    """One row per k: quality figures, the null reference, the verdict, and the chosen k."""
    _, x, _ = load_sample(matrix, settings.selection_sample_size)
    clustering.check_enough_users(x, settings.k_values)
    timed = clustering.sweep(
        x,
        settings.k_values,
        settings.seed,
        settings.n_init,
        settings.silhouette_sample_size,
        settings.stability_resamples,
    )
    scores = [score for score, _ in timed]
    seconds = [elapsed for _, elapsed in timed]
    if settings.k is None:
        chosen, rule = clustering.choose_k(scores, settings.min_segment_share)
    else:
        chosen, rule = settings.k, "fixed by vars.k"
    table = pd.DataFrame([s.as_row() for s in scores])
    table.insert(0, "run_id", run_id)
    table["chosen"] = table["k"] == chosen
    table["k_mode"] = "auto" if settings.k is None else "fixed"
    table["choice_rule"] = rule
    table["selection_users"] = len(x)
    table["silhouette_users"] = min(len(x), settings.silhouette_sample_size)
    table["seconds"] = seconds
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
    matrix: Any,
    stats: pd.DataFrame,
    k: int,
    run_id: str,
    settings: Settings,
    previous: pd.DataFrame | None,
) -> pd.DataFrame:
    """Fit K-Means with the chosen k on the fit sample; number, name and describe the segments."""
    _, x, features = load_sample(matrix, settings.fit_sample_size)
    clustering.check_enough_users(x, [k])
    centroids, sizes = clustering.fit_centroids(x, k, settings.seed, settings.n_init)
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
                "matched_previous_run": matched is not None,
            }
        )
    return pd.DataFrame(rows).sort_values("segment_id").reset_index(drop=True)
