"""Development tools of the user-segmentation project, kept apart from the run-time package.

- :mod:`user_segmentation_tools.generator`: synthetic profiles in the public format with
  planted segments (``user-segmentation generate``; the embedded sample comes from it).
- :mod:`user_segmentation_tools.activity`: event and order logs of the same users, with the
  planted segments in the activity (``user-segmentation generate --interactions/--transactions``).
- :mod:`user_segmentation_tools.activity_baseline`: the per-user activity features of those
  logs in pandas, the baseline ``user-segmentation bench --events-per-user`` times.
- :mod:`user_segmentation_tools.bench`: the benchmark (``user-segmentation bench``).

The run-time package :mod:`user_segmentation` (dbt plugin, segmentation, report) never
imports this one; ``tests/python/test_package_boundaries.py`` checks it. The tools need the
``tools`` extra (``pip install -e '.[tools]'``; ``make install`` installs ``.[dev]``, which
includes it).
"""

__all__: list[str] = []
