"""Every broken event or order log ends in a build that quarantines and explains, or in a plain
message naming the file and the problem: never a traceback, never a lost record.

The real ``dbt build`` runs once per entry of ``BUILDS`` (an events file and an order file
together), the first time one of its cases needs it; each case then checks its own log."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.python.activity_corpus import (
    BUILD_OF,
    BUILDS,
    CASES,
    CASES_TABLE,
    LOG_VARS,
    Build,
    Case,
)
from tests.python.conftest import DbtRun, run_dbt, yaml_string

pytestmark = pytest.mark.dbt

RECONCILIATION_COLUMNS = (
    "rows_in_file, valid_rows, rejected_rows, unknown_user_rows, unknown_users, rows_after_as_of, "
    "counted_rows, profile_users_with_rows, profile_users_without_rows"
)
STG_TABLES = {"interactions": "stg_interactions", "transactions": "stg_transactions"}


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 14
    assert len({c.name for c in CASES}) == len(CASES)
    built = [name for b in BUILDS for name in b.cases]
    assert sorted(built) == sorted(c.name for c in CASES), "every case in exactly one build"
    for build in BUILDS:
        cases = [c for c in CASES if c.name in build.cases]
        assert len({c.log for c in cases}) == len(cases), f"{build.name}: one case per log"
        assert len(cases) == 1 or all(c.succeeds for c in cases), f"{build.name}: a failing case builds alone"
    assert all(f"| `{c.name}` |" in CASES_TABLE for c in CASES)


@pytest.fixture(scope="session")
def activity_build(tmp_path_factory) -> Callable[[Build], tuple[DbtRun, dict[str, str]]]:
    """Runs each build once per session (its cases share it); the files go beside its warehouse.
    Returns the run and its --vars."""
    runs: dict[str, tuple[DbtRun, dict[str, str]]] = {}

    def run(build: Build) -> tuple[DbtRun, dict[str, str]]:
        if build.name not in runs:
            folder = tmp_path_factory.mktemp(build.name)
            variables = dict(build.vars)
            for case in CASES:
                if case.name in build.cases:
                    variables[LOG_VARS[case.log]] = str(case.write(folder))
            vars_yaml = "{" + ", ".join(f"{k}: {yaml_string(v)}" for k, v in variables.items()) + "}"
            started = time.monotonic()
            runs[build.name] = (run_dbt(folder / "w.duckdb", "build", vars_yaml=vars_yaml), variables)
            print(f"build {build.name}: {time.monotonic() - started:.1f} s")
        return runs[build.name]

    return run


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
        yield pytest.param(case, marks=marks, id=case.name)


@pytest.mark.parametrize("case", list(_params()))
def test_activity_file(case: Case, activity_build: Callable[[Build], tuple[DbtRun, dict[str, str]]]) -> None:
    run, variables = activity_build(BUILD_OF[case.name])
    assert "Traceback" not in run.output, run.output[-3000:]
    if not case.succeeds:
        assert run.returncode != 0
        for fragment in case.error:
            assert fragment in run.output, f"{fragment!r} not in:\n{run.output[-2000:]}"
        assert not Path(run.db).exists(), "a failed build is never published"
    else:
        assert run.returncode == 0, run.output[-3000:]
        log = case.log
        assert run.scalar(f"select count(*) from {STG_TABLES[log]}") == case.valid
        assert run.scalar(f"select count(*) from rejected_{log}") == case.rejected
        reasons = dict(
            run.query(
                "select reason['column'] || '.' || reason['code'], count(*) "
                f"from (select unnest(rejection_reasons) as reason from rejected_{log}) group by all"
            )
        )
        assert reasons == case.reasons
        row = run.query(
            f"select input_path, {RECONCILIATION_COLUMNS} from segmentation_activity_reconciliation "
            f"where activity_log = '{log}'"
        )
        assert len(row) == 1
        assert row[0] == (variables[LOG_VARS[log]], *case.reconciliation)
        for sql, expected in case.expect.items():
            assert run.query(sql) == expected, sql
    if case.check:
        assert case.check(run)


def test_readme_lists_every_activity_case() -> None:
    """README "Input policy / Activity logs" is the corpus's own table: no case missing or stale."""
    from tests.python.activity_corpus import CASES_TABLE

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [row for row in CASES_TABLE.splitlines() if row not in readme]
    assert not missing, "README lacks the activity corpus rows:\n" + "\n".join(missing)
