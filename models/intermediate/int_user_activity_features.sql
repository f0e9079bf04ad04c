{{ config(materialized='table') }}
{#- The activity features of every valid user (stg_user_profiles), from their valid events and
    orders up to as_of (int_activity_window); the formulas are in the YAML docs. A user without
    events or orders keeps defined values (counts and shares 0, recency window_days + 1) and
    has_activity = false. Sessions: a new one at the first event and after more than var
    session_gap_minutes without an event (one sort of the events' users and times). Local
    hour and weekday: the time as written in the log (the user's wall clock).
    Empty when no activity log is given. -#}
-- depends_on: {{ ref('int_activity_categories') }}
{%- set categories = activity_categories() %}

-- noqa: disable=LT02
with

users as (
    select user_id from {{ ref('stg_user_profiles') }}
    {%- if not activity_enabled() %}
    where false
    {%- endif %}
),

window_bounds as (
    select * from {{ ref('int_activity_window') }}
),

events as {{ not_materialized() }} (
    -- Read twice (the sessions, the per-day aggregates): re-read, never copied.
    -- Every user's events: those of users outside the profiles are aggregated too and fall
    -- away in the final join (usually few; a semi join of every event costs more).
    -- stg_interactions only selects stored columns: were it to compute one (a local time from
    -- an offset, say), DuckDB 2.0 would copy these events once for both readers (3 s at 50M).
    select
        stg_interactions.user_id,
        stg_interactions.event_time,
        stg_interactions.event_local_time,
        stg_interactions.category
    from {{ ref('stg_interactions') }} as stg_interactions
    where stg_interactions.event_time <= (select window_bounds.as_of from window_bounds)
),

session_starts as (
    -- A new session at the user's first event and after a gap longer than the var. The one
    -- sort carries only the user and the instant (the other columns would double its cost).
    select
        user_id,
        case
            when lag(event_time) over (partition by user_id order by event_time)
                >= event_time - {{ minutes_interval(var('session_gap_minutes') ~ '::bigint') }}
                then 0
            else 1
        end as starts_session
    from events
),

user_sessions as (
    select
        user_id,
        sum(starts_session) as sessions
    from session_starts
    group by user_id
),

day_aggregates as (
    -- One row per user and local day: the active days are these rows, so one pass over the
    -- events gives them and the counts (a distinct of the days apart would read them again).
    select
        user_id,
        event_local_time::date as local_date,
        count(*) as events,
        max(event_time) as last_event_time,
        count(*) filter (where hour(event_local_time) >= 18) as evening_events,
        {%- for category, slug in categories %}
        count(*) filter (where category = {{ sql_string(category) }}) as category_events__{{ slug }},
        {%- endfor %}
        {{ is_weekend_day('event_local_time::date') }} as is_weekend
    from events
    group by user_id, local_date
),

event_aggregates as (
    select
        user_id,
        sum(events) as events,
        count(*) as active_days,
        max(last_event_time) as last_event_time,
        sum(evening_events) / sum(events) as evening_share_of_events,
        {%- for category, slug in categories %}
        sum(category_events__{{ slug }}) / sum(events) as category_share__{{ slug }},
        {%- endfor %}
        coalesce(sum(events) filter (where is_weekend), 0) / sum(events) as weekend_share_of_events
    from day_aggregates
    group by user_id
),

orders as (
    select
        stg_transactions.user_id,
        stg_transactions.order_time,
        stg_transactions.amount
    from {{ ref('stg_transactions') }} as stg_transactions
    where stg_transactions.order_time <= (select window_bounds.as_of from window_bounds)
),

order_aggregates as (
    select
        user_id,
        count(*) as orders,
        max(order_time) as last_order_time,
        sum(amount) as monetary_value
    from orders
    group by user_id
),

final as (
    select
        users.user_id,
        coalesce(event_aggregates.events, 0)::bigint as events,
        coalesce(event_aggregates.active_days, 0)::bigint as active_days,
        coalesce(event_aggregates.events / event_aggregates.active_days, 0)::double as events_per_active_day,
        coalesce(user_sessions.sessions, 0)::bigint as sessions,
        coalesce(event_aggregates.events / user_sessions.sessions, 0)::double as mean_session_events,
        coalesce(
            {{ seconds_between('event_aggregates.last_event_time', 'window_bounds.as_of') }} / 86400.0,
            window_bounds.window_days + 1
        ) as days_since_last_event,
        coalesce(event_aggregates.evening_share_of_events, 0) as evening_share_of_events,
        coalesce(event_aggregates.weekend_share_of_events, 0) as weekend_share_of_events,
        {%- for category, slug in categories %}
        coalesce(event_aggregates.category_share__{{ slug }}, 0) as category_share__{{ slug }},
        {%- endfor %}
        coalesce(order_aggregates.orders, 0)::bigint as orders,
        coalesce(
            {{ seconds_between('order_aggregates.last_order_time', 'window_bounds.as_of') }} / 86400.0,
            window_bounds.window_days + 1
        ) as days_since_last_order,
        coalesce(order_aggregates.monetary_value, 0)::double as monetary_value,
        coalesce(order_aggregates.monetary_value / order_aggregates.orders, 0)::double as average_order_value,
        event_aggregates.user_id is not null or order_aggregates.user_id is not null as has_activity
    from users
    cross join window_bounds
    left join event_aggregates on users.user_id = event_aggregates.user_id
    left join user_sessions on users.user_id = user_sessions.user_id
    left join order_aggregates on users.user_id = order_aggregates.user_id
)

select * from final
