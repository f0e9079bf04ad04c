{{ config(materialized='view') }}
{#- The design matrix K-Means sees: one row per valid user, one column per feature,
    z = (value - mean) / sd x weight (indicators: 0/1 x weight, not standardised).
    A constant feature (sd = 0) gives z = 0. A view: int_fit_sample stores only the fit
    sample (the lowest sample keys), so the matrix is never written out in full. -#}

with

features as (
    select * from {{ ref('int_user_features') }}
),

stats as (
    {{ feature_stats_columns(ref('int_feature_stats')) }}
),

final as (
    select
        {{- feature_matrix_columns(['user_id', 'sample_key'] + (['has_activity'] if activity_enabled() else [])) }}
    from features
    cross join stats
)

select * from final
