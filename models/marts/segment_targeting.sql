{#- Targeting recommendations per segment, each derived by a documented rule from the profiles
    and carrying the figures it rests on (README "Targeting rules"):
    - interests: up to 3 interests with index >= vars.interest_index_threshold and at least
      vars.min_cell_users users in the segment;
    - device: the device level with the highest index (not a small cell), if >= 110;
    - timing: weekend share of online time, index >= 110 -> weekends, <= 90 -> weekdays;
    - creative: CTR and conversion-rate indexes, each high (>= 110), low (<= 90) or middling;
    - lifecycle (with an order log): int_segment_lifecycle_targeting. -#}
{%- set threshold = segmentation_settings()['interest_index_threshold'] %}

with

interests as (
    select * from {{ ref('segment_interest_affinity') }}
),

categories as (
    select * from {{ ref('segment_category_profiles') }}
),

features as (
    select * from {{ ref('segment_feature_profiles') }}
),

segments as (
    select distinct segment_id from features
),

interest_picks as (
    select
        segment_id,
        {{ ordered_text_agg('interest', "', '", 'rank_in_segment') }} as recommendation,
        {{ ordered_text_agg(
            "interest || ': index ' || cast(round(index_vs_population)::integer as " ~ dbt.type_string() ~ ") || ', '
            || " ~ percent('share_in_segment') ~ " || ' of the segment vs '
            || " ~ percent('population_share') ~ " || ' of all users'",
            "'; '", 'rank_in_segment'
        ) }} as evidence,
        {{ value_at_max('interest', 'index_vs_population') }} as top_interest,
        max(index_vs_population) as top_index,
        {{ value_at_max('share_in_segment', 'index_vs_population') }} as top_share,
        {{ value_at_max('population_share', 'index_vs_population') }} as top_population_share
    from interests
    where
        index_vs_population >= {{ threshold }}
        and not is_small_cell
        and rank_in_segment <= 3
    group by segment_id
),

interest_rows as (
    select
        segments.segment_id,
        'interests' as recommendation_kind,
        1 as recommendation_order,
        coalesce(
            interest_picks.recommendation,
            'No interest stands out (none at index {{ threshold }} or above with enough users)'
        ) as recommendation,
        coalesce(interest_picks.evidence, 'See segment_interest_affinity.') as evidence,
        'share with interest: ' || coalesce(interest_picks.top_interest, '-') as metric,
        interest_picks.top_share as segment_value,
        interest_picks.top_population_share as population_value,
        interest_picks.top_index as index_vs_population
    from segments
    left join interest_picks on segments.segment_id = interest_picks.segment_id
),

device_best as (
    select
        segment_id,
        {{ value_at_max('level', 'index_vs_population') }} as device,
        max(index_vs_population) as device_index,
        {{ value_at_max('share_in_segment', 'index_vs_population') }} as device_share,
        {{ value_at_max('population_share', 'index_vs_population') }} as device_population_share
    from categories
    where dimension = 'device_usage' and not is_small_cell
    group by segment_id
),

device_rows as (
    select
        segments.segment_id,
        'device' as recommendation_kind,
        2 as recommendation_order,
        case
            when device_best.device_index >= 110 then 'Favour ' || device_best.device
            else 'No device preference (every device within 10% of the population share)'
        end as recommendation,
        coalesce(
            device_best.device || ': ' || {{ percent('device_best.device_share') }} || ' of the segment vs '
            || {{ percent('device_best.device_population_share') }} || ' of all users (index '
            || round(device_best.device_index)::integer || ')',
            'No device level has enough users.'
        ) as evidence,
        'share using: ' || coalesce(device_best.device, '-') as metric,
        device_best.device_share as segment_value,
        device_best.device_population_share as population_value,
        device_best.device_index as index_vs_population
    from segments
    left join device_best on segments.segment_id = device_best.segment_id
),

timing_rows as (
    select
        segment_id,
        'timing' as recommendation_kind,
        3 as recommendation_order,
        case
            when index_vs_population >= 110 then 'Schedule for weekends'
            when index_vs_population <= 90 then 'Schedule for weekdays'
            else 'Spread across the week'
        end as recommendation,
        {{ percent('segment_mean') }} || ' of online time at weekends vs '
        || {{ percent('population_mean') }} || ' for all users (index '
        || round(index_vs_population)::integer || ')' as evidence,
        'weekend share of online time' as metric,
        segment_mean as segment_value,
        population_mean as population_value,
        index_vs_population
    from features
    where feature = 'weekend_share_of_time'
),

response as (
    select
        segment_id,
        max(case when feature = 'click_through_rate' then segment_mean end) as ctr,
        max(case when feature = 'click_through_rate' then population_mean end) as population_ctr,
        max(case when feature = 'click_through_rate' then index_vs_population end) as ctr_index,
        max(case when feature = 'conversion_rate' then segment_mean end) as conversion,
        max(case when feature = 'conversion_rate' then index_vs_population end) as conversion_index
    from features
    group by segment_id
),

creative_rows as (
    select
        segment_id,
        'creative' as recommendation_kind,
        4 as recommendation_order,
        case
            when ctr_index >= 110 and conversion_index >= 110
                then 'Direct response: clear offers and calls to action (they click and convert)'
            when ctr_index >= 110 and conversion_index <= 90
                then 'Eye-catching hooks, then work on the offer and landing page (they click but rarely convert)'
            when ctr_index <= 90 and conversion_index >= 110
                then 'Fewer, precise placements with a strong offer (they rarely click but convert when they do)'
            when ctr_index <= 90 and conversion_index <= 90
                then 'Awareness and brand building (they rarely click or convert)'
            else 'Balanced: test hooks and offers side by side'
        end as recommendation,
        'CTR ' || printf('%.3f', ctr) || ' (index ' || round(ctr_index)::integer || '); conversion rate '
        || printf('%.3f', conversion) || ' (index ' || round(conversion_index)::integer || ')' as evidence,
        'click-through rate' as metric,
        ctr as segment_value,
        population_ctr as population_value,
        ctr_index as index_vs_population
    from response
),

recommendations as (
    select * from interest_rows
    union all
    select * from device_rows
    union all
    select * from timing_rows
    union all
    select * from creative_rows
    union all
    -- With an order log: the buyer-lifecycle row (empty otherwise).
    select * from {{ ref('int_segment_lifecycle_targeting') }}
),

final as (
    select
        segment_id,
        recommendation_kind,
        recommendation_order,
        recommendation,
        evidence,
        metric,
        segment_value,
        population_value,
        index_vs_population,
        '{{ invocation_id }}' as run_id
    from recommendations
)

select * from final
