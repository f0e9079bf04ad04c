{{ config(materialized='table') }}
{#- The one as-of time the activity features are computed at, and the window they cover: as_of
    is var as_of (UTC) or else the latest valid event or order of the profiles' users;
    window_start their earliest valid event or order up to as_of; window_days the days between them. A user without events gets
    days_since_last_event = window_days + 1 (likewise for orders). One row. -#}
{%- set given = var('as_of', '') | string | trim %}

-- noqa: disable=LT02
with

profile_users as (
    select user_id from {{ ref('stg_user_profiles') }}
),

events as (
    -- Only the profiles' users: records of other users are counted nowhere, not even here.
    select
        min(stg_interactions.event_time) as first_time,
        max(stg_interactions.event_time) as last_time
    from {{ ref('stg_interactions') }} as stg_interactions
    semi join profile_users on stg_interactions.user_id = profile_users.user_id
    {%- if given %}
    where stg_interactions.event_time <= {{ utc_time_literal(given) }}
    {%- endif %}
),

orders as (
    select
        min(stg_transactions.order_time) as first_time,
        max(stg_transactions.order_time) as last_time
    from {{ ref('stg_transactions') }} as stg_transactions
    semi join profile_users on stg_transactions.user_id = profile_users.user_id
    {%- if given %}
    where stg_transactions.order_time <= {{ utc_time_literal(given) }}
    {%- endif %}
),

bounds as (
    select
        {%- if given %}
        {{ utc_time_literal(given) }} as as_of,
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
        coalesce({{ seconds_between('window_start', 'as_of') }} / 86400.0, 0) as window_days,
        {{ var('session_gap_minutes') }}::integer as session_gap_minutes,
        {{ 'true' if given else 'false' }} as as_of_given
    from bounds
)

select * from final
