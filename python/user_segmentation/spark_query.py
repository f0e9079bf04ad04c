"""``user-segmentation query --target spark "SQL"``: one query on the Spark target's tables, as CSV.

The session is the one ``dbt --target spark`` opens: the ``spark`` output of ``profiles.yml``,
its ``env_var`` calls rendered as dbt renders them, so the same environment (``SEGMENTATION_SPARK_DIR``,
``SEGMENTATION_SPARK_MASTER``, ``SEGMENTATION_SPARK_REMOTE`` for Spark Connect, ...) reaches the same
metastore or cluster. The query runs in the schema readers read (``published_schema``: the last
build whose every model and test passed) as ``select * from (<query>)``, so
only a query runs (no statement that changes a table), and rows stream to CSV as
``user-segmentation query`` writes them for DuckDB.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import jinja2
import yaml

from .warehouse_query import QueryError, csv_field

__all__ = ["spark_session", "spark_target", "write_spark_query_csv"]

PROFILE = "user_segmentation"
TARGET = "spark"


def spark_target(profiles: Path, environ: Mapping[str, str] = os.environ) -> tuple[str, dict[str, str]]:
    """The schema readers read (``published_schema``, or ``schema`` without one) and the Spark
    settings of ``profiles``' spark output, rendered; empty settings are left out (as the
    segmentation_spark plugin does)."""
    try:
        output = yaml.safe_load(profiles.read_text(encoding="utf-8"))[PROFILE]["outputs"][TARGET]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as err:
        raise QueryError(f"{profiles}: no readable '{PROFILE}' profile with a '{TARGET}' output ({err})") from None

    def env_var(name: str, default: str | None = None) -> str:
        if name in environ:
            return environ[name]
        if default is None:
            raise QueryError(f"{profiles}: environment variable {name} is not set and has no default")
        return default

    renderer = jinja2.Environment(undefined=jinja2.StrictUndefined)

    def render(value: object) -> str:
        return renderer.from_string(str(value)).render(env_var=env_var)

    settings = {key: render(value) for key, value in (output.get("server_side_parameters") or {}).items()}
    schema = render(output.get("published_schema", "")) or render(output.get("schema", "default"))
    return schema, {key: value for key, value in settings.items() if value}


def spark_session(settings: dict[str, str]):
    """A SparkSession with ``settings`` (Hive metastore support when local), or a QueryError
    without the Spark extra."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise QueryError("--target spark needs the Spark extra: make install-spark") from None
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    if "spark.remote" not in settings:
        builder = builder.enableHiveSupport()
    return builder.getOrCreate()


def write_spark_query_csv(sql: str, out: TextIO, profiles: Path, session=None) -> int:
    """Run the query ``sql`` on the Spark target and write the result to ``out`` as CSV with a
    header; returns the number of data rows written.

    ``session``: a SparkSession of the same target to reuse (several queries, one JVM start); it is
    left open. Without it, one is started for the query and stopped after it."""
    query = sql.strip().rstrip(";").strip()
    if not query:
        raise QueryError('no query given: pass one SQL query, e.g. "select * from stg_user_profiles"')
    schema, settings = spark_target(profiles)
    where = f"Spark ({settings.get('spark.remote') or settings.get('spark.master', 'local')}, schema {schema})"
    spark = session if session is not None else spark_session(settings)
    try:
        from pyspark.errors import PySparkException

        try:
            spark.sql(f"use {schema}")
            frame = spark.sql(f"select * from ({query}) as query")
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(frame.columns)
            rows = 0
            for row in frame.toLocalIterator():
                writer.writerow([csv_field(value) for value in row])
                rows += 1
            return rows
        except PySparkException as err:
            text = str(err).strip()
            first = text.splitlines()[0] if text else type(err).__name__
            raise QueryError(f"the query failed on {where}: {first}") from None
    finally:
        if session is None:
            spark.stop()
