"""Runs input-policy corpus cases on the Spark target in one process (issue 16).

``python -m tests.python.spark_corpus_runner OUT.json PROJECT FOLDER NAME...`` (from the
repository root): for each named case of tests/python/corpus.py it writes the case's file into
``FOLDER/<name>``, runs ``dbt build --target spark`` on the project copy ``PROJECT`` through
dbt's programmatic runner (one JVM and one SparkSession for every case; each case in its own
schema), and records dbt's messages and, for a build that passed, the counts that
test_input_corpus.py checks on DuckDB. The build selects the staging models the outcome depends
on (``+stg_user_profiles +rejected_user_profiles``; with the k sweep's pre-hook when the case
stops there), not the whole project: the corpus is about reading and quarantining input.

A name ``table:<case>`` reads a Parquet case's file into a Spark table first and builds with
``--vars '{input_table: ...}'`` instead: an existing table as the input.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.python.conftest import ROOT, yaml_string
from tests.python.corpus import CASES

STAGING = ["+stg_user_profiles", "+rejected_user_profiles"]
COUNTS = {
    "valid": "select count(*) from {schema}.stg_user_profiles",
    "rejected": "select count(*) from {schema}.rejected_user_profiles",
    "checked": "select count(*) from {schema}.base_user_profiles__checked",
}
REASONS = (
    "select code, count(*) from (select explode(rejection_codes) as code from {schema}.rejected_user_profiles) "
    "group by code"
)


def selection(case) -> list[str]:
    """What dbt builds for ``case``: staging, and the k sweep when its pre-hook decides the outcome."""
    if any("Not enough users to cluster" in fragment for fragment in case.error):
        return [*STAGING, "+int_segmentation_k_sweep"]
    return STAGING


def _spark():
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()


def run_case(case, project: Path, folder: Path, index: int, as_table: bool = False) -> dict:
    from dbt.cli.main import dbtRunner

    case_folder = folder / (f"table_{case.name}" if as_table else case.name)
    case_folder.mkdir(parents=True, exist_ok=True)
    path = case.write(case_folder)
    variables = {"input_path": str(path), **case.vars}
    if as_table:
        # The table exists before the build, as a user's would; the session is dbt's (local Spark).
        _spark().sql("create schema if not exists corpus_tables")
        _spark().sql(f"create table corpus_tables.{case.name} using parquet as select * from parquet.`{path}`")
        variables = {"input_table": f"corpus_tables.{case.name}", **case.vars}
    vars_yaml = "{" + ", ".join(f"{key}: {yaml_string(value)}" for key, value in variables.items()) + "}"
    schema = f"corpus_{index}"
    os.environ["SEGMENTATION_SPARK_SCHEMA"] = schema
    messages: list[str] = []
    arguments = ["build", "--target", "spark", "--select", *selection(case)]
    arguments += ["--exclude", "resource_type:unit_test", "--indirect-selection", "cautious"]
    arguments += ["--vars", vars_yaml, "--project-dir", str(project), "--profiles-dir", str(project)]
    result = dbtRunner(callbacks=[lambda event: messages.append(event.info.msg)]).invoke(arguments)
    outcome = {"succeeded": bool(result.success), "output": "\n".join(str(m) for m in messages)}
    if result.exception is not None:
        outcome["output"] += f"\n{type(result.exception).__name__}: {result.exception}"
    if result.success:
        spark = _spark()
        built = f"{schema}__build"  # a partial build (--select) is not published: its own schema
        for name, sql in COUNTS.items():
            outcome[name] = spark.sql(sql.format(schema=built)).collect()[0][0]
        outcome["reasons"] = {row[0]: row[1] for row in spark.sql(REASONS.format(schema=built)).collect()}
    return outcome


def main(argv: list[str]) -> int:
    out, project, folder, *names = argv
    cases = {case.name: case for case in CASES}
    os.chdir(project)  # dbt-spark's relative folders (profiles.yml) are the project's
    results = {}
    for index, name in enumerate(names):
        kind, _, case_name = name.rpartition(":")
        results[name] = run_case(cases[case_name], Path(project), Path(folder), index, as_table=kind == "table")
        print(f"{name}: {'built' if results[name]['succeeded'] else 'stopped'}", file=sys.stderr, flush=True)
    Path(out).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
