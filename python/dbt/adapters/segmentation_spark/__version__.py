"""The plugin's version, which dbt prints beside the adapter name (that of dbt-spark it extends)."""

version = "1.11.0"
