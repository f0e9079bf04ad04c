{#- One row per segment: its name (computed from the centroid, or the marketers' override from
    the seed segment_name_overrides), size, most distinctive traits, dominant demographics and the run's verdict. The
    recommendations are in segment_targeting, one row each. -#}

-- noqa: disable=LT02
with

fit as (
    select * from {{ ref('int_segmentation_fit') }}
),

overrides as (
    select * from {{ ref('segment_name_overrides') }}
),

sizes as (
    select
        segment_id,
        count(*) as users,
        count(*) / sum(count(*)) over () as share_of_users
    from {{ ref('int_segment_assignments') }}
    group by segment_id
),

traits as (
    select
        segment_id,
        {{ ordered_list(feature_direction_label('feature', 'z_score'), 'distinctiveness_rank') }}
            as top_trait_labels,
        {{ ordered_list("feature", "distinctiveness_rank") }} as top_trait_features,
        {{ ordered_list("z_score", "distinctiveness_rank") }} as top_trait_z_scores,
        {{ ordered_text_agg(
            feature_direction_label('feature', 'z_score') ~ " || ' (' || " ~ signed_number('z_score') ~ " || ' sd)'",
            "'; '", 'distinctiveness_rank'
        ) }} as top_traits
    from {{ ref('segment_feature_profiles') }}
    where distinctiveness_rank <= {{ segmentation_settings()['report_top_traits'] }}
    group by segment_id
),

dominant as (
    select
        segment_id,
    {%- for dimension in profile_levels() %}
        {{ value_at_max('level', 'share_in_segment') }} filter (where dimension = '{{ dimension }}')
            as dominant_{{ dimension }}{{ ',' if not loop.last }}
    
    {%- endfor %}
    from {{ ref('segment_category_profiles') }}
    group by segment_id
),

run_quality as (
    select verdict from {{ ref('int_segmentation_k_sweep') }}
    where chosen
),

final as (
    select
        fit.segment_id::integer as segment_id,
        coalesce(overrides.segment_name, fit.segment_name) as segment_name,
        coalesce(overrides.segment_description, fit.segment_description) as segment_description,
        fit.segment_name as computed_segment_name,
        overrides.segment_name is not null as is_name_overridden,
        sizes.users,
        sizes.share_of_users,
        traits.top_traits,
        traits.top_trait_features,
        traits.top_trait_z_scores,
        {%- for dimension in profile_levels() %}
            dominant.dominant_{{ dimension }},
        {%- endfor %}
        run_quality.verdict as segmentation_verdict,
        '{{ invocation_id }}' as run_id
    from fit
    inner join sizes on fit.segment_id = sizes.segment_id
    left join overrides on fit.segment_id = overrides.segment_id
    left join traits on fit.segment_id = traits.segment_id
    left join dominant on fit.segment_id = dominant.segment_id
    cross join run_quality
)

select * from final
