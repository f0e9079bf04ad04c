"""dbt-duckdb plugin: the warehouse file and the user's input file.

Registered in ``profiles.yml`` (``plugins: - module: user_segmentation.dbt_plugin``).

- Before dbt opens the warehouse it creates the database file's folder and checks that
  no other process holds the file, so a second concurrent build stops with a sentence,
  not a lock traceback.
- The ``user_file`` source tables (``input_manifest``, ``malformed_records``) are loaded
  by :meth:`Plugin.load`: it inspects the file named by ``var('input_path')`` and raises a
  dbt error with a plain message when the file cannot be used.
- For ``dbt build`` and ``dbt run`` it starts importing scikit-learn and pandas in the
  background (:mod:`user_segmentation.background_imports`), so the Python models do not
  wait for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from . import background_imports
from .input_file import InputFile, InputFileError, inspect_input

__all__ = ["MALFORMED", "MANIFEST", "Plugin", "check_warehouse_free"]

_INSPECTED: dict[tuple[str, str], InputFile] = {}
MALFORMED = (
    ("source_row_number", pa.int64()),
    ("error_type", pa.string()),
    ("raw_line", pa.string()),
    ("error_message", pa.string()),
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
)


def _inspect(path: str, encoding: str) -> InputFile:
    key = (path, encoding)
    if key not in _INSPECTED:
        try:
            _INSPECTED[key] = inspect_input(path, encoding)
        except InputFileError as err:
            raise DbtRuntimeError(str(err)) from None
    return _INSPECTED[key]


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


def _runs_python_models() -> bool:
    """True for the dbt commands that execute models (build, run)."""
    try:
        from dbt.flags import get_flags

        return getattr(get_flags(), "WHICH", None) in {"build", "run"}
    except Exception:  # noqa: BLE001 - no flags (the plugin used outside the dbt CLI)
        return False


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        if _runs_python_models():
            # scikit-learn and pandas load while the SQL models run, off the critical path.
            background_imports.start()

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        check_warehouse_free(str(creds.path))

    def load(self, source_config: Any) -> pa.Table:
        path = str(source_config.get("path", "") or "").strip()
        encoding = str(source_config.get("encoding", "") or "utf-8")
        malformed = source_config.get("kind") == "malformed_records"
        if not path:
            # No input file (the embedded seed is read): only `dbt docs generate` looks here.
            return pa.table({name: pa.array([], kind) for name, kind in (MALFORMED if malformed else MANIFEST)})
        found = _inspect(path, encoding)
        if malformed:
            rows = found.malformed
            values = [
                [r.source_row_number for r in rows],
                [r.error_type for r in rows],
                [r.raw_line for r in rows],
                [r.message for r in rows],
            ]
            return pa.table({name: pa.array(v, kind) for (name, kind), v in zip(MALFORMED, values, strict=True)})
        row = found.manifest_row()
        return pa.table({name: pa.array([row[name]], kind) for name, kind in MANIFEST})
