"""The final K-Means fit on the hash sample: one row per segment with its centroid and name.

Thin on purpose: the work is user_segmentation.segmentation_steps.final_fit_table, on pandas
frames (user_segmentation.model_frames reads them the same way on DuckDB and Spark). The
published build's centroids (this table as readers see it) keep segment ids stable. With
vars.refit: false nothing is fitted: the rows are the published model's
(user_segmentation.published_model.fit_table_from_model), with its ids and names.
"""


def model(dbt, session):
    from user_segmentation.model_frames import first_row, sample_prefix, to_engine, to_pandas
    from user_segmentation.published_model import fit_table_from_model, model_id
    from user_segmentation.segmentation_steps import Settings, final_fit_table

    dbt.config(materialized="table")
    settings_json, config_hash = first_row(dbt.ref("int_segmentation_settings"), ["settings_json", "config_hash"])
    settings = Settings.from_json(settings_json)
    chosen = dbt.ref("int_segmentation_k_sweep").filter("chosen")  # SQL text: the same on both engines
    k, run_id, used_features = first_row(chosen, ["k", "run_id", "features"])
    stats = to_pandas(dbt.ref("int_feature_stats"))
    if not settings.refit:
        published = f"published.{dbt.this.schema}.segmentation_models"
        quoted = settings.model_id.replace("'", "''")
        row = to_pandas(session.sql(f"select * from {published} where model_id = '{quoted}'")).iloc[0].to_dict()
        return to_engine(session, fit_table_from_model(row, run_id))
    try:  # the last published build's segments (the warehouse readers see, attached read-only)
        published = f"published.{dbt.this.schema}.{dbt.this.identifier}"
        previous = to_pandas(session.sql(f"select segment_id, features, centroid_z from {published}"))
    except Exception:  # first build: nothing published yet
        previous = None
    sample = sample_prefix(dbt.ref("int_fit_sample"), settings.fit_sample_size)
    table = final_fit_table(sample, stats, int(k), run_id, settings, previous, list(used_features))
    table["model_id"] = model_id(table, stats, config_hash)
    # A frame of this session: the adapter then writes the table on the same connection.
    return to_engine(session, table)
