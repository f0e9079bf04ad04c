{{ config(materialized='table') }}
{#- Segment x local weekday x local hour: the segment's counted events (valid, of labelled users,
    up to as_of) and their share of the segment's events, for the report's activity section.
    Local: the time as written in the log (the user's wall clock). Only the cells with events
    are stored; empty without an event log. -#}

with

labelled as (
    select
        user_id,
        segment_id
    from {{ ref('dim_users') }}
),

window_bounds as (
    select * from {{ ref('int_activity_window') }}
),

events as (
    select
        stg_interactions.user_id,
        stg_interactions.event_local_time
    from {{ ref('stg_interactions') }} as stg_interactions
    where stg_interactions.event_time <= (select window_bounds.as_of from window_bounds)
),

counted as (
    select
        labelled.segment_id,
        isodow(events.event_local_time)::integer as local_weekday,
        hour(events.event_local_time)::integer as local_hour,
        count(*)::bigint as events
    from events
    inner join labelled on events.user_id = labelled.user_id
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
