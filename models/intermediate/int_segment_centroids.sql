{#- The fitted centroids, segment x clustering feature, in the matrix's units (weighted z) and
    back in the feature's own units: value = mean + sd * z / weight, then expm1() for a log1p
    feature; an indicator's centroid is the share of the segment with that level. A feature
    the k sweep dropped as noise (is_clustered false) sits at its mean in every segment. -#}

-- noqa: disable=LT02
with

fit as (
    select * from {{ ref('int_segmentation_fit') }}
),

stats as (
    select * from {{ ref('int_feature_stats') }}
),

positions as (
    -- 1 to the number of clustering features: one row per segment and feature below.
    {%- for spec in cluster_feature_specs() %}
    select {{ loop.index }} as feature_position{{ ' union all' if not loop.last }}
    {%- endfor %}
),

long_form as (
    select
        fit.segment_id,
        {{ list_item('fit.features', 'positions.feature_position') }} as feature,
        {{ list_item('fit.centroid_z', 'positions.feature_position') }} as centroid_weighted_z,
        positions.feature_position,
        fit.clustered_features
    from fit
    inner join positions on positions.feature_position <= {{ list_length('fit.features') }}
),

final as (
    select
        long_form.segment_id::integer as segment_id,
        long_form.feature,
        stats.feature_kind,
        stats.weight,
        {{ list_contains_item('long_form.clustered_features', 'long_form.feature') }} as is_clustered,
        long_form.centroid_weighted_z,
        case
            when stats.feature_kind = 'indicator'
                then
                    case
                        when
                            stats.sd > 0
                            then (long_form.centroid_weighted_z / stats.weight - stats.mean) / stats.sd
                        else 0
                    end
            else long_form.centroid_weighted_z / stats.weight
        end as centroid_z,
        case
            when stats.feature_kind = 'indicator' then long_form.centroid_weighted_z / stats.weight
            when
                stats.transform = 'log1p'
                then exp(stats.mean + stats.sd * long_form.centroid_weighted_z / stats.weight) - 1
            else stats.mean + stats.sd * long_form.centroid_weighted_z / stats.weight
        end as centroid_value,
        stats.mean as population_mean,
        '{{ invocation_id }}' as run_id
    from long_form
    inner join stats on long_form.feature = stats.feature
)

select * from final
