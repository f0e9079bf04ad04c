{{ config(materialized='view') }}
{#- A view: free to build at any size; analysts get every user with profile, features and segment. -#}

with

users as (
    select * from {{ ref('stg_user_profiles') }}
),

labels as (
    select * from {{ ref('int_segment_assignments') }}
),

features as (
    select * from {{ ref('int_user_features') }}
),

segments as (
    select
        segment_id,
        segment_name
    from {{ ref('dim_segments') }}
),

final as (
    select
        users.user_id,
        users.age,
        users.age_order,
        users.gender,
        users.location,
        users.language,
        users.education_level,
        users.education_order,
        users.device_usage,
        users.income_level,
        users.income_order,
        users.likes_and_reactions,
        users.followed_accounts,
        users.weekday_hours_online,
        users.weekend_hours_online,
        users.click_through_rate,
        users.conversion_rate,
        users.ad_interaction_seconds,
        users.interests,
        features.weekly_hours_online,
        features.weekend_share_of_time,
        features.likes_per_followed_account,
        features.conversions_per_impression,
        features.interest_count,
        labels.segment_id,
        segments.segment_name,
        labels.distance_to_centroid,
        labels.runner_up_segment_id,
        labels.margin_to_runner_up,
        labels.run_id
    from users
    inner join labels on users.user_id = labels.user_id
    inner join features on users.user_id = features.user_id
    inner join segments on labels.segment_id = segments.segment_id
)

select * from final
