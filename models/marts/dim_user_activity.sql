{{ config(materialized='view') }}
{#- One row per valid user with their activity features and segment (a view): what analysts
    join to dim_users for activity questions. Empty without an activity log. The per-category
    shares are in int_user_activity_features (their columns depend on the data). -#}

with

activity as (
    select * from {{ ref('int_user_activity_features') }}
),

users as (
    select
        user_id,
        segment_id,
        segment_name
    from {{ ref('dim_users') }}
),

final as (
    select
        activity.user_id,
        users.segment_id,
        users.segment_name,
        activity.has_activity,
        activity.events,
        activity.active_days,
        activity.events_per_active_day,
        activity.sessions,
        activity.mean_session_events,
        activity.days_since_last_event,
        activity.evening_share_of_events,
        activity.weekend_share_of_events,
        activity.orders,
        activity.days_since_last_order,
        activity.monetary_value,
        activity.average_order_value
    from activity
    inner join users on activity.user_id = users.user_id
)

select * from final
