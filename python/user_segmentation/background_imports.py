"""Import scikit-learn on a background thread while dbt runs the SQL models.

The first Python model (``int_segmentation_k_sweep``) otherwise starts with about 1.5-2 s of
imports (scikit-learn pulls in SciPy) on the build's critical path. The dbt plugin starts this
when a ``dbt build`` or ``dbt run`` opens the warehouse; by the time the Python model runs,
the modules are usually loaded, and if not, its own import waits for this one (Python's
per-module import locks), so the result is the same either way.
"""

from __future__ import annotations

import atexit
import importlib
import threading

__all__ = ["MODULES", "start"]

MODULES = ("pandas", "threadpoolctl", "sklearn.cluster", "sklearn.metrics")
_started: list[threading.Thread] = []


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the model's own import reports the problem
            return


def start(modules: tuple[str, ...] = MODULES) -> threading.Thread:
    """Start importing ``modules`` in the background, once per process; returns the thread."""
    if not _started:
        thread = threading.Thread(target=_import_all, args=(modules,), name="background-imports", daemon=True)
        thread.start()
        # Never leave the interpreter mid-import at exit (a short, failed build).
        atexit.register(thread.join)
        _started.append(thread)
    return _started[0]
