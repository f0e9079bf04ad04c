"""A short readable rule per segment, fitted on the fit sample (dbt Python model).

Thin on purpose: the work is user_segmentation.segmentation_steps.rules_table, on pandas
frames (user_segmentation.model_frames). The mart segment_rules scores each rule on all users
in SQL.
"""


def model(dbt, session):
    from user_segmentation.model_frames import first_row, sample_prefix, to_engine, to_pandas
    from user_segmentation.segment_rules import RULE_SAMPLE
    from user_segmentation.segmentation_steps import Settings, rules_table

    dbt.config(materialized="table")
    (settings_json,) = first_row(dbt.ref("int_segmentation_settings"), ["settings_json"])
    settings = Settings.from_json(settings_json)
    stats = to_pandas(dbt.ref("int_feature_stats"))
    fit = to_pandas(dbt.ref("int_segmentation_fit"))
    sample = sample_prefix(dbt.ref("int_fit_sample"), min(RULE_SAMPLE, settings.fit_sample_size))
    table = rules_table(sample, stats, fit, settings)
    # A frame of this session: the adapter then writes the table on the same connection.
    return to_engine(session, table)
