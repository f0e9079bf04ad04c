"""The tiny engine interface of the dbt Python models: what they read, as pandas, and what they
return, on the engine's own session.

dbt hands a Python model the engine's relations: a DuckDB relation under dbt-duckdb, a Spark
DataFrame under dbt-spark. The models read only bounded tables (the settings row, the feature
statistics, the fit sample, the fitted segments), so each is read whole into pandas here
(Spark: ``toPandas``, with Arrow) and :mod:`user_segmentation.segmentation_steps` works on
pandas frames only. The result goes back as the engine's own frame so that the adapter writes
it on the same connection or session.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["SAMPLE_ORDER", "engine_of", "first_row", "sample_prefix", "to_engine", "to_pandas"]

# The order of the fit sample (int_fit_sample): a fixed hash of user_id, ties by user_id.
SAMPLE_ORDER = ("sample_key", "user_id")


def engine_of(relation: Any) -> str:
    """``"spark"`` for a Spark DataFrame, ``"duckdb"`` for a DuckDB relation."""
    if hasattr(relation, "toPandas"):
        return "spark"
    if hasattr(relation, "df") and hasattr(relation, "fetchall"):
        return "duckdb"
    raise TypeError(f"not a DuckDB relation or a Spark DataFrame: {type(relation).__name__}")


def to_pandas(relation: Any, columns: list[str] | None = None) -> pd.DataFrame:
    """The whole (bounded) relation as a pandas frame, only ``columns`` when given.

    List columns come back as Python lists on both engines (Spark's Arrow path gives numpy
    arrays; they are turned into lists so that code and tests see one type)."""
    engine = engine_of(relation)
    if engine == "spark":
        frame = (relation.select(*columns) if columns else relation).toPandas()
    else:
        frame = (relation.project(", ".join(f'"{c}"' for c in columns)) if columns else relation).df()
    for name in frame.columns:
        if frame[name].dtype == object and any(hasattr(v, "tolist") for v in frame[name].head(1)):
            frame[name] = [v.tolist() if hasattr(v, "tolist") else v for v in frame[name]]
    return frame


def sample_prefix(relation: Any, size: int) -> pd.DataFrame:
    """The ``size`` first users of the fit sample (``SAMPLE_ORDER``), as pandas: the engine
    sorts and limits, so a step that needs a few thousand users reads no more."""
    if engine_of(relation) == "spark":
        return to_pandas(relation.orderBy(*SAMPLE_ORDER).limit(size))
    return to_pandas(relation.order(", ".join(SAMPLE_ORDER)).limit(size))


def first_row(relation: Any, columns: list[str]) -> tuple:
    """The values of ``columns`` in the relation's first row (a one-row settings table, say)."""
    frame = to_pandas(relation, columns)
    if frame.empty:
        raise ValueError(f"expected a row with {', '.join(columns)}; the table is empty")
    return tuple(frame.iloc[0][c] for c in columns)


def to_engine(session: Any, frame: pd.DataFrame) -> Any:
    """``frame`` as a frame of ``session``'s engine, which the adapter then writes."""
    if hasattr(session, "createDataFrame"):
        return session.createDataFrame(frame)
    return session.from_df(frame)
