"""``user-segmentation export``: audience files, one per segment, from the published warehouse.

Each file holds the user ids of one segment (``segment_<id>.csv`` or ``.parquet``, one column
``user_id``, sorted), written by DuckDB ``COPY`` straight from ``dim_users``: no user row passes
through Python. With hashing on, the column is ``user_id_sha256``, the lowercase hex SHA-256 of
the salt followed by the id as text (the salt read from an environment variable, never written),
sorted by the hash, so no id is written in plain text and the order says nothing about them.

The warehouse is opened read-only and must hold ONE build: ``dim_users``, ``dim_segments`` and
the latest row of ``segmentation_runs`` carry the same ``run_id`` (the report's check,
:func:`user_segmentation.report.check_one_run`). A segment with fewer users than the build's
``min_cell_users`` (``segmentation_runs.settings_json``) is refused: asked for by id, the whole
export stops; when exporting every segment, it is skipped and listed in the manifest as refused.

Everything is written into a temporary folder beside ``out`` and renamed into place at the
end, so a failed export leaves no partial set of files (an earlier export in ``out`` is
replaced only once the new one is complete).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .report import ReportError, check_one_run, check_tables, connect, load_run, load_settings

__all__ = [
    "FORMATS",
    "HASHES",
    "MANIFEST",
    "REQUIRED",
    "RUN_TABLES",
    "ExportError",
    "ExportResult",
    "ExportedFile",
    "RefusedSegment",
    "export_audiences",
    "parse_segment_ids",
    "resolve_salt",
]

FORMATS = ("csv", "parquet")
HASHES = ("sha256",)
MANIFEST = "manifest.json"
# The tables and columns the export reads (a missing one means an older build).
REQUIRED: dict[str, tuple[str, ...]] = {
    "dim_users": ("user_id", "segment_id", "run_id"),
    "dim_segments": ("segment_id", "segment_name", "users", "run_id"),
    "segmentation_runs": ("run_id", "run_recorded_at", "settings_json"),
}
RUN_TABLES = tuple(REQUIRED)

# (table, run_id) for each table: segmentation_runs keeps every published build, its latest
# row is the build the other tables come from.
RUN_IDS = """
select distinct 'dim_users' as table_name, run_id from dim_users
union all select distinct 'dim_segments', run_id from dim_segments
union all (select 'segmentation_runs', run_id from segmentation_runs order by run_recorded_at desc limit 1)
"""
SEGMENTS = """
select segment_id, segment_name, users
from dim_segments
order by segment_id
"""
MODEL_ID = """
select model_id from segmentation_runs
where run_id = $run_id
"""
# One segment's ids, plain or hashed; the values (segment, salt, file) are bound parameters.
COPY_PLAIN = """
copy (
    select user_id from dim_users
    where segment_id = $segment_id
    order by user_id
) to $path (format {format})
"""
COPY_SHA256 = """
copy (
    select lower(sha256($salt || user_id::varchar)) as user_id_sha256 from dim_users
    where segment_id = $segment_id
    order by user_id_sha256
) to $path (format {format})
"""
# Options per format: fixed text, never a value from the command line.
FORMAT_OPTIONS = {"csv": "csv, header true", "parquet": "parquet"}


class ExportError(Exception):
    """The export cannot be made; the message (one line) says why and what to do."""


@dataclass(frozen=True)
class ExportedFile:
    """One written audience file, as listed in the manifest."""

    segment_id: int
    segment_name: str
    count: int
    file: str
    sha256: str


@dataclass(frozen=True)
class RefusedSegment:
    """A segment left out of an export of every segment, as listed in the manifest."""

    segment_id: int
    segment_name: str
    count: int
    reason: str


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the folder, its files, the segments refused, and the manifest."""

    out: Path
    files: list[ExportedFile]
    refused: list[RefusedSegment] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


# ---------------------------------------------------------------- options


