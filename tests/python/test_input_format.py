"""The input format is declared once (dbt_project.yml vars) and SQL and Python read the same.

The SQL side is what dbt's macros return (``dbt compile --inline``); the Python side is
``user_segmentation.input_format``. A copy of the project with another level and another
interest then shows that changing the one declaration changes both sides, and that a build
accepts the new values. None of this needs the public CSV.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.python.conftest import dbt_env
from user_segmentation import input_format

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MACRO_VALUES = (
    "{{ tojson({'columns': input_columns(), 'levels': profile_levels(), 'bands': band_bounds(),"
    " 'interests': known_interests(), 'numeric': numeric_checks(), 'features': numeric_features(),"
    " 'gender_type': level_type('gender')}) }}"
)


def _dbt(project: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = dbt_env(tmp / "w.duckdb", project)
    return subprocess.run([str(BIN / "dbt"), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def sql_side(project: Path, tmp: Path) -> dict:
    done = _dbt(project, tmp, "compile", "--quiet", "--inline", MACRO_VALUES)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def python_side(project: Path) -> dict:
    """What the Python readers see, in the macros' shapes."""
    declared = input_format.declaration(project)
    fmt = declared["input_format"]
    return {
        "columns": [[c["header"], c["name"]] for c in fmt["columns"]],
        "levels": {dim: spec["levels"] for dim, spec in fmt["levels"].items()},
        "bands": fmt["bands"],
        "interests": fmt["interests"],
        "numeric": [
            [name, r.get("min"), r.get("max"), r.get("whole", False), r.get("hint", "")]
            for name, r in fmt["numeric_columns"].items()
        ],
        "features": {name: [spec["high"], spec["low"]] for name, spec in declared["feature_catalog"].items()},
    }


def test_sql_and_python_read_the_same_declaration(tmp_path: Path) -> None:
    sql = sql_side(ROOT, tmp_path)
    gender_type = sql.pop("gender_type")
    assert sql == python_side(ROOT)
    # The module-level constants are the same declaration.
    assert [list(c) for c in input_format.COLUMNS] == sql["columns"]
    assert {d: list(v) for d, v in input_format.LEVELS.items()} == sql["levels"]
    assert list(input_format.INTERESTS) == sql["interests"]
    assert list(input_format.NUMERIC_COLUMNS) == [n[0] for n in sql["numeric"]]
    profile_features = input_format.declaration()["feature_catalog"]
    assert {f: [lab.high, lab.low] for f, lab in input_format.FEATURES.items() if f in profile_features} == sql[
        "features"
    ]
    assert gender_type.replace(" ", "") == "enum('Female','Male')"


def test_activity_features_join_the_catalogue_with_an_activity_log(tmp_path: Path) -> None:
    """With an event log the SQL side knows every activity feature (and a named category share),
    with the words Python's catalogue gives them; without one, none of them."""
    named = "{cluster_features: {click_through_rate: {}, category_share__home_garden: {}}}"
    done = _dbt(
        ROOT,
        tmp_path,
        "compile",
        "--quiet",
        "--inline",
        "{{ tojson(numeric_features()) }}",
        "--vars",
        "{interactions_path: events.csv, " + named[1:],
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sql = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(input_format.declaration()["activity_feature_catalog"]) < set(sql)
    assert {f: [lab.high, lab.low] for f, lab in input_format.FEATURES.items()} == {
        f: words for f, words in sql.items() if f in input_format.FEATURES
    }
    share = input_format.feature_label("category_share__home_garden")
    assert sql["category_share__home_garden"] == [share.high, share.low] == ["Mostly home garden", "Little home garden"]
    assert not set(input_format.declaration()["activity_feature_catalog"]) & set(sql_side(ROOT, tmp_path)["features"])


@pytest.mark.dbt
def test_one_change_to_the_declaration_reaches_both_sides_and_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(".venv", ".git", "target", "logs", "warehouse", ".bench-cache", "*.egg-info"),
    )
    config = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))
    config["vars"]["input_format"]["levels"]["gender"]["levels"].append("Non-binary")
    config["vars"]["input_format"]["interests"].append("Knitting")
    (project / "dbt_project.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    sql = sql_side(project, tmp_path)
    assert sql.pop("gender_type").replace(" ", "") == "enum('Female','Male','Non-binary')"
    assert sql == python_side(project)
    assert sql["interests"][-1] == "Knitting"

    # Three users of the seed now use the new level and the new interest.
    seed = project / "seeds" / "raw_user_profiles.csv"
    rows = list(csv.reader(seed.open(encoding="utf-8", newline="")))
    header = rows[0]
    for row in rows[1:4]:
        row[header.index("Gender")] = "non-binary"
        row[header.index("Top Interests")] = "Knitting, Gaming"
    with seed.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)

    # (The unit tests are left out: they assert the default vocabulary, where Knitting is unknown.)
    built = _dbt(project, tmp_path, "build", "--exclude", "test_type:unit")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    # A build with --exclude is not published: its tables are in the build file.
    assert "Not published" in built.stdout
    con = duckdb.connect(str(tmp_path / "w.duckdb.build"), read_only=True)
    try:
        found = con.execute(
            "select gender::varchar, interests, interest_mask from stg_user_profiles where source_row_number <= 3"
        ).fetchall()
        rejected = con.execute("select count(*) from rejected_user_profiles").fetchall()[0][0]
    finally:
        con.close()
    assert [g for g, _, _ in found] == ["Non-binary"] * 3
    assert all(sorted(i) == ["Gaming", "Knitting"] for _, i, _ in found)
    assert all(mask & (1 << 16) for _, _, mask in found)  # Knitting is the 17th known interest
    assert rejected == 0
