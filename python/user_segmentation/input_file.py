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
- malformed CSV records (wrong number of fields, a few bytes that are not valid UTF-8):
  listed with their record number and text, so they can be quarantined instead of dropped.
  The inspection counts them with the very ``read_csv(...)`` expression dbt then reads
  (:attr:`InputFile.csv_source`: same options, ``store_rejects`` included), so the
  plugin's count and dbt's agree by construction;
- a quote that is opened and never closed: the reader cannot tell where the following
  records start, so the records cannot be counted reliably and the inspection stops,
  naming the line where the quote opens.

Encodings DuckDB does not read itself (``cp1252``/``windows-1252``, UTF-16 big-endian) are
transcoded, streaming in 1 MB chunks (memory stays bounded), to a UTF-8 copy in
``work_dir`` (the warehouse's folder when the dbt plugin calls; else the system temporary
folder), named ``.<file>.<hash>.utf-8.csv``; dbt then reads that copy. It is rewritten by
every inspection of the file and is not removed (dbt's views read it after the inspection).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import input_format
from .input_format import PROFILES, FileFormat, normalise_header
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
# The accepted input_encoding names -> the encoding read (vars.input_format.encodings).
ENCODINGS: dict[str, str] = dict(input_format.ENCODINGS)
TRANSCODED = {"cp1252": "cp1252", "utf-16-be": "utf-16"}  # our name -> Python codec
MAX_LINE_BYTES = 16 * 1024 * 1024
QUOTE_CHARS = 200
# A UTF-8 file with at most this many records (or this share of them) holding invalid bytes
# is read, those records quarantined; more and the file is taken as not UTF-8 at all.
FEW_BAD_RECORDS = 10
FEW_BAD_SHARE = 0.01


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
    _file_header: list[str] = field(default_factory=list)
    # The file DuckDB reads: the input itself, or its UTF-8 transcoded copy.
    read_path: str = ""
    # Which kind of file this is: its columns (the profiles, or a log of vars.log_formats).
    file_format: FileFormat = PROFILES

    @property
    def read_sql(self) -> str:
        """A SELECT yielding ``source_row_number`` and one ``raw_<name>`` column per input column.

        Text for CSV; for Parquet, numeric columns keep their type (staging casts as needed).
        """
        selected = []
        for _header, name in self.file_format.columns:
            if name not in self.columns:  # an optional column the file does not have
                selected.append(f"cast(null as varchar) as raw_{name}")
                continue
            column = quote_identifier(self.columns[name])
            if self.input_format == "parquet" and name in self.file_format.typed:
                # Typed Parquet columns stay typed: staging casts them to text only for
                # rejected rows (a double -> text -> double round trip is costly at scale).
                value = column
            else:
                value = f"cast({column} as varchar)"
            if self.decimal_comma and name in self.file_format.decimal:
                value = f"replace({value}, ',', '.')"
            selected.append(f"{value} as raw_{name}")
        columns_sql = ",\n    ".join(selected)
        if self.input_format == "parquet":
            return (
                f"select file_row_number + 1 as source_row_number,\n    {columns_sql}\n"
                f"from read_parquet({quote_literal(self.resolved_path)}, file_row_number = true)"
            )
        return f"select row_number() over () as data_row_number,\n    {columns_sql}\nfrom {self.csv_source}"

    @property
    def count_sql(self) -> str:
        """Counts the records of :attr:`read_sql`, reading every column it reads.

        The reader checks a field (its encoding, say) only when the query uses the column, so
        the count uses them all, through the very SELECT dbt runs: the counts agree.
        """
        used = ", ".join(
            f"min(length(raw_{name}))" for _header, name in self.file_format.columns if name in self.columns
        )
        return f"select count(*), {used} from (\n{self.read_sql}\n)"

    @property
    def csv_source(self) -> str:
        """The ``read_csv(...)`` expression: the inspection counts with it, dbt reads with it."""
        options = [
            quote_literal(self.read_path or self.resolved_path),
            "header = true",
            "all_varchar = true",
            f"delim = {quote_literal(self.delimiter or ',')}",
            "quote = '\"'",
            "escape = '\"'",
            f"encoding = {quote_literal(self.encoding)}",
            "strict_mode = true",
            "null_padding = false",
            f"max_line_size = {MAX_LINE_BYTES}",
            "auto_detect = false",
            "columns = {" + ", ".join(f"{quote_literal(c)}: 'varchar'" for c in self._file_header) + "}",
            "skip = 0",
            "ignore_errors = true",
            "store_rejects = true",
        ]
        return "read_csv(" + ", ".join(options) + ")"

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


def excerpt(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` quoted for a message, at most ``limit`` characters of it (never raw bytes)."""
    text = text.rstrip("\r\n")
    if len(text) > limit:
        return repr(text[:limit]) + f" ... ({len(text):,} characters)"
    return repr(text)


def _first_line(error: duckdb.Error | Exception) -> str:
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:QUOTE_CHARS]


def _check_file(path: str, file_format: FileFormat = PROFILES) -> Path:
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
        columns = ", ".join(repr(h) for h, _ in file_format.required)
        optional = [repr(h) for h, name in file_format.columns if name in file_format.optional]
        raise _fail(
            path,
            "is empty: expected a header row with the columns "
            + columns
            + (f" (and optionally {', '.join(optional)})" if optional else ""),
        )
    return file


ENCODING_HINT = "--vars '{input_path: ..., input_encoding: %s}'"


def _legacy_advice(data: bytes) -> str:
    """Which single-byte encoding the non-UTF-8 bytes fit: cp1252 if 0x80-0x9F occur, else latin-1."""
    if any(0x80 <= b <= 0x9F for b in data):
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            return "Save it as UTF-8 (its bytes are neither UTF-8 nor Windows-1252)"
        return "Save it as UTF-8, or say its encoding with " + ENCODING_HINT % "cp1252"
    return "Save it as UTF-8, or say its encoding with " + ENCODING_HINT % "latin-1"


def _check_binary(path: str, head: bytes) -> None:
    controls = sum(1 for b in head[:65536] if b < 32 and b not in (9, 10, 13))
    if b"\x00" in head[:65536] or controls > len(head[:65536]) // 100:
        raise _fail(
            path,
            "is not a text file (it holds binary data, e.g. NUL or control bytes near the start). "
            "Export the data as CSV (UTF-8) or Parquet",
        )


def _check_encoding(path: str, file: Path, encoding: str) -> str:
    """The encoding to read with: ``encoding``, or what the byte-order mark says."""
    with file.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    if head.startswith(b"\xff\xfe"):
        return "utf-16"
    _check_binary(path, head)
    if encoding == "latin-1" and any(0x80 <= b <= 0x9F for b in head):
        offset = next(i for i, b in enumerate(head) if 0x80 <= b <= 0x9F)
        line = head.count(b"\n", 0, offset) + 1
        raise _fail(
            path,
            f"is not latin-1 text (line {line}: byte 0x{head[offset]:02x} is a Windows-1252 character "
            "such as an en dash, a curly quote or a bullet). " + _legacy_advice(head[offset : offset + 1]),
        )
    if encoding != "utf-8":
        return encoding
    sample = head
    if len(head) == SAMPLE_BYTES:  # do not judge a character cut at the sample's end
        sample = head[: head.rfind(b"\n") + 1] or head[:-4]
    bad_lines: list[int] = []
    offset = 0
    while True:
        try:
            sample[offset:].decode("utf-8")
            break
        except UnicodeDecodeError as err:
            position = offset + err.start
            bad_lines.append(position)
            offset = max(position + 1, sample.find(b"\n", position) + 1)
            if len(bad_lines) > FEW_BAD_RECORDS:
                break
    if not bad_lines:
        return "utf-8"
    lines = sample.count(b"\n") + 1
    valid_multibyte = any(ord(c) > 0x7F and c != "\ufffd" for c in sample.decode("utf-8", errors="replace"))
    few = len(bad_lines) <= FEW_BAD_RECORDS or len(bad_lines) <= lines * FEW_BAD_SHARE
    if valid_multibyte and few:
        # Mostly UTF-8: the records holding invalid bytes are quarantined by the reader.
        return "utf-8"
    _raise_not_utf8(path, sample, bad_lines[0])
    return "utf-8"  # unreachable


def _raise_not_utf8(path: str, data: bytes, offset: int) -> None:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    raw = data[start : end if end >= 0 else None]
    advice = _legacy_advice(bytes(b for b in data if b > 0x7F))
    text = raw.decode("cp1252" if "cp1252" in advice else "latin-1", errors="replace")
    raise _fail(path, f"is not UTF-8 encoded (line {line}: {excerpt(text)}, byte 0x{data[offset]:02x}). {advice}")


def _transcode(path: str, file: Path, codec: str, work_dir: str | None) -> Path:
    """Stream ``file`` from ``codec`` to a UTF-8 copy in ``work_dir``; 1 MB at a time."""
    folder = Path(work_dir or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:12]
    target = folder / f".{file.name}.{digest}.utf-8.csv"
    partial = target.with_name(target.name + f".{os.getpid()}.partial")
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    line = 1
    try:
        with file.open("rb") as source, partial.open("w", encoding="utf-8", newline="") as out:
            while chunk := source.read(SAMPLE_BYTES):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as err:
                    line += chunk.count(b"\n", 0, err.start)
                    raise _fail(
                        path,
                        f"is not {codec} encoded (line {line}: byte 0x{chunk[err.start]:02x} "
                        f"has no character in {codec}). Save it as UTF-8",
                    ) from None
                line += text.count("\n")
                out.write(text)
            out.write(decoder.decode(b"", final=True))
        partial.replace(target)
    except OSError as err:
        raise _fail(path, f"could not be converted to UTF-8 in {folder} ({_first_line(err)})") from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _match_header(
    path: str, header: list[str], file_format: FileFormat = PROFILES
) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Map each column of the format to the file's header; list missing and extra ones."""
    by_key = file_format.header_by_key
    columns: dict[str, str] = {}
    extra: list[str] = []
    renamed: dict[str, str] = {}
    for found in header:
        match = by_key.get(normalise_header(found.lstrip("\ufeff")))
        if match is None or match[1] in columns:
            extra.append(found)
            continue
        canonical, name = match
        columns[name] = found
        if found != canonical:
            renamed[found] = canonical
    missing = [canonical for canonical, name in file_format.required if name not in columns]
    if missing:
        found_list = ", ".join(repr(h) for h in header) or "none"
        if len(found_list) > QUOTE_CHARS:
            found_list = found_list[:QUOTE_CHARS] + f" ... ({len(header)} columns)"
        raise _fail(
            path,
            f"missing required column{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(m) for m in missing)
            + ". Columns found: "
            + found_list,
        )
    return columns, extra, renamed


def _read_header(path: str, file: Path, encoding: str) -> tuple[str, list[str]]:
    """The delimiter and the header's names, from the first line (no sniffing)."""
    with file.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    end = head.find(b"\n")
    if end < 0 and len(head) == SAMPLE_BYTES:
        raise _fail(path, f"its first line (the header) is longer than {SAMPLE_BYTES // 1024} kB: is it a CSV file?")
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    first = head[: end if end >= 0 else None].decode(codec, errors="replace").lstrip("\ufeff").rstrip("\r")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    delimiter = delimiter if counts[delimiter] > 0 else ","
    if "\r" in first:
        raise _fail(
            path,
            "line 1 (the header) holds a carriage return (\\r) that does not end the line: "
            f"{excerpt(first)}. Remove it, or save the file with Unix or Windows line endings",
        )
    header = next(csv.reader([first], delimiter=delimiter, quotechar='"', doublequote=True), [])
    names: list[str] = []
    for name in header:  # duplicate names get a suffix, as DuckDB's own header reading does
        unique, n = name, 0
        while unique in names:
            n += 1
            unique = f"{name}_{n}"
        names.append(unique)
    return delimiter, names


def inspect_input(
    path: str, encoding: str | None = None, work_dir: str | None = None, file_format: FileFormat = PROFILES
) -> InputFile:
    """Check ``path`` and work out how to read it; raise :class:`InputFileError` if it cannot be.

    ``work_dir``: where a transcoded UTF-8 copy goes (for ``cp1252`` and UTF-16 big-endian).
    ``file_format``: the columns expected (the profile file; or a log, ``LOG_FORMATS``).
    """
    file = _check_file(path, file_format)
    suffix = file.suffix.lower()
    wanted = ENCODINGS.get((encoding or "utf-8").strip().lower())
    if wanted is None:
        raise _fail(
            path,
            f"unknown input_encoding {encoding!r}; use one of " + ", ".join(sorted(set(ENCODINGS))),
        )
    con = duckdb.connect(config={"memory_limit": memory_limit()})
    con.execute("set enable_progress_bar = false")
    try:
        if suffix in PARQUET_SUFFIXES:
            return _inspect_parquet(con, path, file, file_format)
        if suffix in CSV_SUFFIXES:
            return _inspect_csv(con, path, file, wanted, work_dir, file_format)
        raise _fail(path, f"unknown file type {suffix or '(no extension)'!r}; use .csv (or .txt/.tsv) or .parquet")
    except duckdb.OutOfMemoryException:
        raise _fail(
            path,
            f"reading it ran out of memory (limit {memory_limit()}). Raise the limit with the "
            "environment variable SEGMENTATION_MEMORY_LIMIT (e.g. SEGMENTATION_MEMORY_LIMIT=4GB)",
        ) from None
    finally:
        con.close()


def memory_limit() -> str:
    """DuckDB's memory limit for the build (``SEGMENTATION_MEMORY_LIMIT``, as in profiles.yml)."""
    return os.environ.get("SEGMENTATION_MEMORY_LIMIT", "1200MB")


def _inspect_parquet(
    con: duckdb.DuckDBPyConnection, path: str, file: Path, file_format: FileFormat = PROFILES
) -> InputFile:
    resolved = str(file.resolve())
    try:
        described = con.execute(f"describe select * from read_parquet({quote_literal(resolved)})").fetchall()
        rows = con.execute(f"select count(*) from read_parquet({quote_literal(resolved)})").fetchall()[0][0]
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as err:
        raise _fail(path, f"is not a readable Parquet file ({_first_line(err)})") from None
    header = [row[0] for row in described]
    columns, extra, renamed = _match_header(path, header, file_format)
    return InputFile(
        path,
        resolved,
        "parquet",
        "binary",
        None,
        False,
        file.stat().st_size,
        columns,
        extra,
        renamed,
        rows,
        file_format=file_format,
    )


def _inspect_csv(
    con: duckdb.DuckDBPyConnection,
    path: str,
    file: Path,
    encoding: str,
    work_dir: str | None,
    file_format: FileFormat = PROFILES,
) -> InputFile:
    resolved = str(file.resolve())
    encoding = _check_encoding(path, file, encoding)
    read_path = resolved
    if encoding in TRANSCODED:
        read_path = str(_transcode(path, file, TRANSCODED[encoding], work_dir))
        encoding = "utf-8"
    delimiter, header = _read_header(path, Path(read_path), encoding)
    columns, extra, renamed = _match_header(path, header, file_format)
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
        _file_header=header,
        read_path=read_path,
        file_format=file_format,
    )
    try:
        rows = con.execute(found.count_sql).fetchall()[0][0]
        rejects = con.execute(
            "select line, error_type, csv_line, error_message from reject_errors order by line"
        ).fetchall()
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as err:
        bare = _find_bare_cr(Path(read_path))
        if bare:
            line, text = bare
            raise _fail(
                path,
                f"line {line} (record {line - 1}) holds a carriage return (\\r) inside the record, "
                f"not at a line end: {excerpt(text)}. Remove it, or quote the value",
            ) from None
        raise _fail(path, f"cannot be read as CSV ({_first_line(err)})") from None
    last_record = rows + len({int(r[0]) for r in rejects})
    malformed: list[MalformedRecord] = []
    seen_lines: set[int] = set()
    bad_encoding: list[MalformedRecord] = []
    for line, error_type, raw_line, message in rejects:
        if int(line) in seen_lines:  # one entry per record, however many of its fields failed
            continue
        seen_lines.add(int(line))
        kind = str(error_type).upper()
        raw = raw_line or ""
        unclosed = kind == "UNQUOTED VALUE" or "unterminated quote" in str(message or "").lower()
        if unclosed and not (int(line) - 1 == last_record and "\n" not in raw.rstrip("\r\n")):
            # A quote left open on the last line is that record's problem alone; anywhere
            # else the reader cannot tell where the following records start.
            raise _fail(
                path,
                f'line {int(line)} (record {int(line) - 1}) opens a quote (") that is never closed: '
                f"{excerpt(raw)}. The records after it cannot be counted reliably, so nothing is read. "
                'Close the quote, or double a quote that is part of the value ("")',
            )
        if kind == "LINE SIZE OVER MAXIMUM":
            message = f"the record is longer than {MAX_LINE_BYTES // (1024 * 1024)} MB"
        record = MalformedRecord(int(line) - 1, str(error_type), raw[:10_000], (message or "").splitlines()[0][:500])
        if "UNICODE" in kind or "ENCODING" in kind:
            record.message = f"bytes that are not valid {encoding} (line {int(line)})"
            bad_encoding.append(record)
        malformed.append(record)
    total = rows + len(malformed)
    if bad_encoding and len(bad_encoding) > max(FEW_BAD_RECORDS, total * FEW_BAD_SHARE):
        first = bad_encoding[0]
        raise _fail(
            path,
            f"is not {encoding} encoded ({len(bad_encoding)} records hold invalid bytes, the first "
            f"on line {first.source_row_number + 1}: {excerpt(first.raw_line)}). "
            + (_legacy_advice(_raw_bytes(file, 0)) if encoding == "utf-8" else "Save it as UTF-8"),
        )
    found.rows_read = rows
    found.malformed = malformed
    return found


def _raw_bytes(file: Path, offset: int) -> bytes:
    with file.open("rb") as handle:
        handle.seek(offset)
        return bytes(b for b in handle.read(SAMPLE_BYTES) if b > 0x7F)


def _find_bare_cr(file: Path) -> tuple[int, str] | None:
    """The first line holding a carriage return not followed by a line feed, and its text.

    Only called once the reader has failed: one streaming pass, 1 MB at a time.
    """
    line = 1
    previous = b""
    with file.open("rb") as handle:
        while chunk := handle.read(SAMPLE_BYTES):
            data = previous[-1:] + chunk
            base = len(previous[-1:])
            at = data.find(b"\r")
            while at >= 0:
                if at + 1 < len(data) and data[at + 1 : at + 2] != b"\n":
                    start = data.rfind(b"\n", 0, at) + 1
                    end = data.find(b"\n", at)
                    text = data[start : end if end >= 0 else None].decode("utf-8", errors="replace")
                    return line + data.count(b"\n", base, at), text
                at = data.find(b"\r", at + 1)
            line += chunk.count(b"\n")
            previous = chunk
    return None
