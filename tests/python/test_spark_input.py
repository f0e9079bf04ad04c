"""A CSV input staged for Spark by the DuckDB target's reader (user_segmentation.spark_input).

No Spark here: the staged Parquet files are read back with DuckDB.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from dbt_common.exceptions import DbtRuntimeError

from tests.python.corpus import sample_rows, to_csv
from user_segmentation.spark_input import stage_csv


def _rows(path: str) -> list[tuple]:
    return duckdb.connect().execute(f"select * from read_parquet('{path}')").fetchall()


def test_records_are_numbered_as_in_the_file_around_malformed_ones(tmp_path: Path) -> None:
    rows = sample_rows(6)
    lines = to_csv(rows).split("\n")
    lines[3] = lines[3] + ",one field too many"  # data record 3 does not split into the header's columns
    source = tmp_path / "users.csv"
    source.write_text("\n".join(lines), encoding="utf-8")
    staged = stage_csv(str(source), "utf-8", "profiles", str(tmp_path / "staged"))
    assert (staged["rows_in_file"], staged["malformed_records"]) == (6, 1)
    records = _rows(staged["records"])
    # The five good records keep their numbers in the file: 1, 2, 4, 5, 6; the user ids say so.
    assert [(r[0], r[1]) for r in records] == [(n, rows[n - 1][0]) for n in (1, 2, 4, 5, 6)]
    assert all(isinstance(value, str) for value in records[0][1:])
    malformed = _rows(staged["malformed"])
    assert [(r[0], "one field too many" in r[2]) for r in malformed] == [(3, True)]


def test_a_file_is_staged_again_only_when_it_changes(tmp_path: Path) -> None:
    source = tmp_path / "users.csv"
    source.write_text(to_csv(sample_rows(4)), encoding="utf-8")
    first = stage_csv(str(source), "utf-8", "profiles", str(tmp_path / "staged"))
    assert stage_csv(str(source), "utf-8", "profiles", str(tmp_path / "staged")) == first
    source.write_text(to_csv(sample_rows(5)), encoding="utf-8")
    os.utime(source, ns=(1, 1))
    changed = stage_csv(str(source), "utf-8", "profiles", str(tmp_path / "staged"))
    assert changed["records"] != first["records"] and len(_rows(changed["records"])) == 5


def test_a_file_that_cannot_be_used_names_itself(tmp_path: Path) -> None:
    source = tmp_path / "empty.csv"
    source.write_bytes(b"")
    with pytest.raises(DbtRuntimeError, match="empty.csv.*is empty"):
        stage_csv(str(source), "utf-8", "profiles", str(tmp_path / "staged"))
    # An event log's error names the log and its var, as on DuckDB.
    with pytest.raises(DbtRuntimeError, match=r"Event log .*empty.csv' \(interactions_path\)"):
        stage_csv(str(source), "utf-8", "interactions", str(tmp_path / "staged"))
