{#- The fit sample, stored once: the rows of int_feature_matrix with the lowest sample_key
    (ties by user_id), as many as the larger of vars.fit_sample_size and
    vars.selection_sample_size. Both Python steps read prefixes of it, so neither scans every
    user; the feature profiles take their medians over the same users.
    The sample's users are picked from their keys alone, and only they get a z row: computing
    the whole matrix to keep 200,000 rows of it took twice as long at 10 million users. -#}
{%- set sample_size = [segmentation_settings()['fit_sample_size'] | int, segmentation_settings()['selection_sample_size'] | int] | max %}

with

features as (
    select
        user_id,
        sample_key
    from {{ ref('int_user_features') }}
),

matrix as (
    select * from {{ ref('int_feature_matrix') }}
),

sample_users as (
    select user_id
    from features
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
