"""The `spark` target of profiles.yml over Spark Connect (issue 16): with SEGMENTATION_SPARK_REMOTE set,
the dbt process holds a Connect client and the tables are made by the server, not by a local session.

The server is the pyspark wheel's own (`sbin/start-connect-server.sh`), started here on a free
port with every file under the test's folder and stopped, with its whole process group, after the
test. Needs the Spark extra (with Spark Connect's client packages) and Java 17 or 21; without them
this skips and says why.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.python.conftest import ROOT
from tests.python.spark_support import dbt_build, require_spark

require_spark()
try:
    from pyspark.sql.connect.utils import check_dependencies

    check_dependencies()  # grpcio, grpcio-status, googleapis-common-protos, zstandard, pandas, pyarrow
except ImportError as missing:
    pytest.skip(f"Spark Connect's client packages are missing (make install-spark): {missing}", allow_module_level=True)

pytestmark = pytest.mark.dbt

STARTUP_SECONDS = 180  # a JVM start on 2 busy cores


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def connect_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A Spark Connect server of this test's own: its URL and folder (warehouse, metastore, logs)."""
    import pyspark

    spark_home = Path(pyspark.__file__).parent  # the wheel is a Spark distribution: bin/, sbin/, jars/
    folder = tmp_path / "server"
    folder.mkdir()
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"SPARK_REMOTE", "SPARK_CONF_DIR"}},
        "SPARK_HOME": str(spark_home),
        "SPARK_NO_DAEMONIZE": "1",  # stays in the foreground, in the process group stopped below
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_PID_DIR": str(folder / "pids"),
    }
    command = [
        "bash",
        str(spark_home / "sbin" / "start-connect-server.sh"),
        "--master",
        "local[2]",
        "--driver-memory",
        "1g",
        "--driver-java-options",
        f"-Dderby.system.home={folder}",
        "--conf",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        f"spark.sql.warehouse.dir={folder / 'spark-warehouse'}",
        "--conf",
        f"spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName={folder / 'metastore_db'};create=true",
        "--conf",
        "spark.sql.catalogImplementation=hive",  # as dbt-spark's local session: a Derby metastore
        "--conf",
        f"spark.local.dir={folder / 'scratch'}",
        "--conf",
        "spark.ui.enabled=false",
    ]
    log = folder / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not listening(port):
            if server.poll() is not None:
                pytest.fail(f"the Spark Connect server stopped (exit {server.returncode}):\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no server on port {port} after {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}", folder
    finally:
        stop(server)


def stop(server: subprocess.Popen) -> None:
    """Stop the script's bash and its java (the process group it leads), waiting until both are gone."""
    import psutil

    java: list[psutil.Process] = []
    with contextlib.suppress(psutil.NoSuchProcess):  # the script's bash stopped by itself
        java = psutil.Process(server.pid).children(recursive=True)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)
    _, alive = psutil.wait_procs(java, timeout=60)
    for process in alive:
        process.kill()


def test_the_spark_target_builds_on_a_spark_connect_server(connect_server: tuple[str, Path], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    url, server = connect_server
    local_dir = tmp_path / "local-spark"  # where a local session of the profile would put its files
    returncode, output, project = dbt_build(
        tmp_path,
        "--profile",
        "user_segmentation",
        "--target",
        "spark",
        profiles=ROOT / "profiles.yml",  # the project's own `spark` target
        SEGMENTATION_SPARK_REMOTE=url,
        SEGMENTATION_SPARK_DIR=str(local_dir),
        SEGMENTATION_SPARK_SCHEMA="check",
    )
    assert returncode == 0, output[-4000:]
    assert "OK created python table model check__build.fitted" in output
    assert "PASS=4 WARN=0 ERROR=0" in output  # two models, the singular test of their values, the hook
    assert "CANNOT_MODIFY" not in output  # the server's settings win, quietly (the plugin's warning filter)
    # Published over Connect: the build schema's tables became publication 1's snapshots.
    assert "Published: schema check now shows this build (publication 1" in output, output[-3000:]
    # The server made the tables, in its own warehouse folder; no local session started.
    tables = server / "spark-warehouse" / "check__build.db"  # the target's build schema
    numbers = pq.read_table(tables / "numbers__p1").to_pydict()
    fitted = pq.read_table(tables / "fitted__p1").to_pydict()
    assert sorted(numbers["id"]) == list(range(10))
    assert sorted(zip(fitted["id"], fitted["label"], fitted["members"], strict=True)) == [
        (i, (2 * i) % 3, [i, i + 1]) for i in range(10)
    ]
    assert (server / "metastore_db").is_dir()
    assert not local_dir.exists()
    leftovers = {"metastore_db", "spark-warehouse", "derby.log"} & {p.name for p in project.iterdir()}
    assert not leftovers
