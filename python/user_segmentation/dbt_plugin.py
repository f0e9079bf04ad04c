"""dbt-duckdb plugin: the warehouse file and the user's input file.

Registered in ``profiles.yml`` (``plugins: - module: user_segmentation.dbt_plugin``).

- Before dbt opens the warehouse it creates the database file's folder and checks that
  no other process holds the file, so a second concurrent build stops with a sentence,
  not a lock traceback.
- The warehouse is written in the storage format that ``config_options:
  storage_compatibility_version`` in ``profiles.yml`` names (v1.4.0: DuckDB 1.4 and 1.5
  clients read it). DuckDB fixes a file's format when it creates the file, so dbt-duckdb
  must pass the setting to ``duckdb.connect(config=...)`` (``config_options``), not as
  ``settings`` (those are ``SET`` on each cursor, after the file exists, and change
  nothing). A warehouse left in a newer format by an older build of this project is
  migrated once, in place, to that format (:func:`migrate_storage`).
- The ``user_file`` source tables (``input_manifest``, ``malformed_records``) are loaded
  by :meth:`Plugin.load`: it inspects the file named by ``var('input_path')`` and raises a
  dbt error with a plain message when the file cannot be used. The ``activity_files``
  source does the same for the optional event and order logs (``var('interactions_path')``,
  ``var('transactions_path')``; their columns in ``vars.log_formats``), chosen by the
  table's ``file_format`` meta.
- Out-of-memory errors name ``SEGMENTATION_MEMORY_LIMIT`` (:mod:`user_segmentation.out_of_memory`).
- For ``dbt build`` and ``dbt run`` it starts importing scikit-learn and pandas in the
  background (:mod:`user_segmentation.background_imports`), so the Python models do not
  wait for them.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from . import background_imports, out_of_memory, publish
from .input_file import InputFile, InputFileError, inspect_input
from .input_format import LOG_FORMATS, PROFILES, FileFormat
from .sql import quote_identifier, quote_literal

__all__ = [
    "MALFORMED",
    "MANIFEST",
    "STORAGE_SETTING",
    "Plugin",
    "check_warehouse_free",
    "named_input_error",
    "migrate_storage",
    "storage_version",
]

STORAGE_SETTING = "storage_compatibility_version"

_INSPECTED: dict[tuple[str, str, str], InputFile] = {}
# The dbt vars that name an input file, and the file's format.
INPUT_VARS: dict[str, FileFormat] = {
    "input_path": PROFILES,
    "interactions_path": LOG_FORMATS["interactions"],
    "transactions_path": LOG_FORMATS["transactions"],
}
# The warehouse's folder (set when dbt opens it): where a transcoded UTF-8 copy of the input goes.
_WORK_DIR: dict[str, str] = {}
MALFORMED = (
    ("source_row_number", pa.int64()),
    ("error_type", pa.string()),
    ("raw_line", pa.string()),
    ("error_message", pa.string()),
    ("file_modified_at", pa.timestamp("us", tz="UTC")),
)
MANIFEST = (
    ("input_path", pa.string()),
    ("resolved_path", pa.string()),
    ("input_format", pa.string()),
    ("encoding", pa.string()),
    ("delimiter", pa.string()),
    ("decimal_comma", pa.bool_()),
    ("size_bytes", pa.int64()),
    ("rows_read", pa.int64()),
    ("malformed_records", pa.int64()),
    ("extra_columns", pa.string()),
    ("renamed_columns", pa.string()),
    ("read_sql", pa.string()),
    ("file_modified_at", pa.timestamp("us", tz="UTC")),
)


def _inspect(path: str, encoding: str, file_format: FileFormat = PROFILES) -> InputFile:
    key = (path, encoding, file_format.name)
    if key not in _INSPECTED:
        try:
            _INSPECTED[key] = inspect_input(path, encoding, _WORK_DIR.get("path"), file_format)
        except InputFileError as err:
            raise DbtRuntimeError(named_input_error(str(err), file_format)) from None
    return _INSPECTED[key]


# How an error names each kind of input file, and the var that gives it.
LOG_NAMES = {"interactions": ("Event log", "interactions_path"), "transactions": ("Order log", "transactions_path")}


def named_input_error(message: str, file_format: FileFormat) -> str:
    """An input-file error naming the log it is about: "Event log 'x.csv' (interactions_path): ..."."""
    if file_format.name not in LOG_NAMES or not message.startswith("Input file "):
        return message
    label, var_name = LOG_NAMES[file_format.name]
    head, separator, rest = message.partition("': ")
    if not separator:
        return f"{label} ({var_name}): {message}"
    return f"{label} {head[len('Input file ') :]}' ({var_name}): {rest}"


def check_warehouse_free(path: str) -> None:
    """Create the database folder; fail clearly if another process has the file open."""
    if not path or path == ":memory:" or path.startswith("md:"):
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if not Path(path).exists():
        return
    try:
        duckdb.connect(path).close()
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            holder = str(err).split("(PID", 1)[-1].split(")")[0].strip() if "(PID" in str(err) else ""
            who = f" (process {holder})" if holder else ""
            raise DbtRuntimeError(
                f"The warehouse {path} is in use by another process{who}, probably another "
                "dbt build. Wait for it to finish, or point SEGMENTATION_DB at another file."
            ) from None
        raise DbtRuntimeError(f"The warehouse {path} cannot be opened: {err}") from None


def _inputs_from_command_line() -> list[tuple[str, str, FileFormat]]:
    """(path, encoding, format) of each input file named in ``--vars`` (the profiles, the logs)
    for a command that runs models; empty for other commands."""
    try:
        from dbt.flags import get_flags

        flags = get_flags()
        if getattr(flags, "WHICH", None) not in {"build", "run"}:
            return []
        given = dict(getattr(flags, "VARS", None) or {})
    except Exception:  # noqa: BLE001 - no flags (the plugin used outside the dbt CLI)
        return []
    encoding = str(given.get("input_encoding", "") or "utf-8")
    found = []
    for name, file_format in INPUT_VARS.items():
        path = str(given.get(name, "") or "").strip()
        if path:
            found.append((path, encoding if file_format is PROFILES else "utf-8", file_format))
    return found


def _runs_python_models() -> bool:
    """True for the dbt commands that execute models (build, run)."""
    try:
        from dbt.flags import get_flags

        return getattr(get_flags(), "WHICH", None) in {"build", "run"}
    except Exception:  # noqa: BLE001 - no flags (the plugin used outside the dbt CLI)
        return False


def _version_tuple(version: str) -> tuple[int, ...]:
    """``'v1.4.0+'`` -> ``(1, 4, 0)``; ``'latest'`` sorts after every release."""
    numbers = re.findall(r"\d+", version)
    return tuple(int(n) for n in numbers) if numbers else (sys.maxsize,)


def storage_version(path: str) -> str:
    """The storage format of an existing database file, e.g. ``'v1.4.0+'`` or ``'v2.0.0+'``."""
    con = duckdb.connect(path, read_only=True)
    try:
        tags = con.execute("select tags from duckdb_databases() where database_name = current_database()").fetchall()[
            0
        ][0]
    finally:
        con.close()
    return str((tags or {}).get("storage_version", ""))


def _table_counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? order by all", [catalog]
    ).fetchall()
    return {
        f"{schema}.{table}": con.execute(
            f"select count(*) from {quote_identifier(catalog)}.{quote_identifier(schema)}.{quote_identifier(table)}"
        ).fetchall()[0][0]
        for schema, table in tables
    }


def migrate_storage(path: str, target: str) -> bool:
    """Rewrite the warehouse in the ``target`` storage format if it is in a newer one.

    The copy (``COPY FROM DATABASE``: schemas, types, tables, views, macros, the run history
    the next build compares with) goes to a temporary file beside the warehouse; the row
    count of every table is compared, and only then does it replace the original. Returns
    True when the file was migrated.
    """
    found = storage_version(path)
    if not found or _version_tuple(found) <= _version_tuple(target):
        return False
    print(
        f"user_segmentation: the warehouse {path} is in DuckDB storage format {found}, which "
        f"DuckDB 1.x clients cannot open; migrating it once to {target} ...",
        file=sys.stderr,
        flush=True,
    )
    temporary = f"{path}.migrating"
    for leftover in (temporary, temporary + ".wal"):
        Path(leftover).unlink(missing_ok=True)
    con = duckdb.connect(path)
    try:
        con.execute(f"attach {quote_literal(temporary)} as migrated (storage_version {quote_literal(target)})")
        source = con.execute("select current_database()").fetchall()[0][0]
        con.execute(f"copy from database {quote_identifier(source)} to migrated")
        con.execute("checkpoint migrated")
        before, after = _table_counts(con, source), _table_counts(con, "migrated")
        con.execute("detach migrated")
    except duckdb.Error as err:
        raise DbtRuntimeError(
            f"The warehouse {path} is in DuckDB storage format {found} and could not be migrated "
            f"to {target} ({err}). Delete it (it is rebuilt by `dbt build`, without the previous "
            "run's history) or point SEGMENTATION_DB at a new file."
        ) from None
    finally:
        con.close()
    if before != after:
        Path(temporary).unlink(missing_ok=True)
        raise DbtRuntimeError(f"Migrating the warehouse {path} to {target} lost rows; the original is unchanged.")
    os.replace(temporary, path)
    Path(path + ".wal").unlink(missing_ok=True)
    print(f"user_segmentation: migrated {path} to storage format {target}", file=sys.stderr, flush=True)
    return True


def _published_unreadable(published: Path, err: Exception) -> DbtRuntimeError:
    first = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
    return DbtRuntimeError(
        f"The published warehouse {published} cannot be read ({first}). If another process has it "
        "open for writing, close that connection (readers should open it read-only) and build again."
    )


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.published: Path | None = None
        self.build: Path | None = None
        if plugin_config.get("published_path"):
            self.published = Path(str(plugin_config["published_path"]))
        out_of_memory.install()
        if _runs_python_models():
            # scikit-learn and pandas load while the SQL models run, off the critical path.
            background_imports.start()

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        __import__("user_segmentation.settings_check").settings_check.check_environment(creds, config)
        path = str(creds.path)
        check_warehouse_free(path)
        if path != ":memory:" and not path.startswith("md:"):
            _WORK_DIR["path"] = str(Path(path).resolve().parent)
        target = config.get(STORAGE_SETTING)
        if self.published is not None and Path(path) != self.published:
            self.build = Path(path)
            if target and self.published.exists():
                try:
                    migrate_storage(str(self.published), str(target))
                except duckdb.Error as err:
                    raise _published_unreadable(self.published, err) from None
            done = publish.prepare_build(self.build, self.published, publish.is_full_build())
            if done:
                print(f"user_segmentation: {done}", file=sys.stderr, flush=True)
        if target and Path(path).exists() and path != ":memory:" and not path.startswith("md:"):
            migrate_storage(path, str(target))
        for given in _inputs_from_command_line():
            # A file that cannot be read stops the build here, before any seed, hook or model
            # runs; the source tables later reuse this inspection.
            _inspect(*given)

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        """Attach the published warehouse read-only (the previous build's state), and register
        the publish step the on-run-end hook calls (macro publish_build)."""
        if self.build is None or self.published is None:
            return
        if self.published.exists():
            try:
                conn.execute(f"attach if not exists {quote_literal(str(self.published))} as published (read_only)")
            except duckdb.Error as err:
                raise _published_unreadable(self.published, err) from None
        conn.create_function(
            "segmentation_publish",
            self._publish,
            [duckdb.sqltype("INTEGER"), duckdb.sqltype("INTEGER")],
            duckdb.sqltype("VARCHAR"),
            side_effects=True,
        )

    def _publish(self, failures: int, skipped: int) -> str:
        """The publish step: the build file replaces the published one, or a sentence why not."""
        assert self.build is not None and self.published is not None
        reason = publish.publish_decision(int(failures or 0), int(skipped or 0), self.published.exists())
        if reason:
            return (
                f"Not published: {reason}. Readers still see the previous build in {self.published}; "
                f"this run's tables are in {self.build}."
            )
        publish.publish(self.build, self.published)
        return f"Published: {self.published} now holds this build (every model and test passed)."

    def load(self, source_config: Any) -> pa.Table:
        path = str(source_config.get("path", "") or "").strip()
        encoding = str(source_config.get("encoding", "") or "utf-8")
        malformed = source_config.get("kind") == "malformed_records"
        file_format = LOG_FORMATS.get(str(source_config.get("file_format", "") or ""), PROFILES)
        if not path:
            # No input file (the embedded seed is read): only `dbt docs generate` looks here.
            return pa.table({name: pa.array([], kind) for name, kind in (MALFORMED if malformed else MANIFEST)})
        found = _inspect(path, encoding, file_format)
        # The input file's modification time: the sources' freshness (`dbt source freshness`).
        modified = datetime.fromtimestamp(Path(found.resolved_path).stat().st_mtime, tz=UTC)
        if malformed:
            rows = found.malformed
            values = [
                [r.source_row_number for r in rows],
                [r.error_type for r in rows],
                [r.raw_line for r in rows],
                [r.message for r in rows],
                [modified] * len(rows),
            ]
            return pa.table({name: pa.array(v, kind) for (name, kind), v in zip(MALFORMED, values, strict=True)})
        row = {**found.manifest_row(), "file_modified_at": modified}
        return pa.table({name: pa.array([row[name]], kind) for name, kind in MANIFEST})
