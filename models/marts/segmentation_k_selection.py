"""One row per k: quality figures, the null reference and the verdict; the chosen k flagged.

Thin on purpose: the work is user_segmentation.segmentation_steps.k_selection_table.
"""


def model(dbt, session):
    from user_segmentation.segmentation_steps import Settings, k_selection_table

    dbt.config(materialized="table")
    # dbt passes only the config keys it finds as literal dbt.config.get("...") call arguments.
    settings = Settings.from_values(
        k=dbt.config.get("k"),
        k_min=dbt.config.get("k_min"),
        k_max=dbt.config.get("k_max"),
        seed=dbt.config.get("seed"),
        n_init=dbt.config.get("n_init"),
        fit_sample_size=dbt.config.get("fit_sample_size"),
        selection_sample_size=dbt.config.get("selection_sample_size"),
        silhouette_sample_size=dbt.config.get("silhouette_sample_size"),
        stability_resamples=dbt.config.get("stability_resamples"),
        min_segment_share=dbt.config.get("min_segment_share"),
    )
    matrix = dbt.ref("int_feature_matrix")
    run_id = dbt.ref("int_feature_stats").project("run_id").limit(1).fetchall()[0][0]
    # A relation on this connection: dbt-duckdb then writes the table on the same connection.
    return session.from_df(k_selection_table(matrix, run_id, settings))
