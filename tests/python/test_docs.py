"""`dbt docs generate` works, and every model and every column it finds is documented."""

from __future__ import annotations

import json

import pytest

from tests.python.conftest import run_dbt

pytestmark = pytest.mark.dbt


def test_docs_generate_and_everything_is_documented(sample_warehouse) -> None:
    run = run_dbt(sample_warehouse.db, "docs", "generate")
    assert run.returncode == 0, run.output[-3000:]
    target = sample_warehouse.db.parent / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    assert [v["name"] for v in models.values() if not v.get("description")] == []
    undocumented = []
    for key, node in catalog["nodes"].items():
        if key in models:
            documented = {c.lower(): v.get("description") for c, v in models[key].get("columns", {}).items()}
            undocumented += [
                f"{node['metadata']['name']}.{c}" for c in node["columns"] if not documented.get(c.lower())
            ]
    assert undocumented == []
    assert any(e["name"] == "segment_report" for e in manifest["exposures"].values())
