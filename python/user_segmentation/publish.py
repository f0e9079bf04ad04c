"""Write, audit, publish: readers only ever see a build whose every model and test passed.

dbt builds into its own file, the *build* warehouse (``profiles.yml`` ``path``: the published
path plus ``.build``), never into the file readers open (``SEGMENTATION_DB``, the
*published* warehouse). The build reads the previous publication through a read-only
``ATTACH ... AS published`` (previous labels, centroids and the run history). When a full
``dbt build`` ends with no error, no failed test and nothing skipped, the ``on-run-end`` hook
(macro ``publish_build``) checkpoints the build file and calls :func:`publish`, which renames
it over the published file: one atomic ``rename(2)`` on the same file system, no data copied.

- A build that fails, or runs only part of the project (``--select``, ``dbt run``), publishes
  nothing and says so; its tables stay in the build file for debugging.
- A build killed at any point (``kill -9``) leaves the published file as it was: before the
  rename nothing touched it, and the rename itself is atomic.
- Readers can keep the published file open during a build (it is another file); a reader
  that has it open while a build publishes keeps reading the previous build until it reopens.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

__all__ = [
    "PUBLISH_PAUSE_VARIABLE",
    "is_full_build",
    "prepare_build",
    "publish",
    "publish_decision",
    "selects_only_other_packages",
]

# Tests only: seconds to wait between the checkpoint and the rename, so a test can kill the
# build inside the publish step.
PUBLISH_PAUSE_VARIABLE = "SEGMENTATION_PUBLISH_PAUSE"
_FULL_BUILD_COMMANDS = {"build"}


def _flags():
    try:
        from dbt.flags import get_flags

        return get_flags()
    except Exception:  # noqa: BLE001 - no flags: the plugin used outside the dbt CLI
        return None


def is_full_build() -> bool:
    """True for ``dbt build`` over the whole project (no --select, --exclude, --selector)."""
    flags = _flags()
    if flags is None or getattr(flags, "WHICH", None) not in _FULL_BUILD_COMMANDS:
        return False
    return not any(getattr(flags, name, None) for name in ("SELECT", "EXCLUDE", "SELECTOR", "RESOURCE_TYPE"))


def _remove_database(path: Path) -> None:
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)


def prepare_build(build: Path, published: Path, full_build: bool) -> str:
    """Make the build file ready before dbt opens it; returns what was done, for the log.

    A full build starts from an empty file (a failed build's tables are kept until then). Any
    other command works on the build file as it is; when there is none yet (right after a
    publish), it starts from a copy of the published file, so ``--select`` finds its parents.
    """
    if full_build:
        if build.exists():
            _remove_database(build)
            return f"removed the previous build's file {build}"
        return ""
    if not build.exists() and published.exists():
        shutil.copyfile(published, build)
        return f"copied the published warehouse {published} to {build} for this partial run"
    return ""


def selects_only_other_packages(project: str = "user_segmentation") -> bool:
    """True when --select names only other packages' nodes (``package:<name>``), none of ours."""
    flags = _flags()
    chosen = [str(part) for part in (getattr(flags, "SELECT", None) or ())]
    tokens = [token for part in chosen for token in part.split()]
    return bool(tokens) and all(t.startswith("package:") and t != f"package:{project}" for t in tokens)


def publish_decision(failures: int, skipped: int, published_exists: bool = True) -> str | None:
    """Why this invocation must not publish, or None when it may.

    A full ``dbt build`` with nothing failed or skipped is published. So is, when nothing is
    published yet, a passing run of only other packages' nodes (a checker such as
    dbt-project-evaluator): it holds none of this project's tables, so no half of them.
    """
    if failures:
        return f"{failures} node(s) failed (errors or failing tests)"
    if not is_full_build():
        if not published_exists and selects_only_other_packages():
            return None
        return "only a full `dbt build` (no --select or --exclude) is published"
    if skipped:
        return f"{skipped} node(s) were skipped"
    return None


def publish(build: Path, published: Path) -> None:
    """Replace the published warehouse by the (checkpointed) build warehouse, atomically."""
    pause = os.environ.get(PUBLISH_PAUSE_VARIABLE)
    if pause:
        print(f"user_segmentation: pausing {pause} s before publishing (tests)", file=sys.stderr, flush=True)
        import time

        time.sleep(float(pause))
    wal = Path(f"{build}.wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"the build warehouse {build} has changes not yet checkpointed ({wal}); not published")
    os.replace(build, published)
    wal.unlink(missing_ok=True)
    directory = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
