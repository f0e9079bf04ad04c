{{ config(materialized="view") }}
with

users as (
    select * from {{ ref('stg_user_profiles') }}
),

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
        income_level
    from users
)

select * from final
