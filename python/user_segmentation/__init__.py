"""User profiling and segmentation on dbt + DuckDB: the Python side.

The package holds the pieces dbt calls (the input-file plugin, the clustering
functions behind the Python models) and the ``user-segmentation`` command line
(data generator, report renderer, benchmark).
"""

__version__ = "0.1.0"
