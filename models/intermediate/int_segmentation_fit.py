"""The final K-Means fit on the hash sample: one row per segment with its centroid and name.

Thin on purpose: the work is user_segmentation.segmentation_steps.final_fit_table. The
published build's centroids (this table as readers see it) keep segment ids stable. With
vars.refit: false nothing is fitted: the rows are the published model's
(user_segmentation.published_model.fit_table_from_model), with its ids and names.
"""


def model(dbt, session):
    from user_segmentation.published_model import fit_table_from_model, model_id
    from user_segmentation.segmentation_steps import Settings, final_fit_table

    dbt.config(materialized="table")
    settings_json, config_hash = dbt.ref("int_segmentation_settings").project("settings_json, config_hash").fetchall()[0]
    settings = Settings.from_json(settings_json)
    chosen = dbt.ref("int_segmentation_k_sweep").filter("chosen").project("k, run_id, features")
    k, run_id, used_features = chosen.fetchall()[0]
    stats = dbt.ref("int_feature_stats").df()
    if not settings.refit:
        published = f"published.{dbt.this.schema}.segmentation_models"
        quoted = settings.model_id.replace("'", "''")
        row = session.sql(f"select * from {published} where model_id = '{quoted}'").df().iloc[0].to_dict()
        return session.from_df(fit_table_from_model(row, run_id))
    try:  # the last published build's segments (the warehouse readers see, attached read-only)
        published = f"published.{dbt.this.schema}.{dbt.this.identifier}"
        previous = session.sql(f"select segment_id, features, centroid_z from {published}").df()
    except Exception:  # first build: nothing published yet
        previous = None
    table = final_fit_table(dbt.ref("int_fit_sample"), stats, int(k), run_id, settings, previous, list(used_features))
    table["model_id"] = model_id(table, stats, config_hash)
    # A relation on this connection: dbt-duckdb then writes the table on the same connection.
    return session.from_df(table)
