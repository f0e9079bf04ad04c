{#- Every published model's centroids, long: one row per model, segment and clustering
    feature, in the matrix's weighted z-units and in the feature's own units. -#}

with

models as (
    select * from {{ ref('segmentation_models') }}
),

segment_positions as (
    select
        models.*,
        {{ unnest_list(list_positions('models.segment_ids')) }} as segment_position
    from models
),

per_segment as (
    select
        model_id,
        features,
        clustered_features,
        weights,
        means,
        sds,
        transforms,
        feature_kinds,
        {{ list_item('segment_ids', 'segment_position') }} as segment_id,
        {{ list_item('segment_names', 'segment_position') }} as segment_name,
        {{ list_item('centroids_weighted_z', 'segment_position') }} as centroid
    from segment_positions
),

feature_positions as (
    select
        per_segment.*,
        {{ unnest_list(list_positions('per_segment.features')) }} as feature_position
    from per_segment
),

per_feature as (
    select
        model_id,
        segment_id,
        segment_name,
        {{ list_item('features', 'feature_position') }} as feature,
        feature_position,
        {{ list_item('centroid', 'feature_position') }} as centroid_weighted_z,
        {{ list_item('weights', 'feature_position') }} as weight,
        {{ list_item('means', 'feature_position') }} as mean,
        {{ list_item('sds', 'feature_position') }} as sd,
        {{ list_item('transforms', 'feature_position') }} as transform,
        {{ list_item('feature_kinds', 'feature_position') }} as feature_kind,
        clustered_features
    from feature_positions
),

final as (
    select
        model_id,
        segment_id,
        segment_name,
        feature,
        feature_position::integer as feature_position,
        {{ list_contains_item('clustered_features', 'feature') }} as is_clustered,
        centroid_weighted_z,
        case
            when feature_kind = 'indicator' then centroid_weighted_z / weight
            when transform = 'log1p' then exp(mean + sd * centroid_weighted_z / weight) - 1
            else mean + sd * centroid_weighted_z / weight
        end as centroid_value,
        sd as feature_sd
    from per_feature
)

select * from final
