"""A CSV input file for the Spark target: checked and split by the reader of the DuckDB target.

Spark reads Parquet in place. A CSV file (the profiles or an activity log) goes through the same
inspection as on DuckDB (:func:`user_segmentation.input_file.inspect_input`: the encoding, the
delimiter, the header's spelling, records that do not split into the header's columns), and the
same DuckDB reader writes its records once, as text, to Parquet under the Spark folder's scratch
space, for Spark to read: so every file gives the same rows, malformed records and errors on both
engines. The records are numbered as in the file (malformed ones included), so Spark does not
renumber them. A file is staged again only when it changes (its path, size, modification time,
encoding or format).

This runs on the dbt process's machine (the Spark driver's, or the client's of Spark Connect): a
CSV too big for one machine's disk should be converted to Parquet where the cluster reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
from dbt_common.exceptions import DbtRuntimeError

from .dbt_plugin import named_input_error
from .input_file import InputFileError, inspect_input, memory_limit
from .input_format import LOG_FORMATS, PROFILES
from .sql import quote_literal

__all__ = ["STAGING_VERSION", "stage_csv"]

# Part of every staged file's key: a change to the layout below stages every file again.
STAGING_VERSION = "1"
# What stage_csv returned in this process, by the file's key: the models that read one file (its
# records, malformed records and count) do not inspect it again.
_STAGED: dict[str, dict] = {}
MALFORMED_COLUMNS = (
    ("source_row_number", pa.int64()),
    ("error_type", pa.string()),
    ("raw_line", pa.string()),
    ("error_message", pa.string()),
)


def _key(resolved: Path, encoding: str, file_format: str) -> str:
    stat = resolved.stat()
    text = json.dumps([STAGING_VERSION, str(resolved), stat.st_size, stat.st_mtime_ns, encoding, file_format])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def stage_csv(path: str, encoding: str, file_format: str, folder: str) -> dict:
    """Check the CSV file ``path`` and stage it as Parquet under ``folder``; what Spark reads.

    ``file_format``: ``profiles`` or a log of ``vars.log_formats``. Returns ``records`` (Parquet:
    ``data_row_number``, the record's number in the file, and ``raw_<name>`` as text per column),
    ``malformed`` (Parquet: ``source_row_number``, ``error_type``, ``raw_line``, ``error_message``),
    ``rows_in_file`` (records and malformed records), ``malformed_records``, ``extra_columns`` and
    ``renamed_columns``. A file that cannot be used raises a dbt error naming it and the problem.
    """
    kind = LOG_FORMATS.get(file_format, PROFILES)
    work = Path(folder)
    try:
        seen = _key(Path(path).resolve(), encoding, kind.name) + str(work.resolve())
    except OSError:
        seen = None  # not there: the inspection says so
    if seen in _STAGED and Path(_STAGED[seen]["records"]).exists():
        return _STAGED[seen]
    try:
        found = inspect_input(path, encoding, str(work / "transcoded"), kind)
    except InputFileError as err:
        raise DbtRuntimeError(named_input_error(str(err), kind)) from None
    if found.input_format != "csv":
        raise DbtRuntimeError(f"Input file {path!r}: {found.input_format} is read by Spark itself, not staged")
    target = work / _key(Path(found.resolved_path), found.encoding, kind.name)
    result = {
        "records": str((target / "records.parquet").resolve()),
        "malformed": str((target / "malformed.parquet").resolve()),
        "rows_in_file": found.rows_read + len(found.malformed),
        "malformed_records": len(found.malformed),
        "extra_columns": list(found.extra_columns),
        "renamed_columns": dict(found.renamed_columns),
    }
    if not (target / "records.parquet").exists():
        _write(found, target)
    if seen is not None:
        _STAGED[seen] = result
    return result


def _write(found, target: Path) -> None:
    """Writes records.parquet and malformed.parquet into a new folder, then renames it ``target``."""
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    rows = found.malformed
    malformed = pa.table(
        {
            name: pa.array(values, kind)
            for (name, kind), values in zip(
                MALFORMED_COLUMNS,
                [
                    [r.source_row_number for r in rows],
                    [r.error_type for r in rows],
                    [r.raw_line for r in rows],
                    [r.message for r in rows],
                ],
                strict=True,
            )
        }
    )
    con = duckdb.connect(config={"memory_limit": memory_limit()})
    try:
        con.execute("set enable_progress_bar = false")
        con.register("malformed", malformed)
        con.execute(f"copy malformed to {quote_literal(str(partial / 'malformed.parquet'))} (format parquet)")
        # Each good record's number in the file: its number among the good records plus the
        # malformed records before it (as numbered_around_malformed does on DuckDB).
        con.execute(
            f"""
            copy (
                with good as ({found.read_sql}),
                marks as (
                    select
                        source_row_number - row_number() over (order by source_row_number) as good_rows_before,
                        row_number() over (order by source_row_number) as malformed_so_far
                    from malformed
                )
                select
                    good.data_row_number + coalesce((
                        select max(marks.malformed_so_far) from marks
                        where marks.good_rows_before < good.data_row_number
                    ), 0) as data_row_number,
                    good.* exclude (data_row_number)
                from good
                order by data_row_number
            ) to {quote_literal(str(partial / "records.parquet"))} (format parquet)
            """
        )
    except duckdb.Error as err:
        shutil.rmtree(partial, ignore_errors=True)
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DbtRuntimeError(f"Input file {found.path!r}: could not be read for Spark: {first}") from None
    finally:
        con.close()
    try:
        partial.rename(target)
    except OSError:
        # Another build staged the same file meanwhile: its copy is as good as this one.
        shutil.rmtree(partial, ignore_errors=True)
