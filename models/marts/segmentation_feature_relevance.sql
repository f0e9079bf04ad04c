{#- Which clustering features carry the segments: one row per k tried and feature, unnested
    from the k sweep's per-feature lists (int_segmentation_k_sweep). The shares come from the
    sweep on every feature; the share explained by another feature's deciles is the test that
    dropped noise features (user_segmentation.feature_relevance). -#}

with

sweep as (
    select * from {{ ref('int_segmentation_k_sweep') }}
),

positions as (
    -- 1 to the number of clustering features: one row per k and feature below.
    {%- for spec in cluster_feature_specs() %}
        select {{ loop.index }} as feature_position{{ ' union all' if not loop.last }}
    {%- endfor %}
),

long_form as (
    select
        sweep.run_id,
        sweep.k,
        sweep.chosen,
        sweep.dropped_features::{{ list_type('string') }} as dropped_features,
        sweep.relevance_chance_share,
        sweep.relevance_threshold,
        {{ list_item('sweep.all_features', 'positions.feature_position') }} as feature,
        positions.feature_position,
        {{ list_item('sweep.all_feature_explained_share', 'positions.feature_position') }} as explained_share,
        {{ list_item(
            'sweep.all_feature_null_explained_share', 'positions.feature_position'
        ) }} as null_explained_share,
        {{ list_item(
            'sweep.explained_by_other_features', 'positions.feature_position'
        ) }} as explained_by_other_features
    from sweep
    inner join positions on positions.feature_position <= {{ list_length('sweep.all_features') }}
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
        not {{ list_contains_item('dropped_features', 'feature') }} as is_clustered,
        chosen as is_chosen_k
    from long_form
)

select * from final
