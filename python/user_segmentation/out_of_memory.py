"""Out-of-memory errors that point at the setting this project reads.

DuckDB's own message ends with "Possible solutions: ... SET memory_limit='...'", but a build's
limit comes from ``SEGMENTATION_MEMORY_LIMIT`` (``profiles.yml``), and a ``SET`` typed into
some other session changes nothing. :func:`install` wraps dbt-duckdb's error handler (the one
every SQL model, test and hook passes through) and its Python-model runner, so that an
out-of-memory error keeps DuckDB's first line and replaces its advice; the plugin calls it once
when dbt loads it. The runner's other errors stay as dbt-duckdb reports them, except the
clustering's own input errors (``ClusteringInputError``), which are sentences with the numbers
and need no traceback.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import duckdb
from dbt_common.exceptions import DbtRuntimeError

__all__ = ["advice", "install"]

_INSTALLED = "_segmentation_out_of_memory"


def advice(err: BaseException) -> str:
    """DuckDB's first line, the limit in force, and the setting to raise."""
    first_line = str(err).strip().splitlines()[0] if str(err).strip() else "Out of Memory Error"
    limit = os.environ.get("SEGMENTATION_MEMORY_LIMIT", "1200MB")
    return (
        f"{first_line}\nThe build ran out of memory (DuckDB's limit is {limit}, from SEGMENTATION_MEMORY_LIMIT). "
        "Raise it, e.g. SEGMENTATION_MEMORY_LIMIT=4GB, or free memory on the machine; "
        "SET memory_limit in another DuckDB session does not change the build's limit."
    )


def install() -> None:
    """Wrap ``DuckDBConnectionManager.exception_handler`` once (idempotent)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    original = DuckDBConnectionManager.exception_handler
    if getattr(original, _INSTALLED, False):
        return

    @contextmanager
    def exception_handler(self, sql: str, connection_name: str = "master"):
        try:
            with original(self, sql, connection_name):
                yield
        except DbtRuntimeError as err:
            if isinstance(err.__cause__, duckdb.OutOfMemoryException):
                raise DbtRuntimeError(advice(err.__cause__)) from err.__cause__
            raise

    setattr(exception_handler, _INSTALLED, True)
    DuckDBConnectionManager.exception_handler = exception_handler
    _wrap_python_models()


def _wrap_python_models() -> None:
    from dbt.adapters.duckdb.environments import Environment

    from .clustering import ClusteringInputError

    original = Environment.run_python_job.__func__
    if getattr(original, _INSTALLED, False):
        return

    def run_python_job(cls, con, load_df_function, identifier, compiled_code, creds):
        try:
            return original(cls, con, load_df_function, identifier, compiled_code, creds)
        except DbtRuntimeError as err:
            cause = err.__cause__ or err.__context__
            if isinstance(cause, duckdb.OutOfMemoryException):
                raise DbtRuntimeError(f"Python model {identifier}: {advice(cause)}") from None
            if isinstance(cause, ClusteringInputError):
                raise DbtRuntimeError(f"Python model {identifier}: {cause}") from None
            raise

    setattr(run_python_job, _INSTALLED, True)
    Environment.run_python_job = classmethod(run_python_job)
