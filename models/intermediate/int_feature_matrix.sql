{#- The design matrix K-Means sees: one row per valid user, one column per feature,
    z = (value - mean) / sd x weight (indicators: 0/1 x weight, not standardised).
    A constant feature (sd = 0) gives z = 0. -#}
{%- set specs = cluster_feature_specs() %}

with

features as (
    select * from {{ ref('int_user_features') }}
),

stats as (
    select
        {%- for spec in specs %}
        max(case when feature_position = {{ loop.index }} then mean end) as mean_{{ loop.index }},
        max(case when feature_position = {{ loop.index }} then sd end) as sd_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_feature_stats') }}
),

final as (
    select
        features.user_id,
        features.sample_key,
        {%- for spec in specs %}
        {%- if spec.kind == 'indicator' %}
        ({{ feature_value_sql(spec) }}) * {{ spec.weight }} as z_{{ spec.name }}{{ ',' if not loop.last }}
        {%- else %}
        case
            when stats.sd_{{ loop.index }} > 0
                then ({{ feature_value_sql(spec) }} - stats.mean_{{ loop.index }}) / stats.sd_{{ loop.index }}
                    * {{ spec.weight }}
            else 0
        end as z_{{ spec.name }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from features
    cross join stats
)

select * from final
