{#- The fitted centroids, segment x clustering feature, in the matrix's units (weighted z) and
    back in the feature's own units: value = mean + sd * z / weight, then expm1() for a log1p
    feature; an indicator's centroid is the share of the segment with that level. A feature
    the k sweep dropped as noise (is_clustered false) sits at its mean in every segment. -#}

with

fit as (
    select * from {{ ref('int_segmentation_fit') }}
),

stats as (
    select * from {{ ref('int_feature_stats') }}
),

long_form as (
    select
        segment_id,
        unnest(features) as feature,
        unnest(centroid_z) as centroid_weighted_z,
        unnest(range(1, len(features) + 1)) as feature_position,
        clustered_features
    from fit
),

final as (
    select
        long_form.segment_id::integer as segment_id,
        long_form.feature,
        stats.feature_kind,
        stats.weight,
        list_contains(long_form.clustered_features, long_form.feature) as is_clustered,
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
