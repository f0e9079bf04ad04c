"""The engine interface of the dbt Python models (user_segmentation.model_frames): a DuckDB
relation and a Spark DataFrame of the same rows give the same pandas frames, the fit sample's
prefix in the same order whatever order the engine holds the rows in, and the result goes
back as the session's own frame. The Spark half needs the Spark extra and Java (make
install-spark, which .ci/run runs); without them it skips and says why."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from user_segmentation.model_frames import engine_of, first_row, sample_prefix, to_engine, to_pandas
from user_segmentation.segmentation_steps import load_sample


def fit_sample(users: int = 500) -> pd.DataFrame:
    """A fit sample as int_fit_sample holds it, shuffled (an engine promises no row order),
    with ties in sample_key so that the user_id tie-break matters."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "user_id": np.arange(users, dtype=np.int64),
            "sample_key": rng.integers(0, users // 4, users).astype(np.int64),
            "z_age": rng.normal(size=users),
            "z_income": rng.normal(size=users),
        }
    )
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)


def expected_prefix(frame: pd.DataFrame, size: int) -> pd.DataFrame:
    return frame.sort_values(["sample_key", "user_id"]).head(size).reset_index(drop=True)


def test_duckdb_relations_read_as_pandas() -> None:
    con = duckdb.connect()
    frame = fit_sample()
    relation = con.from_df(frame)
    assert engine_of(relation) == "duckdb"
    pd.testing.assert_frame_equal(sample_prefix(relation, 40), expected_prefix(frame, 40))
    assert to_pandas(relation, ["z_age"]).columns.tolist() == ["z_age"]
    settings = con.sql("select 'a''b' as settings_json, [1.5, 2.0] as centroid_z")
    text, centroid = first_row(settings, ["settings_json", "centroid_z"])
    assert text == "a'b" and list(centroid) == [1.5, 2.0]
    with pytest.raises(ValueError, match="settings_json"):
        first_row(con.sql("select 1 as settings_json where false"), ["settings_json"])
    back = to_engine(con, frame.head(3))
    assert back.fetchall() == con.from_df(frame.head(3)).fetchall()


def test_the_steps_order_the_sample_themselves() -> None:
    frame = fit_sample()
    ids, z, features = load_sample(frame, 25)
    prefix = expected_prefix(frame, 25)
    assert ids.tolist() == prefix["user_id"].tolist()
    assert features == ["age", "income"]
    np.testing.assert_array_equal(z, prefix[["z_age", "z_income"]].to_numpy())


def test_anything_else_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        engine_of(pd.DataFrame())


def test_spark_dataframes_read_as_duckdb_relations_do(tmp_path) -> None:
    from tests.python.spark_support import require_spark

    require_spark()
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("model_frames test")
        .config("spark.sql.catalogImplementation", "in-memory")  # no Derby metastore
        .config("spark.ui.enabled", "false")
        .config("spark.local.dir", str(tmp_path / "scratch"))
        .config("spark.sql.warehouse.dir", str(tmp_path / "warehouse"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        frame = fit_sample()
        relation = to_engine(spark, frame)
        assert engine_of(relation) == "spark"
        duck = duckdb.connect().from_df(frame)
        for size in (1, 40, 10_000):
            pd.testing.assert_frame_equal(sample_prefix(relation, size), sample_prefix(duck, size))
        lists = spark.sql("select 'x' as settings_json, array(1.5D, 2.0D) as centroid_z")
        text, centroid = first_row(lists, ["settings_json", "centroid_z"])
        assert text == "x" and centroid == [1.5, 2.0]  # a list, as on DuckDB, not a numpy array
        assert to_pandas(relation, ["user_id"]).shape == (len(frame), 1)
    finally:
        spark.stop()
