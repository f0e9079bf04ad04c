"""The segmentation_spark adapter plugin (python/dbt/adapters/segmentation_spark): Python models
run in dbt's own SparkSession, which dbt-spark alone cannot do outside Databricks.

Needs the Spark extra (`make install-spark`, which `.ci/run` runs) and Java; without them these
tests skip and say why.
"""

from __future__ import annotations

from pathlib import Path

from tests.python.spark_support import dbt_build, require_spark

require_spark()


def test_the_plugin_is_dbt_spark_with_a_session_submission() -> None:
    from dbt.adapters.spark import SparkAdapter

    from dbt.adapters.segmentation_spark import Plugin, SessionPythonJobHelper

    assert Plugin.adapter.type() == "segmentation_spark"
    assert issubclass(Plugin.adapter, SparkAdapter)
    assert Plugin.dependencies == ["spark"]  # every spark__ macro and dispatch applies
    adapter = Plugin.adapter.__new__(Plugin.adapter)  # the two properties need no connection
    assert adapter.default_python_submission_method == "session"
    assert adapter.python_submission_helpers["session"] is SessionPythonJobHelper
    assert {"job_cluster", "all_purpose_cluster"} <= set(adapter.python_submission_helpers)


def test_the_plugin_leaves_out_an_empty_parameter() -> None:
    # How profiles.yml passes spark.master or spark.remote, never both (pyspark refuses the pair).
    from dbt.adapters.segmentation_spark import SegmentationSparkCredentials

    def parameters(**given: str) -> dict[str, str]:
        profile = {"method": "session", "host": "NA", "schema": "s", "server_side_parameters": given}
        return SegmentationSparkCredentials.from_dict(profile).server_side_parameters

    assert "spark.remote" not in parameters(**{"spark.remote": "", "spark.master": "local[2]"})
    assert "spark.master" not in parameters(**{"spark.remote": "sc://127.0.0.1:15002", "spark.master": ""})


def test_a_python_model_builds_and_passes_its_test_on_local_spark(tmp_path: Path) -> None:
    spark_dir = tmp_path / "spark"
    returncode, output, project = dbt_build(tmp_path, SPARK_CHECK_DIR=str(spark_dir))
    assert returncode == 0, output[-4000:]
    assert "Registered adapter: segmentation_spark" in output
    assert "OK created python table model check.fitted" in output
    assert "PASS=4 WARN=0 ERROR=0" in output  # two models, the singular test of their values, the hook
    # The metastore and the tables stayed in the folder the profile names, not the working directory.
    assert (spark_dir / "metastore_db").is_dir() and (spark_dir / "spark-warehouse" / "check.db").is_dir()
    leftovers = {"metastore_db", "spark-warehouse", "derby.log"} & {p.name for p in project.iterdir()}
    assert not leftovers
