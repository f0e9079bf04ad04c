"""The public dataset (read from ../shared/data, never committed) loads as it is and in variants."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.python.conftest import run_dbt, yaml_string
from user_segmentation.input_format import LEVELS

pytestmark = pytest.mark.dbt


def variants(public: Path, tmp: Path) -> dict[str, Path]:
    raw = public.read_bytes()
    out = {"as_is": public}
    out["crlf"] = tmp / "crlf.csv"
    out["crlf"].write_bytes(raw.replace(b"\n", b"\r\n"))
    out["bom"] = tmp / "bom.csv"
    out["bom"].write_bytes(b"\xef\xbb\xbf" + raw)
    lines = raw.decode().split("\n")
    ints = [lines[0]] + [
        ",".join(f.removesuffix(".0") if f.endswith(".0") and f[:-2].isdigit() else f for f in line.split(","))
        for line in lines[1:]
    ]
    out["whole_numbers"] = tmp / "ints.csv"
    out["whole_numbers"].write_text("\n".join(ints))
    assert b",2," in out["whole_numbers"].read_bytes() or b",5," in out["whole_numbers"].read_bytes()
    return out


@pytest.mark.parametrize("variant", ["as_is", "crlf", "bom", "whole_numbers"])
def test_public_file_loads_completely(public_csv: Path, tmp_path: Path, variant: str) -> None:
    path = variants(public_csv, tmp_path)[variant]
    run = run_dbt(
        tmp_path / "w.duckdb",
        "build",
        "--select",
        "+stg_user_profiles",
        "+stg_user_interests",
        "rejected_user_profiles",
        "assert_every_input_row_accounted_for",
        # Staging only: tests that also need the segmentation models are not run here.
        "--indirect-selection",
        "cautious",
        vars_yaml="{input_path: " + yaml_string(str(path)) + "}",
    )
    assert run.returncode == 0, run.output[-3000:]
    assert "Not published" in run.output  # a partial build: its tables are in the build file
    run = dataclasses.replace(run, db=Path(f"{run.db}.build"))
    assert run.scalar("select count(*) from stg_user_profiles") == 1000
    assert run.scalar("select count(*) from rejected_user_profiles") == 0
    assert run.scalar("select count(distinct user_id) from stg_user_profiles") == 1000
    for column, levels in LEVELS.items():
        found = {r[0] for r in run.query(f"select distinct {column} from stg_user_profiles")}
        assert found == set(levels), column
    assert run.scalar("select count(distinct interest) from stg_user_interests") == 16
    assert run.scalar(
        "select max(click_through_rate) <= 0.25 and min(weekday_hours_online) >= 0.5 from stg_user_profiles"
    )
