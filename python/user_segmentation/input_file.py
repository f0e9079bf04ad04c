"""Inspect a user-supplied input file before dbt reads it.

dbt reads the file itself, in SQL, with the expression this module builds
(``read_sql``). Before that, :func:`inspect_input` checks everything that would
otherwise surface as a database error or a traceback, and raises
:class:`InputFileError` with a message that names the file, the column and the value:

- the file exists, is a file, is readable, is not empty, has a known extension;
- the text encoding (UTF-8, with or without BOM, unless ``encoding`` says otherwise);
- the delimiter (sniffed: ``,`` ``;`` tab ``|``), with decimal commas after ``;``;
- the header: every required column present (matched ignoring case, spaces,
  underscores and punctuation), extra columns listed so dbt can warn about them;
- malformed CSV records (wrong number of fields, broken quotes): listed with their
  record number and text, so they can be quarantined instead of dropped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .input_format import COLUMNS, HEADER_BY_KEY, NUMERIC_COLUMNS, normalise_header
from .sql import quote_identifier, quote_literal

__all__ = [
    "CSV_SUFFIXES",
    "ENCODINGS",
    "InputFile",
    "InputFileError",
    "MalformedRecord",
    "PARQUET_SUFFIXES",
    "SAMPLE_BYTES",
    "inspect_input",
]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
SAMPLE_BYTES = 1 << 20
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "utf-16": "utf-16",
}


class InputFileError(Exception):
    """A problem with the input file that the user can fix; the message says what and where."""


@dataclass
class MalformedRecord:
    """A CSV record the reader could not split into the header's columns."""

    source_row_number: int
    error_type: str
    raw_line: str
    message: str


@dataclass
class InputFile:
    """What :func:`inspect_input` found out about the file, and how to read it."""

    path: str
    resolved_path: str
    input_format: str
    encoding: str
    delimiter: str | None
    decimal_comma: bool
    size_bytes: int
    columns: dict[str, str]
    extra_columns: list[str]
    renamed_columns: dict[str, str]
    rows_read: int
    malformed: list[MalformedRecord] = field(default_factory=list)

    @property
    def read_sql(self) -> str:
        """A SELECT yielding ``source_row_number`` and one ``raw_<name>`` column per input column.

        Text for CSV; for Parquet, numeric columns keep their type (staging casts as needed).
        """
        selected = []
        for _header, name in COLUMNS:
            column = quote_identifier(self.columns[name])
            if self.input_format == "parquet" and name in NUMERIC_COLUMNS + ("user_id",):
                # Typed Parquet columns stay typed: staging casts them to text only for
                # rejected rows (a double -> text -> double round trip is costly at scale).
                value = column
            else:
                value = f"cast({column} as varchar)"
            if self.decimal_comma and name in NUMERIC_COLUMNS:
                value = f"replace({value}, ',', '.')"
            selected.append(f"{value} as raw_{name}")
        columns_sql = ",\n    ".join(selected)
        if self.input_format == "parquet":
            return (
                f"select file_row_number + 1 as source_row_number,\n    {columns_sql}\n"
                f"from read_parquet({quote_literal(self.resolved_path)}, file_row_number = true)"
            )
        return (
            f"select row_number() over () as data_row_number,\n    {columns_sql}\n"
            f"from {self.csv_reader(ignore_errors=True)}"
        )

    def csv_reader(self, ignore_errors: bool, extra: str = "") -> str:
        options = [
            quote_literal(self.resolved_path),
            "header = true",
            "all_varchar = true",
            f"delim = {quote_literal(self.delimiter or ',')}",
            "quote = '\"'",
            "escape = '\"'",
            f"encoding = {quote_literal(self.encoding)}",
            "strict_mode = true",
            "null_padding = false",
            "max_line_size = 16777216",
            "auto_detect = false",
            "columns = {" + ", ".join(f"{quote_literal(c)}: 'varchar'" for c in self._file_header) + "}",
            "skip = 0",
        ]
        if ignore_errors:
            options.append("ignore_errors = true")
        if extra:
            options.append(extra)
        return "read_csv(" + ", ".join(options) + ")"

    _file_header: list[str] = field(default_factory=list)

    def manifest_row(self) -> dict:
        """One row for the ``input_manifest`` source table."""
        return {
            "input_path": self.path,
            "resolved_path": self.resolved_path,
            "input_format": self.input_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal_comma": self.decimal_comma,
            "size_bytes": self.size_bytes,
            "rows_read": self.rows_read,
            "malformed_records": len(self.malformed),
            "extra_columns": json.dumps(self.extra_columns),
            "renamed_columns": json.dumps(self.renamed_columns),
            "read_sql": self.read_sql,
        }


def _fail(path: str, problem: str) -> InputFileError:
    return InputFileError(f"Input file {path!r}: {problem}")


def _check_file(path: str) -> Path:
    if not path or not str(path).strip():
        raise InputFileError("input_path is empty: pass the file to read, e.g. --vars '{input_path: data/users.csv}'")
    file = Path(path)
    if not file.exists():
        raise _fail(
            path,
            f"not found (looked for {file.resolve()}; relative paths are "
            "resolved against the directory you run dbt from)",
        )
    if not file.is_file():
        raise _fail(path, "is a directory, not a file")
    if not os.access(file, os.R_OK):
        raise _fail(path, "cannot be read (permission denied)")
    if file.stat().st_size == 0:
        raise _fail(path, "is empty: expected a header row with the columns " + ", ".join(repr(h) for h, _ in COLUMNS))
    return file


