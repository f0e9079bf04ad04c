"""Background imports: started once per process, by dbt build/run only, and harmless."""

from __future__ import annotations

import subprocess
import sys

from user_segmentation import background_imports


def run_python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (a background import must not leak between tests)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_start_imports_the_modules_once_per_process() -> None:
    done = run_python(
        "import sys\n"
        "from user_segmentation import background_imports as b\n"
        "first = b.start(('json', 'colorsys'))\n"
        "assert b.start() is first, 'a second start must not start another thread'\n"
        "first.join(30)\n"
        "assert not first.is_alive() and 'colorsys' in sys.modules\n"
    )
    assert done.returncode == 0, done.stderr


def test_a_module_that_fails_to_import_is_left_to_the_model() -> None:
    # The thread stops quietly; the model's own import then reports the problem.
    done = run_python(
        "import sys\n"
        "from user_segmentation import background_imports as b\n"
        "b.start(('no_such_module_anywhere', 'colorsys')).join(30)\n"
        "assert 'colorsys' not in sys.modules\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_scikit_learn_is_among_the_modules() -> None:
    assert {"sklearn.cluster", "sklearn.metrics", "pandas"} <= set(background_imports.MODULES)
