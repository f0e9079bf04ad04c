"""The project's generic tests fail where dbt's built-ins would, on both of their code paths.

A throw-away dbt project (named like ours, so that the macros dispatch the same way) holds the
test macros and a few one-column models: unique keys and repeated keys, each with a narrow
range (the DuckDB bitmap path), a range too wide for the bitmap (the sorting path), and text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import pytest

from .conftest import BIN, ROOT

MODELS = {
    # name: (select, expected number of repeated values)
    "dense_unique": ("select range::bigint as k from range(1, 100001)", 0),
    "dense_repeated": ("select range::bigint % 99998 as k from range(1, 100001)", 2),
    "wide_unique": ("select range::bigint * 1000000007 as k from range(1, 1001)", 0),
    "wide_repeated": ("select (range::bigint % 500) * 1000000007 as k from range(1, 1001)", 500),
    "negative_repeated": ("select -5::bigint as k union all select -5 union all select null", 1),
    "nulls_only": ("select null::bigint as k from range(3)", 0),
    "text_repeated": ("select 'u' || (range % 3) as k from range(10)", 3),
}


@pytest.fixture(scope="module")
def generic_test_results(tmp_path_factory) -> dict[str, dict]:
    project = tmp_path_factory.mktemp("generic_tests")
    (project / "macros").mkdir()
    shutil.copy(ROOT / "macros" / "tests" / "unique_integer_key.sql", project / "macros")
    (project / "models").mkdir()
    for name, (sql, _) in MODELS.items():
        (project / "models" / f"{name}.sql").write_text(sql + "\n")
    (project / "models" / "schema.yml").write_text(
        "version: 2\nmodels:\n"
        + "".join(
            f"  - name: {name}\n    columns:\n      - name: k\n        data_tests: [unique_integer_key]\n"
            for name in MODELS
        )
    )
    (project / "dbt_project.yml").write_text(
        textwrap.dedent(
            """\
            name: user_segmentation
            version: "1.0"
            profile: generic_tests
            models:
              user_segmentation:
                +materialized: view
            """
        )
    )
    (project / "profiles.yml").write_text(
        "generic_tests:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
        f"      path: {project / 'w.duckdb'}\n      threads: 1\n"
    )
    done = subprocess.run(
        [str(BIN / "dbt"), "build", "--profiles-dir", str(project), "--project-dir", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    found = {}
    for result in results:
        if result["unique_id"].startswith("test."):
            model = next(name for name in MODELS if f"_{name}_k" in result["unique_id"])
            found[model] = result
    assert len(found) == len(MODELS), done.stdout[-3000:]
    return found


@pytest.mark.parametrize("model", sorted(MODELS))
def test_unique_integer_key_counts_repeated_values_like_unique(generic_test_results, model):
    result = generic_test_results[model]
    expected = MODELS[model][1]
    assert result["status"] == ("pass" if expected == 0 else "fail"), result["message"]
    assert result["failures"] == expected


def test_unique_integer_key_uses_the_bitmap_only_where_the_range_allows(generic_test_results):
    compiled = {name: result["compiled_code"] for name, result in generic_test_results.items()}
    for name in ("dense_unique", "dense_repeated", "negative_repeated"):
        assert "bitstring_agg" in compiled[name], name
    for name in ("wide_unique", "wide_repeated", "nulls_only", "text_repeated"):
        assert "bitstring_agg" not in compiled[name], name
