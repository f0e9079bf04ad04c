{{ config(materialized='view') }}
{#- The valid events: one row per event record whose values are valid and that repeats no
    earlier record. Events of users who are not in the profiles are kept (the reconciliation
    counts them); the activity features read only the profiles' users. -#}

with

sequenced as (
    select * from {{ ref('base_interactions__sequenced') }}
),

final as (
    select
        source_row_number as event_id,
        user_id,
        event_time,
        event_local_time,
        event_type,
        channel,
        category,
        seconds_since_previous_event
    from sequenced
    where not is_duplicate
)

select * from final
