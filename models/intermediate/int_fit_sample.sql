{#- The fit sample, stored once: the rows of int_feature_matrix with the lowest sample_key
    (ties by user_id), as many as the larger of vars.fit_sample_size and
    vars.selection_sample_size. Both Python steps read prefixes of it, so neither scans every
    user; the feature profiles take their medians over the same users. -#}
{%- set sample_size = [var('fit_sample_size') | int, var('selection_sample_size') | int] | max %}

with

matrix as (
    select * from {{ ref('int_feature_matrix') }}
),

final as (
    select *
    from matrix
    order by sample_key, user_id
    limit {{ sample_size }}
)

select * from final
