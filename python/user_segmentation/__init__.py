"""User profiling and segmentation on dbt + DuckDB: the run-time Python side.

The package holds the pieces dbt calls (the input-file plugin, the clustering functions
behind the Python models), the HTML report and the ``user-segmentation`` command line.
The development tools (data generator, benchmark) live in :mod:`user_segmentation_tools`;
the CLI's ``generate`` and ``bench`` commands import them only when they run.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
