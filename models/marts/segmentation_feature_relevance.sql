{#- Which clustering features carry the segments: one row per k tried and feature, unnested
    from the k sweep's per-feature lists (int_segmentation_k_sweep). The shares come from the
    sweep on every feature; the share explained by another feature's deciles is the test that
    dropped noise features (user_segmentation.feature_relevance). -#}

with

sweep as (
    select * from {{ ref('int_segmentation_k_sweep') }}
),

long_form as (
    select
        run_id,
        k,
        chosen,
        dropped_features::varchar[] as dropped_features,
        relevance_chance_share,
        relevance_threshold,
        unnest(all_features) as feature,
        unnest(range(1, len(all_features) + 1)) as feature_position,
        unnest(all_feature_explained_share) as explained_share,
        unnest(all_feature_null_explained_share) as null_explained_share,
        unnest(explained_by_other_features) as explained_by_other_features
    from sweep
),

final as (
    select
        run_id,
        k::integer as k,
        feature,
        feature_position::integer as feature_position,
        explained_share,
        null_explained_share,
        explained_share - null_explained_share as explained_share_gap,
        explained_by_other_features,
        relevance_chance_share as chance_share,
        explained_by_other_features - relevance_chance_share >= relevance_threshold as carries_segments,
        not list_contains(dropped_features, feature) as is_clustered,
        chosen as is_chosen_k
    from long_form
)

select * from final
