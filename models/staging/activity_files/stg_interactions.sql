{{ config(materialized='view') }}
{#- The valid events: one row per event record whose values are valid and that repeats no
    earlier record. Events of users who are not in the profiles are kept (the reconciliation
    counts them); the activity features read only the profiles' users. -#}

with

checked as (
    select * from {{ ref('base_interactions__checked') }}
),

duplicates as (
    select * from {{ ref('base_interactions__duplicates') }}
),

final as (
    select
        checked.source_row_number as event_id,
        checked.user_id,
        checked.event_time,
        checked.event_local_time,
        checked.event_type,
        checked.channel,
        checked.category
    from checked
    anti join duplicates on checked.source_row_number = duplicates.source_row_number
    where checked.row_reasons is null
)

select * from final
