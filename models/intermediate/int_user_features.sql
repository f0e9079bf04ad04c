{{ config(materialized="view") }}
{#- Every valid user with the features that may be clustered on: the profile's behavioural
    columns, the engineered features and the demographics; with an activity log also the
    activity features of int_user_activity_features (one row per user, so a left join keeps
    every user). -#}
-- depends_on: {{ ref('int_user_activity_features') }}
{%- set activity = activity_enabled() %}

-- noqa: disable=LT02
with

users as (
    select * from {{ ref('stg_user_profiles') }}
),
{%- if activity %}

activity as (
    -- Renamed so that the profile's columns stay unqualified below.
    select
        user_id as activity_user_id,
        {{ star_except(['user_id']) }}
    from {{ ref('int_user_activity_features') }}
),
{%- endif %}

final as (
    select
        user_id,
        -- A fixed multiplicative hash of the id: the fit sample is the lowest keys, so it
        -- does not change between runs (and not with row order or engine).
        (user_id * 2654435761) % 4294967296 as sample_key,
        weekday_hours_online,
        weekend_hours_online,
        {{ engineered_feature('weekly_hours_online') }} as weekly_hours_online,
        {{ engineered_feature('weekend_share_of_time') }} as weekend_share_of_time,
        likes_and_reactions,
        followed_accounts,
        {{ engineered_feature('likes_per_followed_account') }} as likes_per_followed_account,
        click_through_rate,
        conversion_rate,
        {{ engineered_feature('conversions_per_impression') }} as conversions_per_impression,
        ad_interaction_seconds,
        {{ engineered_feature('interest_count') }} as interest_count,
        interest_mask,
        other_interests,
        age,
        gender,
        location,
        language,
        education_level,
        device_usage,
        {%- if activity %}
        {%- for feature in var('activity_feature_catalog') %}
        activity.{{ feature }},
        {%- endfor %}
        {%- for category, slug in activity_categories() %}
        activity.category_share__{{ slug }},
        {%- endfor %}
        activity.has_activity,
        {%- endif %}
        income_level
    from users
    {%- if activity %}
    left join activity on users.user_id = activity.activity_user_id
    {%- endif %}
)

select * from final
