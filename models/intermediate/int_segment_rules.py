"""A short readable rule per segment, fitted on the fit sample (dbt Python model).

Thin on purpose: the work is user_segmentation.segmentation_steps.rules_table. The mart
segment_rules scores each rule on all users in SQL.
"""


def model(dbt, session):
    from user_segmentation.segmentation_steps import Settings, rules_table

    dbt.config(materialized="table")
    settings_json = dbt.ref("int_segmentation_settings").project("settings_json").fetchall()[0][0]
    settings = Settings.from_json(settings_json)
    stats = dbt.ref("int_feature_stats").df()
    fit = dbt.ref("int_segmentation_fit").df()
    table = rules_table(dbt.ref("int_fit_sample"), stats, fit, settings)
    # A relation on this connection: dbt-duckdb then writes the table on the same connection.
    return session.from_df(table)
