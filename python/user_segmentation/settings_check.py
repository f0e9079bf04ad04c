"""Start-up checks of the environment settings, before dbt connects to the warehouse.

Called by the dbt-duckdb plugin (:meth:`user_segmentation.dbt_plugin.Plugin.update_connection_config`)
so a bad environment setting stops the build with one plain sentence that names the setting
and what it accepts, instead of a DuckDB ParserException or an OSError traceback:

- ``SEGMENTATION_DB``: the warehouse file; its folder must be creatable and writable.
- ``SEGMENTATION_MEMORY_LIMIT``: DuckDB's ``memory_limit`` (``profiles.yml`` settings).
- ``SEGMENTATION_STORAGE_VERSION``: DuckDB's ``storage_compatibility_version``
  (``profiles.yml`` config_options).

The dbt vars are checked separately, by the macro ``validate_settings()`` (on-run-start).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from dbt_common.exceptions import DbtRuntimeError

__all__ = [
    "MEMORY_UNITS",
    "MIN_MEMORY_BYTES",
    "check_environment",
    "check_memory_limit",
    "check_storage_version",
    "check_warehouse_path",
]

# The units DuckDB's memory_limit accepts (case-insensitive): 1000^i and 1024^i units.
MEMORY_UNITS = {
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
# Below this DuckDB cannot even run the first query of a build (an "Out of Memory" error).
MIN_MEMORY_BYTES = 100 * 10**6

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_STORAGE = re.compile(r"^v\d+\.\d+\.\d+$")
_MEMORY_FORMS = (
    "<number><unit> with unit KB, MB, GB, TB (1000^i) or KiB, MiB, GiB, TiB (1024^i), at least 100MB "
    "(e.g. 1200MB, 2GiB), or a percentage of the machine's memory above 0% and at most 100% (e.g. 50%)"
)


def check_memory_limit(value: str, setting: str = "SEGMENTATION_MEMORY_LIMIT") -> None:
    """Raise :class:`DbtRuntimeError` unless ``value`` is a memory limit DuckDB accepts.

    The forms are DuckDB's: a number with a unit (``1200MB``, ``1.5 GiB``; the unit is
    required, case-insensitive) or a percentage of the physical memory (``50%``, at most
    100%). Sizes below :data:`MIN_MEMORY_BYTES` are refused too: DuckDB accepts them but
    then fails every query.
    """
    text = str(value)
    percent = _PERCENT.match(text)
    if percent:
        if 0 < float(percent.group(1)) <= 100:
            return
        raise DbtRuntimeError(
            f"{setting}={text!r} is not a valid memory limit: a percentage must be above 0% and at most 100%."
        )
    size = _SIZE.match(text)
    if size and size.group(2).lower() in MEMORY_UNITS:
        if float(size.group(1)) * MEMORY_UNITS[size.group(2).lower()] >= MIN_MEMORY_BYTES:
            return
        raise DbtRuntimeError(
            f"{setting}={text!r} is too small: DuckDB needs at least 100MB. It must be {_MEMORY_FORMS}."
        )
    raise DbtRuntimeError(f"{setting}={text!r} is not a memory limit. It must be {_MEMORY_FORMS}.")


def check_storage_version(value: str, setting: str = "SEGMENTATION_STORAGE_VERSION") -> None:
    """Raise :class:`DbtRuntimeError` unless ``value`` is ``v<major>.<minor>.<patch>`` or ``latest``."""
    text = str(value).strip()
    if text == "latest" or _STORAGE.match(text):
        return
    raise DbtRuntimeError(
        f"{setting}={text!r} is not a DuckDB storage version. It must be a release like v1.4.0 "
        "(the oldest DuckDB version that must read the warehouse) or 'latest'."
    )


def check_warehouse_path(path: str, setting: str = "SEGMENTATION_DB") -> None:
    """Raise :class:`DbtRuntimeError` unless the warehouse's folder can be created and written.

    ``:memory:`` and MotherDuck (``md:``) paths are not files and pass. The folder is created
    (as the plugin would) and a temporary file is written in it and removed, so a read-only
    file system, a missing permission or a file in the way is reported with the path.
    """
    if not path or path == ":memory:" or path.startswith("md:"):
        return
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DbtRuntimeError(
            f"{setting}={path}: the warehouse folder {folder} cannot be created ({err.strerror or err}); "
            "the location is read-only or not writable. Point SEGMENTATION_DB at a file in a writable folder."
        ) from None
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise DbtRuntimeError(
            f"{setting}={path}: the warehouse folder {folder} is not writable ({err.strerror or err}); "
            "it is read-only. Point SEGMENTATION_DB at a file in a writable folder."
        ) from None
    if Path(path).is_dir():
        raise DbtRuntimeError(
            f"{setting}={path} is a folder; it must name the warehouse file (e.g. {path}/segmentation.duckdb)."
        )
    # DuckDB names the database after the file (up to its first dot), and dbt-duckdb writes the
    # plugin's sources as <database>.<schema>.<table> unquoted: a hyphen or a space there fails
    # with a parser error half-way into the build.
    catalog = Path(path).name.split(".")[0]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", catalog):
        suggestion = re.sub(r"\W", "_", catalog) or "segmentation"
        if suggestion[0].isdigit():
            suggestion = "w_" + suggestion
        raise DbtRuntimeError(
            f"{setting}={path}: the file name before its first dot ({catalog!r}) becomes the database name, which "
            "must be letters, digits and underscores, not starting with a digit "
            f"(e.g. {Path(path).with_name(suggestion + '.duckdb')})."
        )


def check_environment(creds: Any, config: dict[str, Any]) -> None:
    """Every environment setting, from the resolved connection: ``creds`` (path, settings)
    and ``config`` (config_options) as dbt-duckdb passes them to the plugin."""
    settings = getattr(creds, "settings", None) or {}
    if settings.get("memory_limit") is not None:
        check_memory_limit(settings["memory_limit"])
    storage = (config or {}).get("storage_compatibility_version")
    if storage is not None:
        check_storage_version(storage)
    check_warehouse_path(str(getattr(creds, "path", "") or ""))