def parse_segment_ids(values: Sequence[str]) -> list[int]:
    """``--segment`` values as segment ids (repeats dropped, order kept); ExportError for a non-integer."""
    ids: list[int] = []
    for value in values:
        try:
            segment_id = int(str(value).strip())
        except ValueError:
            raise ExportError(
                f"--segment {value!r} is not a segment id (a whole number, dim_segments.segment_id)"
            ) from None
        if segment_id not in ids:
            ids.append(segment_id)
    return ids


def resolve_salt(
    hash_algorithm: str | None, salt_env: str | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The salt for ``--hash`` (read from the variable ``salt_env``), None without hashing; ExportError otherwise.

    The salt itself never appears in a message.
    """
    if hash_algorithm is None:
        if salt_env is not None:
            raise ExportError(f"--salt-env {salt_env} is only used with --hash sha256: add --hash sha256 or drop it")
        return None
    if hash_algorithm not in HASHES:
        raise ExportError(f"--hash {hash_algorithm!r} is not supported: use --hash sha256")
    if not salt_env:
        raise ExportError(
            "--hash sha256 needs --salt-env NAME: the name of the environment variable that holds the salt"
        )
    salt = (os.environ if environ is None else environ).get(salt_env, "")
    if not salt:
        raise ExportError(
            f"the environment variable {salt_env} (--salt-env) is unset or empty: set it to the salt, "
            "the same salt on every export whose hashes must match"
        )
    return salt


# ---------------------------------------------------------------- reading


def _model_id(con: duckdb.DuckDBPyConnection, columns: dict[str, set[str]], run_id: str) -> str | int | None:
    """``segmentation_runs.model_id`` of the build, or None when the column does not exist (yet)."""
    if "model_id" not in columns.get("segmentation_runs", set()):
        return None
    row = con.execute(MODEL_ID, {"run_id": run_id}).fetchone()
    value = row[0] if row else None
    return value if value is None or isinstance(value, str | int) else str(value)


def _plan(
    segments: list[tuple[int, str, int]], requested: list[int] | None, min_cell_users: int, db: Path
) -> tuple[list[tuple[int, str, int]], list[RefusedSegment]]:
    """The segments to write and those refused; ExportError for an unknown or too small requested one."""
    by_id = {segment_id: (segment_id, name, users) for segment_id, name, users in segments}
    if requested:
        unknown = [segment_id for segment_id in requested if segment_id not in by_id]
        if unknown:
            known = ", ".join(str(segment_id) for segment_id in by_id) or "none"
            raise ExportError(
                f"unknown segment {', '.join(map(str, unknown))} (--segment): dim_segments.segment_id in {db} "
                f"has {known}"
            )
        chosen = [by_id[segment_id] for segment_id in requested]
    else:
        chosen = list(by_id.values())
    small = [s for s in chosen if s[2] < min_cell_users]
    if requested and small:
        segment_id, name, users = small[0]
        more = f" (and {len(small) - 1} more)" if len(small) > 1 else ""
        raise ExportError(
            f"segment {segment_id} ({name!r}) has {users:,} users, fewer than min_cell_users = {min_cell_users} "
            f"(segmentation_runs.settings_json in {db}){more}: refused, nothing written"
        )
    refused = [
        RefusedSegment(segment_id, name, users, f"{users:,} users, fewer than min_cell_users = {min_cell_users}")
        for segment_id, name, users in small
    ]
    keep = [s for s in chosen if s[2] >= min_cell_users]
    if not keep:
        raise ExportError(
            f"no segment in {db} has at least min_cell_users = {min_cell_users} users "
            f"(dim_segments.users: {', '.join(f'{s[0]}: {s[2]:,}' for s in chosen) or 'no segments'}): nothing written"
        )
    return keep, refused


# ---------------------------------------------------------------- writing


def _file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sibling(out: Path, kind: str) -> Path:
    """A new hidden name beside ``out`` (same file system, so a rename moves it at once)."""
    return out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.{kind}"


def _check_out(out: Path) -> None:
    """``out`` is a new or empty folder, or an earlier export (it has a manifest); else ExportError."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"--out {out} is a file: the output must be a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise ExportError(
            f"--out {out} is not empty and holds no {MANIFEST} (not an earlier export): choose a new or empty folder"
        )


def _publish(staging: Path, out: Path) -> None:
    """Rename the complete ``staging`` folder to ``out``, replacing an earlier export there."""
    _check_out(out)
    if not out.exists():
        staging.rename(out)
        return
    previous = _sibling(out, "previous")
    out.rename(previous)
    try:
        staging.rename(out)
    except OSError:
        previous.rename(out)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _write_files(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    keep: list[tuple[int, str, int]],
    file_format: str,
    salt: str | None,
) -> list[ExportedFile]:
    """One COPY per segment into ``staging``; each file's row count checked against dim_segments.users."""
    sql = (COPY_PLAIN if salt is None else COPY_SHA256).format(format=FORMAT_OPTIONS[file_format])
    files = []
    for segment_id, name, users in keep:
        path = staging / f"segment_{segment_id}.{file_format}"
        params: dict[str, object] = {"segment_id": segment_id, "path": str(path)}
        if salt is not None:
            params["salt"] = salt
        row = con.execute(sql, params).fetchone()
        written = int(row[0]) if row else 0
        if written != users:
            raise ExportError(
                f"segment {segment_id}: dim_users has {written:,} users in it but dim_segments.users says {users:,}: "
                "the warehouse is inconsistent, re-run `dbt build`"
            )
        files.append(ExportedFile(segment_id, name, written, path.name, _file_sha256(path)))
    return files


def export_audiences(
    db: Path,
    out: Path,
    segments: Sequence[int] | None = None,
    file_format: str = "csv",
    hash_algorithm: str | None = None,
    salt_env: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ExportResult:
    """Write one audience file per segment of the published warehouse ``db`` into the folder ``out``.

    ``segments``: the segment ids to write (default every segment). ``file_format``: ``csv`` or
    ``parquet``. ``hash_algorithm="sha256"`` with ``salt_env`` (the environment variable, in
    ``environ`` or the process's environment, that holds the salt) writes hashed ids. Raises
    ExportError (one line) when the options, the warehouse or a requested segment is refused;
    nothing is written then.
    """
    db, out = Path(db), Path(out)
    if file_format not in FORMATS:
        raise ExportError(f"--format {file_format!r} is not supported: use {' or '.join(FORMATS)}")
    salt = resolve_salt(hash_algorithm, salt_env, environ)
    requested = list(dict.fromkeys(segments)) if segments else None
    _check_out(out)
    try:
        con = connect(db)
    except ReportError as err:
        raise ExportError(str(err)) from None
    try:
        columns = check_tables(con, REQUIRED)
        run_id = check_one_run(con, RUN_IDS, RUN_TABLES)
        min_cell_users = int(load_settings(load_run(con, run_id))["min_cell_users"])
        model_id = _model_id(con, columns, run_id)
        keep, refused = _plan(
            [(int(i), str(n), int(u)) for i, n, u in con.execute(SEGMENTS).fetchall()], requested, min_cell_users, db
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = _sibling(out, "partial")
        staging.mkdir()  # the umask's permissions, like any folder the user makes
        try:
            files = _write_files(con, staging, keep, file_format, salt)
            manifest = {
                "run_id": run_id,
                "model_id": model_id,
                "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "warehouse": str(db),
                "format": file_format,
                "column": "user_id" if salt is None else "user_id_sha256",
                "hashing": None
                if salt is None
                else {
                    "algorithm": "sha256",
                    "salt_env": salt_env,
                    "input": "salt followed by user_id as text",
                    "output": "lowercase hex",
                },
                "min_cell_users": min_cell_users,
                "files": [asdict(f) for f in files],
                "refused": [asdict(r) for r in refused],
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
            _publish(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except ReportError as err:
        raise ExportError(str(err)) from None
    except duckdb.Error as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ExportError(f"cannot export the warehouse {db} to {out}: {first}") from None
    except OSError as err:
        raise ExportError(f"cannot write the export to {out}: {err.strerror or err} ({err.filename or out})") from None
    finally:
        con.close()
    return ExportResult(out, files, refused, manifest)
