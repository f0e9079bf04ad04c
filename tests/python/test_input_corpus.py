"""Every broken or hostile file ends in a build that quarantines and explains, or in a
plain message naming the file and the problem: never a traceback, never a lost row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.python.conftest import ROOT, run_dbt, yaml_string
from tests.python.corpus import CASES, Case

pytestmark = pytest.mark.dbt


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_input_file(case: Case, tmp_path: Path) -> None:
    path = case.write(tmp_path)
    variables = {"input_path": str(path), **case.vars}
    vars_yaml = "{" + ", ".join(f"{k}: {yaml_string(v)}" for k, v in variables.items()) + "}"
    run = run_dbt(tmp_path / "warehouse.duckdb", "build", vars_yaml=vars_yaml)
    assert "Traceback" not in run.output
    if case.succeeds:
        assert run.returncode == 0, run.output[-3000:]
        assert run.scalar("select count(*) from stg_user_profiles") == case.valid
        assert run.scalar("select count(*) from rejected_user_profiles") == case.rejected
        reasons = dict(
            run.query(
                "select code, count(*) from (select unnest(rejection_codes) as code from rejected_user_profiles) "
                "group by code"
            )
        )
        assert reasons == case.reasons
        # Nothing lost: the parsed table holds every record once, split between the two sides.
        assert run.scalar("select count(*) from base_user_profiles__checked") == case.valid + case.rejected
    else:
        assert run.returncode != 0
        for fragment in case.error:
            assert fragment in run.output, f"{fragment!r} not in:\n{run.output[-2000:]}"
    if case.check:
        assert case.check(run)


def test_readme_policy_table_lists_every_case() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [c.name for c in CASES if f"| {c.problem} | {c.policy} |" not in readme]
    assert not missing, f"README policy table lacks rows for: {missing}"
