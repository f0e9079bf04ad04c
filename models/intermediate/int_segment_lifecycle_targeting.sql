{{ config(materialized='table') }}
{#- The buyer-lifecycle recommendation of each segment, from its recency, frequency and
    monetary indexes (index = segment mean / population mean x 100, from int_segment_feature_moments
    as segment_feature_profiles computes it):
    - lapsed (days since the last order, index >= 120) and high-value (average order value,
      index >= 110): win back;
    - lapsed, not high-value: re-engage;
    - recent (index <= 83) and frequent (orders, index >= 110): reward loyalty;
    - high-value otherwise: premium offers; else the regular programme.
    One row per segment when an order log is given (segment_targeting adds it as its
    `lifecycle` row); empty otherwise. -#}

with

moments as (
    select * from {{ ref('int_segment_feature_moments') }}
    where feature in ('days_since_last_order', 'orders', 'average_order_value')
),

population as (
    -- Over all users, as segment_feature_profiles computes it.
    select
        feature,
        sum(users * segment_mean) / sum(users) as population_mean
    from moments
    group by feature
),

features as (
    select
        moments.segment_id,
        moments.feature,
        moments.segment_mean,
        population.population_mean,
        moments.segment_mean / nullif(population.population_mean, 0) * 100 as index_vs_population
    from moments
    inner join population on moments.feature = population.feature
),

rfm as (
    select
        segment_id,
        max(case when feature = 'days_since_last_order' then segment_mean end) as recency_days,
        max(case when feature = 'days_since_last_order' then population_mean end) as population_recency_days,
        max(case when feature = 'days_since_last_order' then index_vs_population end) as recency_index,
        max(case when feature = 'orders' then segment_mean end) as orders,
        max(case when feature = 'orders' then index_vs_population end) as frequency_index,
        max(case when feature = 'average_order_value' then segment_mean end) as order_value,
        max(case when feature = 'average_order_value' then index_vs_population end) as value_index
    from features
    where feature in ('days_since_last_order', 'orders', 'average_order_value')
    group by segment_id
),

final as (
    select
        segment_id,
        'lifecycle' as recommendation_kind,
        5 as recommendation_order,
        case
            when recency_index >= 120 and value_index >= 110
                then 'Win back lapsed high-value buyers: a personal offer before they are lost'
            when recency_index >= 120
                then 'Re-engage lapsed buyers: a reminder with a light incentive'
            when recency_index <= 83 and frequency_index >= 110
                then 'Reward loyal frequent buyers: perks, early access and cross-sell'
            when value_index >= 110
                then 'Premium offers: bundles and upsell for high-value orders'
            else 'Keep in the regular programme'
        end as recommendation,
        printf('%.1f', recency_days) || ' days since the last order (index ' || round(recency_index)::integer
        || '); ' || printf('%.1f', orders) || ' orders (index ' || round(frequency_index)::integer
        || '); ' || printf('%.0f', order_value) || ' per order (index ' || round(value_index)::integer || ')'
            as evidence,
        'days since the last order' as metric,
        recency_days as segment_value,
        population_recency_days as population_value,
        recency_index as index_vs_population
    from rfm
    where
        recency_index is not null
        and frequency_index is not null
        and value_index is not null
        and {{ 'true' if log_path('transactions') != '' else 'false' }}
)

select * from final
