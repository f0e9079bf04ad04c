{{ config(materialized='table') }}
{#- The events whose values are valid, each with its place in its user's sequence: in time
    order (ties by a 64-bit hash of type, channel and category, then record number), is_duplicate
    when it has the instant and the hash of the event before it (an exact copy: the first one is
    kept; two different value sets with one hash at one instant of one user, about 1 in 10^19,
    would be taken for copies), and the seconds since the user's previous event (the session
    split of int_user_activity_features). The one stored copy of the valid events: one sort
    finds the duplicates and the gaps together. -#}

with

checked as (
    select
        *,
        -- The values an exact copy shares, as one sort key: cheaper than three text keys.
        hash(event_type, channel, category) as value_hash
    from {{ ref('base_interactions__checked') }}
    where row_reasons is null
),

ordered as (
    select
        source_row_number,
        user_id,
        event_time,
        event_local_time,
        event_type,
        channel,
        category,
        value_hash,
        lag(source_row_number) over user_events as previous_row_number,
        lag(event_time) over user_events as previous_event_time,
        lag(value_hash) over user_events as previous_value_hash
    from checked
    window user_events as (
        partition by user_id
        order by event_time asc, value_hash asc, source_row_number asc
    )
),

final as (
    select
        source_row_number,
        user_id,
        event_time,
        event_local_time,
        event_type,
        channel,
        category,
        coalesce(event_time = previous_event_time and value_hash = previous_value_hash, false) as is_duplicate,
        previous_row_number,
        epoch(event_time - previous_event_time) as seconds_since_previous_event
    from ordered
)

select * from final
