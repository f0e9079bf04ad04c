{{ config(materialized='table') }}
{#- Append-only: every published model, one row each (README "Scoring with the published
    model"). The published builds' rows (`published`) and, when this build fitted a model not
    yet in them, its row; a build with vars.refit: false adds none (its model is already here). -#}

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
        {{ ordered_list("segment_id::integer", "segment_id") }} as segment_ids,
        {{ ordered_list("segment_name", "segment_id") }} as segment_names,
        {{ ordered_list("segment_description", "segment_id") }} as segment_descriptions,
        {{ ordered_list("centroid_z", "segment_id") }} as centroids_weighted_z,
        {{ ordered_list("fit_users::integer", "segment_id") }} as fit_users
    from fit
),

feature_lists as (
    select
        {{ ordered_list("feature_kind", "feature_position") }} as feature_kinds,
        {{ ordered_list("source_column", "feature_position") }} as source_columns,
        {{ ordered_list("feature_level", "feature_position") }} as feature_levels,
        {{ ordered_list("transform", "feature_position") }} as transforms,
        {{ ordered_list("weight", "feature_position") }} as weights,
        {{ ordered_list("mean", "feature_position") }} as means,
        {{ ordered_list("sd", "feature_position") }} as sds
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
    {{ append_to_published('this_model', key='model_id') }}
)

select * from final
