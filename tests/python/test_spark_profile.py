"""The `spark` target (issue 16): its files stay in one folder, its pins are fixed.

These read profiles.yml, pyproject.toml and constraints.txt; they need no Spark. That the target
connects and builds is tested where Spark runs: test_spark_python_model.py, test_spark_connect.py
and the test_spark_parity_*.py files (CI installs the Spark extra, `.ci/run`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import jinja2
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPARK_DIR = "{{ env_var('SEGMENTATION_SPARK_DIR', 'warehouse/spark') }}"


def spark_output() -> dict:
    profiles = yaml.safe_load((ROOT / "profiles.yml").read_text(encoding="utf-8"))
    return profiles["user_segmentation"]["outputs"]["spark"]


def test_the_session_runs_in_process_with_every_file_under_one_folder() -> None:
    spark = spark_output()
    assert (spark["type"], spark["method"]) == ("segmentation_spark", "session")  # the plugin: Python models in-process
    params = spark["server_side_parameters"]
    # Without these, Spark writes metastore_db/, derby.log and spark-warehouse/ into the current directory.
    assert params["spark.sql.warehouse.dir"].startswith(SPARK_DIR + "/")
    assert f"databaseName={SPARK_DIR}/metastore_db;" in params["spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert params["spark.driver.extraJavaOptions"] == f"-Dderby.system.home={SPARK_DIR}"
    assert params["spark.local.dir"].startswith(SPARK_DIR + "/")
    assert params["spark.sql.session.timeZone"] == "UTC"  # as the DuckDB target (log times without a zone)
    assert "SEGMENTATION_SPARK_MASTER" in params["spark.master"]


def test_segmentation_spark_remote_replaces_the_local_master() -> None:
    params = spark_output()["server_side_parameters"]

    def rendered(**env: str) -> dict[str, str]:  # as dbt's env_var renders the two values
        context = {"env_var": lambda name, default=None: env.get(name, default)}
        return {key: jinja2.Template(params[key]).render(context) for key in ("spark.master", "spark.remote")}

    # The plugin leaves out the empty one: a local session, or a Spark Connect client.
    assert rendered() == {"spark.master": "local[*]", "spark.remote": ""}
    assert rendered(SEGMENTATION_SPARK_MASTER="local[2]")["spark.master"] == "local[2]"
    remote = rendered(SEGMENTATION_SPARK_REMOTE="sc://127.0.0.1:15002", SEGMENTATION_SPARK_MASTER="local[2]")
    assert remote == {"spark.master": "", "spark.remote": "sc://127.0.0.1:15002"}


def test_the_spark_extra_is_pinned_in_constraints() -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split("==", 1) for line in lines if "==" in line)
    for requirement in extra["spark"]:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[a-z,]+\])?==(\S+)", requirement).groups()
        assert pins.get(name) == version, requirement
    assert pins["pyspark"].startswith("4.3.") and pins["dbt-spark"].startswith("1.11.")
    assert "py4j" in pins  # pyspark's one dependency, pinned with it
    # pyspark[connect]: Spark Connect's client (SEGMENTATION_SPARK_REMOTE), pinned with it.
    assert {"grpcio", "grpcio-status", "googleapis-common-protos", "zstandard", "protobuf"} <= set(pins)


def test_query_renders_the_spark_target_as_dbt_does() -> None:
    from user_segmentation.spark_query import spark_target
    from user_segmentation.warehouse_query import QueryError

    schema, settings = spark_target(
        ROOT / "profiles.yml", {"SEGMENTATION_SPARK_DIR": "/data/spark", "SEGMENTATION_SPARK_SCHEMA": "seg"}
    )
    assert schema == "seg" and settings["spark.master"] == "local[*]" and "spark.remote" not in settings
    assert settings["spark.sql.warehouse.dir"] == "/data/spark/spark-warehouse"
    _, remote = spark_target(ROOT / "profiles.yml", {"SEGMENTATION_SPARK_REMOTE": "sc://cluster:15002"})
    assert remote["spark.remote"] == "sc://cluster:15002" and "spark.master" not in remote
    with pytest.raises(QueryError, match="no readable 'user_segmentation' profile"):
        spark_target(ROOT / "README.md", {})
