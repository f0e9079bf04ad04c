"""``user-segmentation query``: one SQL query on the published warehouse, printed as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import BIN, DbtRun
from user_segmentation.warehouse_query import QueryError, csv_field, write_query_csv


def query_cli(db: Path, sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "user-segmentation"), "query", "--db", str(db), sql], capture_output=True, text=True, timeout=120
    )


def test_segment_counts_as_csv_equal_the_table(sample_warehouse: DbtRun) -> None:
    done = query_cli(sample_warehouse.db, "select segment_id, count(*) as users from dim_users group by 1 order by 1")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["segment_id", "users"]
    expected = sample_warehouse.query("select segment_id, count(*) from dim_users group by 1 order by 1")
    assert [(int(a), int(b)) for a, b in rows[1:]] == expected
    assert sum(int(b) for _, b in rows[1:]) == sample_warehouse.scalar("select count(*) from dim_users")


def test_text_with_commas_quotes_and_nulls_round_trips(sample_warehouse: DbtRun) -> None:
    out = io.StringIO()
    written = write_query_csv(
        sample_warehouse.db,
        "select 'a, \"b\"' as text, null::integer as nothing, 0.1::double as x, "
        "timestamp '2026-01-02 03:04:05' as t, [1, 2] as list",
        out,
    )
    assert written == 1
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["text", "nothing", "x", "t", "list"],
        ['a, "b"', "", "0.1", "2026-01-02 03:04:05", "[1, 2]"],
    ]


def test_a_large_result_streams_every_row(sample_warehouse: DbtRun) -> None:
    out = io.StringIO()
    assert write_query_csv(sample_warehouse.db, "select range as n from range(25001)", out) == 25001
    lines = out.getvalue().splitlines()
    assert lines[0] == "n" and lines[1] == "0" and lines[-1] == "25000" and len(lines) == 25002


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select * from no_such_table", "the query failed on"),
        ("create table x as select 1", "read-only"),
        ("   ", "no query given"),
    ],
)
def test_bad_queries_stop_with_one_line(sample_warehouse: DbtRun, sql: str, message: str) -> None:
    done = query_cli(sample_warehouse.db, sql)
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert done.stderr.startswith("user-segmentation query: ")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_missing_warehouse_says_to_build(tmp_path: Path) -> None:
    done = query_cli(tmp_path / "none.duckdb", "select 1")
    assert done.returncode == 2
    assert "run `dbt build` first" in done.stderr


def test_the_warehouse_is_not_changed(sample_warehouse: DbtRun) -> None:
    with pytest.raises(QueryError):
        write_query_csv(sample_warehouse.db, "drop table dim_users", io.StringIO())
    assert sample_warehouse.scalar("select count(*) from dim_users") > 0


def test_fields() -> None:
    assert csv_field(None) == ""
    assert csv_field(True) == "true"
    assert csv_field(1 / 3) == repr(1 / 3)
    assert csv_field(dt.date(2026, 12, 3)) == "2026-12-03"
    assert csv_field(duckdb.__version__) == duckdb.__version__