def _check_encoding(path: str, file: Path, encoding: str) -> str:
    head = file.open("rb").read(SAMPLE_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if encoding != "utf-8":
        return encoding
    sample = head
    if len(head) == SAMPLE_BYTES:  # do not judge a character cut at the sample's end
        sample = head[: head.rfind(b"\n") + 1] or head[:-4]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        _raise_not_utf8(path, head, err.start)
    return "utf-8"


def _raise_not_utf8(path: str, data: bytes, offset: int) -> None:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    text = data[start : end if end >= 0 else None].decode("latin-1").rstrip("\r")
    raise _fail(
        path,
        f"is not UTF-8 encoded (line {line}: {text!r}, byte 0x{data[offset]:02x}). "
        "Save it as UTF-8, or say its encoding with "
        "--vars '{input_path: ..., input_encoding: latin-1}'",
    )


def _match_header(path: str, header: list[str]) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Map each required column to the file's header; list missing and extra ones."""
    columns: dict[str, str] = {}
    extra: list[str] = []
    renamed: dict[str, str] = {}
    for found in header:
        match = HEADER_BY_KEY.get(normalise_header(found.lstrip("\ufeff")))
        if match is None or match[1] in columns:
            extra.append(found)
            continue
        canonical, name = match
        columns[name] = found
        if found != canonical:
            renamed[found] = canonical
    missing = [canonical for canonical, name in COLUMNS if name not in columns]
    if missing:
        raise _fail(
            path,
            f"missing required column{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(m) for m in missing)
            + ". Columns found: "
            + (", ".join(repr(h) for h in header) or "none"),
        )
    return columns, extra, renamed


def _sniff_delimiter(con: duckdb.DuckDBPyConnection, file: Path, encoding: str) -> str:
    first_line = file.open("rb").readline().decode("utf-16" if encoding == "utf-16" else encoding, errors="replace")
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def inspect_input(path: str, encoding: str | None = None) -> InputFile:
    """Check ``path`` and work out how to read it; raise :class:`InputFileError` if it cannot be."""
    file = _check_file(path)
    suffix = file.suffix.lower()
    wanted = ENCODINGS.get((encoding or "utf-8").strip().lower())
    if wanted is None:
        raise _fail(
            path,
            f"unknown input_encoding {encoding!r}; use one of " + ", ".join(sorted(set(ENCODINGS.values()))),
        )
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    try:
        if suffix in PARQUET_SUFFIXES:
            return _inspect_parquet(con, path, file)
        if suffix in CSV_SUFFIXES:
            return _inspect_csv(con, path, file, wanted)
        raise _fail(path, f"unknown file type {suffix or '(no extension)'!r}; use .csv (or .txt/.tsv) or .parquet")
    finally:
        con.close()


def _inspect_parquet(con: duckdb.DuckDBPyConnection, path: str, file: Path) -> InputFile:
    resolved = str(file.resolve())
    try:
        described = con.execute(f"describe select * from read_parquet({quote_literal(resolved)})").fetchall()
        rows = con.execute(f"select count(*) from read_parquet({quote_literal(resolved)})").fetchall()[0][0]
    except duckdb.Error as err:
        raise _fail(path, f"is not a readable Parquet file ({str(err).splitlines()[0]})") from None
    header = [row[0] for row in described]
    columns, extra, renamed = _match_header(path, header)
    return InputFile(
        path, resolved, "parquet", "binary", None, False, file.stat().st_size, columns, extra, renamed, rows
    )


def _inspect_csv(con: duckdb.DuckDBPyConnection, path: str, file: Path, encoding: str) -> InputFile:
    resolved = str(file.resolve())
    encoding = _check_encoding(path, file, encoding)
    delimiter = _sniff_delimiter(con, file, encoding)
    try:
        described = con.execute(
            f"describe select * from read_csv({quote_literal(resolved)}, header = true, "
            f"all_varchar = true, delim = {quote_literal(delimiter)}, "
            f"encoding = {quote_literal(encoding)}, ignore_errors = true)"
        ).fetchall()
    except duckdb.Error as err:
        raise _fail(path, f"cannot be read as CSV ({str(err).splitlines()[0]})") from None
    header = [row[0] for row in described]
    columns, extra, renamed = _match_header(path, header)
    found = InputFile(
        path,
        resolved,
        "csv",
        encoding,
        delimiter,
        delimiter == ";",
        file.stat().st_size,
        columns,
        extra,
        renamed,
        0,
    )
    found._file_header = header
    try:
        rows = con.execute(
            "select count(*) from " + found.csv_reader(ignore_errors=True, extra="store_rejects = true")
        ).fetchall()[0][0]
        rejects = con.execute(
            "select line, error_type, csv_line, error_message from reject_errors order by line"
        ).fetchall()
    except duckdb.Error as err:
        raise _fail(path, f"cannot be read as CSV ({str(err).splitlines()[0]})") from None
    malformed: list[MalformedRecord] = []
    seen_lines: set[int] = set()
    for line, error_type, raw_line, message in rejects:
        if int(line) in seen_lines:  # one entry per record, however many of its fields failed
            continue
        seen_lines.add(int(line))
        if "UNICODE" in str(error_type).upper() or "ENCODING" in str(error_type).upper():
            raise _fail(
                path,
                f"is not {encoding} encoded (record {int(line) - 1}: {raw_line!r}). "
                "Save it as UTF-8, or say its encoding with "
                "--vars '{input_path: ..., input_encoding: latin-1}'",
            )
        malformed.append(
            MalformedRecord(int(line) - 1, str(error_type), raw_line or "", (message or "").splitlines()[0])
        )
    found.rows_read = rows
    found.malformed = malformed
    return found
