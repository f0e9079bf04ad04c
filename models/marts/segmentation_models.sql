{{ config(materialized='table') }}
{#- Append-only: every published model, one row each (README "Scoring with the published
    model"). The published builds' rows (`published`) and, when this build fitted a model not
    yet in them, its row; a build with vars.refit: false adds none (its model is already here). -#}
{%- set history = published_relation(this.identifier) %}

with

fit as (
    select * from {{ ref('int_segmentation_fit') }}
),

stats as (
    select * from {{ ref('int_feature_stats') }}
),

runs as (
    select * from {{ ref('segmentation_k_selection') }}
    where chosen
),

settings as (
    select * from {{ ref('int_segmentation_settings') }}
),

segments as (
    select
        any_value(model_id) as model_id,
        any_value(run_id) as run_id,
        count(*)::integer as k,
        any_value(features) as features,
        any_value(clustered_features) as clustered_features,
        list(segment_id::integer order by segment_id) as segment_ids,
        list(segment_name order by segment_id) as segment_names,
        list(segment_description order by segment_id) as segment_descriptions,
        list(centroid_z order by segment_id) as centroids_weighted_z,
        list(fit_users::integer order by segment_id) as fit_users
    from fit
),

feature_lists as (
    select
        list(feature_kind order by feature_position) as feature_kinds,
        list(source_column order by feature_position) as source_columns,
        list(feature_level order by feature_position) as feature_levels,
        list(transform order by feature_position) as transforms,
        list(weight order by feature_position) as weights,
        list(mean order by feature_position) as means,
        list(sd order by feature_position) as sds
    from stats
),

this_model as (
    select
        segments.model_id,
        segments.run_id,
        current_timestamp as created_at,
        segments.k,
        segments.features,
        segments.clustered_features,
        feature_lists.feature_kinds,
        feature_lists.source_columns,
        feature_lists.feature_levels,
        feature_lists.transforms,
        feature_lists.weights,
        feature_lists.means,
        feature_lists.sds,
        segments.segment_ids,
        segments.segment_names,
        segments.segment_descriptions,
        segments.centroids_weighted_z,
        segments.fit_users,
        runs.silhouette_gap,
        runs.stability_ari,
        runs.verdict,
        settings.config_hash,
        settings.settings_json
    from segments
    cross join feature_lists
    cross join runs
    cross join settings
),

final as (
    {%- if history is not none %}
    select * from {{ history }}
    union all by name
    {%- endif %}
    select * from this_model
    {%- if history is not none %}
    where this_model.model_id not in (select published_models.model_id from {{ history }} as published_models)
    {%- endif %}
)

select * from final
