"""dbt adapter ``segmentation_spark``: dbt-spark with Python models run in dbt's own SparkSession.

dbt-spark 1.11 runs Python models only on Databricks (``job_cluster``, ``all_purpose_cluster``;
dbt-spark issue 415, a ``session`` submission pull request is open and not merged). This plugin
declares ``dependencies=["spark"]`` (every dbt-spark macro and ``spark__`` dispatch applies
unchanged) and adds one submission method, ``session``, the default: the compiled model runs
in the SparkSession that the dbt process already holds (``method: session``, local or through
Spark Connect). That method can go once dbt-spark ships a session submission.

It also gives the macros two methods: ``adapter.stage_csv_input``, a CSV input file checked and
split by the DuckDB target's reader and staged as Parquet for Spark
(:mod:`user_segmentation.spark_input`), and ``adapter.publish_build``, write-audit-publish's last
step (:mod:`user_segmentation.spark_publish`); with them, the plugin stays.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbt.adapters.base import AdapterPlugin
from dbt.adapters.base.impl import AdapterTrackingRelationInfo, PythonJobHelper
from dbt.adapters.base.meta import available
from dbt.adapters.spark import SparkAdapter, SparkCredentials
from dbt.adapters.spark.connections import SparkConnectionManager

ADAPTER_TYPE = "segmentation_spark"


@dataclass
class SegmentationSparkCredentials(SparkCredentials):
    # Write, audit, publish (user_segmentation.spark_publish): dbt builds into `schema`; a build
    # whose every node passed is published as views in this schema, which readers read. Empty:
    # no publication (the tables in `schema` are what readers get).
    published_schema: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        # An empty parameter is left out: profiles.yml passes spark.master or spark.remote (Spark
        # Connect), as pyspark refuses the two together, by rendering the other one empty.
        self.server_side_parameters = {key: value for key, value in self.server_side_parameters.items() if value}
        if "spark.remote" in self.server_side_parameters:
            # The server's own settings apply: the local-only ones (driver memory, warehouse folder,
            # metastore) and enableHiveSupport()'s cannot change in a running server, and pyspark
            # would warn of each one for every statement dbt-spark runs.
            warnings.filterwarnings(
                "ignore", r"Failed to set \S+ to .* \[CANNOT_MODIFY_(STATIC_)?CONFIG\]", module=r"pyspark\.sql\.connect"
            )

    @property
    def type(self) -> str:
        return ADAPTER_TYPE

    def _connection_keys(self) -> tuple[str, ...]:
        return (*super()._connection_keys(), "published_schema")


def spark_session(credentials: SparkCredentials) -> Any:
    """The SparkSession dbt-spark's session cursor builds, with the same parameters: local, or a
    Spark Connect client (whose active session is per thread). Nothing here touches
    sparkContext, which a Connect session does not have."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in credentials.server_side_parameters.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class SegmentationSparkConnectionManager(SparkConnectionManager):
    TYPE = ADAPTER_TYPE


class SessionPythonJobHelper(PythonJobHelper):
    """Runs a compiled Python model in the active SparkSession of this process."""

    def __init__(self, parsed_model: dict, credential: Any) -> None:
        self.identifier = parsed_model.get("alias") or parsed_model.get("name", "python_model")
        self.credential = credential

    def submit(self, compiled_code: str) -> None:
        spark = spark_session(self.credential)
        code = compile(compiled_code, f"<python model {self.identifier}>", "exec")
        exec(code, {"__name__": f"dbt_python_model_{self.identifier}", "spark": spark})  # noqa: S102 - dbt's compiled model


class SegmentationSparkAdapter(SparkAdapter):
    ConnectionManager = SegmentationSparkConnectionManager

    @classmethod
    def get_adapter_run_info(cls, config: Any) -> AdapterTrackingRelationInfo:
        # dbt derives the module from the class name ("segmentationspark"): name it here.
        from dbt.adapters.__about__ import version as base_version

        from .__version__ import version

        return AdapterTrackingRelationInfo(
            adapter_name=ADAPTER_TYPE,
            base_adapter_version=base_version,
            adapter_version=version,
            model_adapter_details=cls._get_adapter_specific_run_info(config),
        )

    @available
    def stage_csv_input(self, path: str, encoding: str, file_format: str) -> dict:
        """The CSV input ``path`` checked and staged as Parquet (user_segmentation.spark_input.stage_csv),
        under ``scratch/segmentation-inputs`` of the Spark folder (``spark.local.dir``)."""
        from user_segmentation.spark_input import stage_csv

        scratch = self.config.credentials.server_side_parameters.get("spark.local.dir")
        if not scratch:  # Spark Connect: the server keeps its own; stage beside the project's
            scratch = os.path.join(os.environ.get("SEGMENTATION_SPARK_DIR", "warehouse/spark"), "scratch")
        return stage_csv(path, encoding, file_format, os.path.join(scratch, "segmentation-inputs"))

    @available
    def publish_build(self, relations: list[list[str]], failures: int, skipped: int, run_id: str) -> str:
        """On-run-end (macro publish_build): publish this build's ``relations`` ([schema, name,
        kind]) as views in ``published_schema`` (user_segmentation.spark_publish), or say why not."""
        from user_segmentation import spark_publish
        from user_segmentation.publish import publish_decision

        credentials = self.config.credentials
        build, published = credentials.schema, credentials.published_schema
        if not published:
            return f"Not published: the target has no published_schema; readers read the tables in {build}."
        spark = spark_session(credentials)

        def sql(statement: str) -> list[tuple]:
            return [tuple(row) for row in spark.sql(statement).collect()]

        exists = spark_publish.current_publication(sql, published).number > 0
        reason = publish_decision(int(failures), int(skipped), exists)
        if reason:
            return (
                f"Not published: {reason}. Readers still see the previous build in schema {published}; "
                f"this run's tables are in schema {build}."
            )
        chosen = [spark_publish.Relation(str(schema), str(name), str(kind)) for schema, name, kind in relations]
        return spark_publish.publish(sql, published, chosen, run_id)

    @property
    def default_python_submission_method(self) -> str:
        return "session"

    @property
    def python_submission_helpers(self) -> dict[str, type[PythonJobHelper]]:
        return {**super().python_submission_helpers, "session": SessionPythonJobHelper}


Plugin = AdapterPlugin(
    adapter=SegmentationSparkAdapter,  # type: ignore[arg-type]
    credentials=SegmentationSparkCredentials,
    include_path=str(Path(__file__).parent / "include"),
    dependencies=["spark"],
)
