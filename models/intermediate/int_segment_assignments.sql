{{ config(materialized='view') }}
{#- Every valid user's segment, distance, runner-up and margin: the narrow view of
    int_labelled_users that dim_users, the tests and the run history read. -#}

with

labelled as (
    select * from {{ ref('int_labelled_users') }}
),

final as (
    select
        user_id,
        segment_id,
        distance_to_centroid,
        runner_up_segment_id,
        margin_to_runner_up,
        previous_segment_id,
        run_id::string as run_id
    from labelled
)

select * from final
