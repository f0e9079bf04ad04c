"""``user-segmentation report --target spark``: the report's tables read through Spark.

The session is the one ``dbt --target spark`` opens (:func:`user_segmentation.spark_query.spark_target`:
the ``spark`` output of ``profiles.yml`` with its ``env_var`` calls rendered, so
``SEGMENTATION_SPARK_DIR``, ``SEGMENTATION_SPARK_MASTER`` or ``SEGMENTATION_SPARK_REMOTE`` reach the
same metastore or cluster). Every table of :data:`user_segmentation.report.REQUIRED` is copied
through Arrow into an in-memory DuckDB database: the marts whole (they hold one row per segment,
feature, interest, k or bin, never one per user), the quarantine tables with only the two columns
the report counts. The report's named queries then run on that copy exactly as on the published
DuckDB warehouse, so one code path renders the report for both engines.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

__all__ = ["PER_ROW_TABLES", "spark_report_connection"]

# Tables with one row per rejected input row: only the report's columns leave Spark.
PER_ROW_TABLES = frozenset({"rejected_user_profiles", "rejected_interactions", "rejected_transactions"})


def spark_report_connection(profiles: Path, required: dict[str, tuple[str, ...]]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection holding the ``required`` tables of the Spark target
    (``profiles``' spark output); a ReportError names a table that cannot be read."""
    from .report import ReportError
    from .spark_query import spark_session, spark_target
    from .warehouse_query import QueryError

    try:
        schema, settings = spark_target(profiles)
        spark = spark_session(settings)
    except QueryError as err:
        raise ReportError(str(err)) from None
    where = f"Spark ({settings.get('spark.remote') or settings.get('spark.master', 'local')}, schema {schema})"
    limit = os.environ.get("SEGMENTATION_MEMORY_LIMIT", "1200MB")
    con = duckdb.connect(":memory:", config={"memory_limit": limit})
    try:
        from pyspark.errors import PySparkException

        for table, columns in required.items():
            try:
                frame = spark.table(f"{schema}.{table}")
                if table in PER_ROW_TABLES:
                    frame = frame.select(*columns)
                arrow = frame.toArrow()
            except PySparkException as err:
                text = str(err).strip()
                first = text.splitlines()[0] if text else type(err).__name__
                raise ReportError(
                    f"cannot read {table} on {where}: {first}: run `dbt build --target spark` first"
                ) from None
            con.register("spark_table", arrow)
            con.execute(f'create table "{table}" as select * from spark_table')
            con.unregister("spark_table")
    except BaseException:
        con.close()
        raise
    finally:
        spark.stop()
    return con
