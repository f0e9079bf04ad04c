{{ config(materialized='view') }}
{#- The design matrix K-Means sees: one row per valid user, one column per feature,
    z = (value - mean) / sd x weight (indicators: 0/1 x weight, not standardised).
    A constant feature (sd = 0) gives z = 0. A view: only the Python step reads it, and only
    its fit sample (the lowest sample keys), so it is never written out in full. -#}
{%- set specs = cluster_feature_specs() %}

-- noqa: disable=LT02
with

features as (
    select * from {{ ref('int_user_features') }}
),

stats as (
    {{ feature_stats_columns(ref('int_feature_stats')) }}
),

final as (
    select
        features.user_id,
        features.sample_key,
    {%- for spec in specs %}
        {{ z_value_sql(spec, loop.index) }} as z_{{ spec.name }}{{ ',' if not loop.last }}
    
    
    {%- endfor %}
    from features
    cross join stats
)

select * from final
