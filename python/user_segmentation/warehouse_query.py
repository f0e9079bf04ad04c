"""``user-segmentation query "SQL"``: one query against the published warehouse, as CSV.

For analysts and scripts who want the segment tables without a DuckDB client: the warehouse
that the last passing build published (``SEGMENTATION_DB``, default
``warehouse/segmentation.duckdb``) is opened read-only, the query runs, and the result is
written as CSV with a header row (comma-separated, RFC 4180 quoting, nulls as empty fields,
times in ISO-8601, lists and structs as DuckDB prints them). Rows are streamed in batches, so a
large result does not have to fit in memory. A query that fails, or that tries to change the
warehouse, stops with one line naming the warehouse and DuckDB's reason.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, TextIO

import duckdb

from .report import ReportError, connect

__all__ = ["QueryError", "csv_field", "write_query_csv"]

BATCH_ROWS = 10_000


class QueryError(Exception):
    """The query cannot run; the message says why."""


def csv_field(value: Any) -> str:
    """One value as CSV text: empty for null, ISO-8601 for times, full precision for floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)  # dates, times and decimals print as ISO-8601 / exactly


def write_query_csv(db: Path, sql: str, out: TextIO) -> int:
    """Run ``sql`` on the published warehouse ``db`` (read-only) and write the result to ``out``
    as CSV with a header; returns the number of data rows written."""
    if not sql.strip():
        raise QueryError('no query given: pass one SQL statement, e.g. "select * from dim_segments"')
    try:
        con = connect(db)
    except ReportError as err:
        raise QueryError(str(err)) from None
    try:
        result = con.execute(sql)
        if result.description is None:
            raise QueryError(f"the statement returned no result set on {db}: pass a query (select ...)")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([column[0] for column in result.description])
        rows = 0
        while batch := result.fetchmany(BATCH_ROWS):
            writer.writerows([csv_field(value) for value in row] for row in batch)
            rows += len(batch)
        return rows
    except duckdb.Error as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise QueryError(f"the query failed on {db}: {first}") from None
    finally:
        con.close()
