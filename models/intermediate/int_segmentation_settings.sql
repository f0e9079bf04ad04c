{{ config(materialized='view') }}
{#- The settings of this build as one JSON object (segmentation_settings()), with the data
    they apply to (valid users, clustering features): what the two Python models and
    segmentation_runs read, so every reader sees the same values. With vars.refit: false,
    `model_id` is the published model to label with and `k` its k. -#}
{%- set settings = segmentation_settings() %}
{%- set model = scoring_model() %}
{%- if model is none %}
    {%- do settings.update({'refit': true, 'model_id': none}) %}
{%- else %}
    {%- do settings.update({'refit': false, 'model_id': model.model_id, 'k': model.k}) %}
{%- endif %}

with

feature_stats as (
    select * from {{ ref('int_feature_stats') }}
),

applied as (
    -- The data the settings apply to: valid users and clustering features of this build.
    select
        max(users) as valid_users,
        count(*) as clustering_features
    from feature_stats
),

final as (
    select
        applied.valid_users,
        applied.clustering_features,
        {{ sql_long_string(tojson(settings)) }} as settings_json,
        {{ sql_long_string(tojson(clustering_config())) }} as clustering_config_json,
        {{ sql_string(local_md5(tojson(clustering_config()))) }} as config_hash,
        '{{ invocation_id }}' as run_id
    from applied
)

select * from final
