"""The segmentation_spark adapter plugin (python/dbt/adapters/segmentation_spark): Python models
run in dbt's own SparkSession, which dbt-spark alone cannot do outside Databricks.

Needs the Spark extra (`make install-spark`, which `.ci/run` runs) and Java; without them these
tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.python.conftest import BIN, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "spark_python_model"

pytest.importorskip("pyspark", reason="the Spark extra is not installed (make install-spark)")
pytest.importorskip("dbt.adapters.spark", reason="the Spark extra is not installed (make install-spark)")
if shutil.which("java") is None:
    pytest.skip("no java on PATH: Spark needs Java 17 or 21", allow_module_level=True)


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


def test_a_python_model_builds_and_passes_its_test_on_local_spark(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    spark_dir = tmp_path / "spark"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project),
        "DBT_PROJECT_DIR": str(project),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_USE_COLORS": "false",
        "SPARK_CHECK_DIR": str(spark_dir),
    }
    done = subprocess.run(
        [str(BIN / "dbt"), "build"], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "Registered adapter: segmentation_spark" in output
    assert "OK created python table model check.fitted" in output
    assert "PASS=3 WARN=0 ERROR=0" in output  # two models and the singular test of their values
    # The metastore and the tables stayed in the folder the profile names, not the working directory.
    assert (spark_dir / "metastore_db").is_dir() and (spark_dir / "spark-warehouse" / "check.db").is_dir()
    leftovers = {"metastore_db", "spark-warehouse", "derby.log"} & {p.name for p in project.iterdir()}
    assert not leftovers
