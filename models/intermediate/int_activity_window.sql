{{ config(materialized='table') }}
{#- The one as-of time the activity features are computed at, and the window they cover: as_of
    is var as_of (UTC) or else the latest valid event or order; window_start the earliest valid
    event or order up to as_of; window_days the days between them. A user without events gets
    days_since_last_event = window_days + 1 (likewise for orders). One row. -#}
{%- set given = var('as_of', '') | string | trim %}

-- noqa: disable=LT02
with

events as (
    select
        min(event_time) as first_time,
        max(event_time) as last_time
    from {{ ref('stg_interactions') }}
    {%- if given %}
    where event_time <= {{ sql_string(given) }}::timestamptz::timestamp
    {%- endif %}
),

orders as (
    select
        min(order_time) as first_time,
        max(order_time) as last_time
    from {{ ref('stg_transactions') }}
    {%- if given %}
    where order_time <= {{ sql_string(given) }}::timestamptz::timestamp
    {%- endif %}
),

bounds as (
    select
        {%- if given %}
        {{ sql_string(given) }}::timestamptz::timestamp as as_of,
        {%- else %}
        greatest(events.last_time, orders.last_time) as as_of,
        {%- endif %}
        least(events.first_time, orders.first_time) as window_start
    from events
    cross join orders
),

final as (
    select
        as_of,
        window_start,
        coalesce(epoch(as_of - window_start) / 86400.0, 0) as window_days,
        {{ var('session_gap_minutes') }}::integer as session_gap_minutes,
        {{ 'true' if given else 'false' }} as as_of_given
    from bounds
)

select * from final
