{#- Every published model's centroids, long: one row per model, segment and clustering
    feature, in the matrix's weighted z-units and in the feature's own units. -#}

with

models as (
    select * from {{ ref('segmentation_models') }}
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
        unnest(segment_ids) as segment_id,
        unnest(segment_names) as segment_name,
        unnest(centroids_weighted_z) as centroid
    from models
),

per_feature as (
    select
        model_id,
        segment_id,
        segment_name,
        unnest(features) as feature,
        unnest(range(1, len(features) + 1)) as feature_position,
        unnest(centroid) as centroid_weighted_z,
        unnest(weights) as weight,
        unnest(means) as mean,
        unnest(sds) as sd,
        unnest(transforms) as transform,
        unnest(feature_kinds) as feature_kind,
        clustered_features
    from per_segment
),

final as (
    select
        model_id,
        segment_id,
        segment_name,
        feature,
        feature_position::integer as feature_position,
        list_contains(clustered_features, feature) as is_clustered,
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
