"""What the Spark tests share: the skip when the Spark extra or Java 17/21 is missing, the fixture
project, and `dbt build` of a copy of it in a subprocess whose files all stay under a test's folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.python.conftest import BIN, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "spark_python_model"


def require_spark() -> None:
    """Skip the calling test module, with the reason, unless pyspark, dbt-spark and Java 17 or 21 are there."""
    pytest.importorskip("pyspark", reason="the Spark extra is not installed (make install-spark)")
    pytest.importorskip("dbt.adapters.spark", reason="the Spark extra is not installed (make install-spark)")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: Spark needs Java 17 or 21", allow_module_level=True)
    version = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60).stderr
    if not re.search(r'"(17|21)[."]', version):
        first = version.splitlines()[0] if version else "nothing"
        pytest.skip(f"Spark 4.3 needs Java 17 or 21; java -version says {first}", allow_module_level=True)


def dbt_build(tmp_path: Path, *args: str, profiles: Path | None = None, **env: str) -> tuple[int, str, Path]:
    """``dbt build <args>`` of a copy of the fixture project (returned); ``env`` is added to the environment.

    The profile is the fixture's own, or a copy of the ``profiles`` file (dbt writes .user.yml beside it).
    """
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    profiles_dir = project
    if profiles is not None:
        profiles_dir = tmp_path / "profiles"
        profiles_dir.mkdir()
        shutil.copy(profiles, profiles_dir / "profiles.yml")
    environment = {
        key: value
        for key, value in os.environ.items()
        # Any of these would switch pyspark to (or away from) Spark Connect behind the profile's back.
        if key not in {"SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_API_MODE", "MASTER"}
    }
    environment.update(
        DBT_PROFILES_DIR=str(profiles_dir),
        DBT_PROJECT_DIR=str(project),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
        DBT_USE_COLORS="false",
        **env,
    )
    done = subprocess.run(
        [str(BIN / "dbt"), "build", *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout + done.stderr, project
