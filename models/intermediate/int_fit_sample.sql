{#- The fit sample, stored once: the rows of int_feature_matrix with the lowest sample_key
    (ties by user_id), as many as the larger of fit_sample_size and selection_sample_size.
    Both Python steps read prefixes of it, so neither scans every user; the feature profiles
    take their medians over the same users. The users are picked by their keys first (the
    view's z columns are not computed for that), then only they get a z row. With an activity
    log only users with activity are sampled (macro fitted_on_activity). -#}
{%- set settings = segmentation_settings() %}
{%- set sample_size = [settings['fit_sample_size'] | int, settings['selection_sample_size'] | int] | max %}

with

-- Read twice (the keys, then the sample's rows): re-read, never copied. Materialized, this
-- CTE would hold every user's z row (3 s and 0.2 GiB more at 10 million users).
matrix as {{ not_materialized() }} (
    select * from {{ ref('int_feature_matrix') }}
),

sample_users as (
    select user_id
    from matrix
    {%- if activity_enabled() %}
    where {{ fitted_on_activity() }}
    {%- endif %}
    order by sample_key, user_id
    limit {{ sample_size }}
),

final as (
    select matrix.*
    from matrix
    semi join sample_users on matrix.user_id = sample_users.user_id
    order by matrix.sample_key, matrix.user_id
)

select * from final
