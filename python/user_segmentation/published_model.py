"""The published model: what identifies a fit, and how a build labels with one instead of refitting.

A fit is the centroids (weighted z-units), the features and which of them were clustered,
the feature statistics the z-units were made with (mean, sd, weight, kind, transform) and
the clustering configuration. :func:`model_id` hashes exactly these, so the same model gets
the same id in every build that uses it, and any change that would move a label changes it.

``segmentation_models`` (a mart, append-only through the published warehouse) holds one row
per model. With ``vars.refit: false`` the build standardises with the model's own means and
sds (``int_feature_stats``), and :func:`fit_table_from_model` turns the model's row back into
the rows ``int_segmentation_fit`` would have fitted, with the same ids and names.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd

__all__ = ["MODEL_STAT_COLUMNS", "fit_table_from_model", "model_id"]

# The int_feature_stats columns a model depends on (in this order in the hash).
MODEL_STAT_COLUMNS = ("feature", "feature_kind", "transform", "feature_level", "weight", "mean", "sd")


def model_id(fit: pd.DataFrame, stats: pd.DataFrame, config_hash: str) -> str:
    """16 hex digits of SHA-256 over the centroids, the feature statistics and the configuration.

    ``fit`` has ``segment_id``, ``features``, ``clustered_features`` and ``centroid_z`` (one
    row per segment); ``stats`` is ``int_feature_stats``. Floats enter with ``repr`` (exact).
    """
    rows = fit.sort_values("segment_id")
    ordered = stats.set_index("feature").loc[list(rows["features"].iloc[0])].reset_index()
    payload = {
        "features": [str(f) for f in rows["features"].iloc[0]],
        "clustered_features": [str(f) for f in rows["clustered_features"].iloc[0]],
        "centroids": {
            str(int(r.segment_id)): [repr(float(v)) for v in r.centroid_z] for r in rows.itertuples(index=False)
        },
        "stats": [
            [None if pd.isna(v) else (repr(float(v)) if isinstance(v, float) else str(v)) for v in values]
            for values in ordered[list(MODEL_STAT_COLUMNS)].itertuples(index=False)
        ],
        "config_hash": config_hash,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def fit_table_from_model(model: dict[str, Any], run_id: str) -> pd.DataFrame:
    """``int_segmentation_fit``'s rows for a published model (a ``segmentation_models`` row)."""
    ids = [int(i) for i in model["segment_ids"]]
    fit_users = [int(n) for n in model["fit_users"]]
    total = sum(fit_users) or 1
    rows = [
        {
            "run_id": run_id,
            "segment_id": segment_id,
            "segment_name": model["segment_names"][i],
            "segment_description": model["segment_descriptions"][i],
            "fit_users": fit_users[i],
            "fit_share": fit_users[i] / total,
            "features": list(model["features"]),
            "centroid_z": [float(v) for v in model["centroids_weighted_z"][i]],
            "clustered_features": list(model["clustered_features"]),
            # The model's own ids: nothing was matched, nothing could move.
            "matched_previous_run": False,
            "model_id": model["model_id"],
        }
        for i, segment_id in enumerate(ids)
    ]
    return pd.DataFrame(rows).sort_values("segment_id").reset_index(drop=True)
