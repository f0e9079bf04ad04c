"""One row per k: quality figures, the null reference and the verdict; the chosen k flagged.

Thin on purpose: the work is user_segmentation.segmentation_steps.k_selection_table, on
pandas frames (user_segmentation.model_frames reads them the same way on DuckDB and Spark).
"""


def model(dbt, session):
    from user_segmentation.model_frames import first_row, sample_prefix, to_engine
    from user_segmentation.segmentation_steps import Settings, k_selection_table

    dbt.config(materialized="table")
    (settings_json,) = first_row(dbt.ref("int_segmentation_settings"), ["settings_json"])
    settings = Settings.from_json(settings_json)
    (run_id,) = first_row(dbt.ref("int_feature_stats"), ["run_id"])
    sample = sample_prefix(dbt.ref("int_fit_sample"), settings.selection_sample_size)
    # A frame of this session: the adapter then writes the table on the same connection.
    return to_engine(session, k_selection_table(sample, run_id, settings))
