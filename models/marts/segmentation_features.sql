{{ config(materialized='table') }}
{#- The clustering features of this build, published: kind, transform, weight, the labels
    segment names use, and the mean and sd every z-score is taken against
    (int_feature_stats). -#}

with

stats as (
    select * from {{ ref('int_feature_stats') }}
),

final as (
    select
        feature_position,
        feature,
        feature_kind,
        source_column,
        feature_level,
        transform,
        weight,
        high_label,
        low_label,
        users,
        mean,
        sd,
        run_id
    from stats
)

select * from final
