{{ config(materialized='table') }}
{#- Segment x local weekday x local hour: the segment's counted events (valid, of labelled users,
    up to as_of) and their share of the segment's events, for the report's activity section.
    Local: the time as written in the log (the user's wall clock). Only the cells with events
    are stored; empty without an event log. -#}

with

window_bounds as (
    select * from {{ ref('int_activity_window') }}
),

labelled as (
    -- Each labelled user with the window's end: as_of is a join condition, not a scalar
    -- subquery in a filter (DuckDB then guesses a few events pass and builds the join's hash
    -- table on the events).
    select
        dim_users.user_id,
        dim_users.segment_id,
        window_bounds.as_of
    from {{ ref('dim_users') }} as dim_users
    cross join window_bounds
),

events as (
    select
        stg_interactions.user_id,
        stg_interactions.event_time,
        stg_interactions.event_local_time
    from {{ ref('stg_interactions') }} as stg_interactions
),

counted as (
    select
        labelled.segment_id,
        {{ iso_weekday("events.event_local_time") }}::integer as local_weekday,
        hour(events.event_local_time)::integer as local_hour,
        count(*)::bigint as events
    from events
    inner join labelled
        on events.user_id = labelled.user_id
            and events.event_time <= labelled.as_of
    group by 1, 2, 3
),

final as (
    select
        '{{ invocation_id }}' as run_id,
        counted.segment_id,
        counted.local_weekday,
        counted.local_hour,
        counted.events,
        counted.events / sum(counted.events) over (partition by counted.segment_id) as share_of_segment_events
    from counted
)

select * from final
