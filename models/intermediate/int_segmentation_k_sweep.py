"""One row per k: quality figures, the null reference and the verdict; the chosen k flagged.

Thin on purpose: the work is user_segmentation.segmentation_steps.k_selection_table.
"""


def model(dbt, session):
    from user_segmentation.segmentation_steps import Settings, k_selection_table

    dbt.config(materialized="table")
    settings_json = dbt.ref("int_segmentation_settings").project("settings_json").fetchall()[0][0]
    settings = Settings.from_json(settings_json)
    matrix = dbt.ref("int_fit_sample")
    run_id = dbt.ref("int_feature_stats").project("run_id").limit(1).fetchall()[0][0]
    # A relation on this connection: dbt-duckdb then writes the table on the same connection.
    return session.from_df(k_selection_table(matrix, run_id, settings))
