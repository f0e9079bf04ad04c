{{ config(materialized="view", post_hook="{{ assert_valid_users_exist(this) }}") }}

with

checked as (
    select * from {{ ref('base_user_profiles__checked') }}
),

valid as (
    select * from checked
    where is_valid
),

final as (
    select
        user_id,
        source_row_number,
        age,
        {{ level_order('age', 'age') }} as age_order,
        {{ band_bound('age', 'age', 0) }} as age_lower_years,
        {{ band_bound('age', 'age', 1) }} as age_upper_years,
        gender,
        location,
        language,
        education_level,
        {{ level_order('education_level', 'education_level') }} as education_order,
        device_usage,
        income_level,
        {{ level_order('income_level', 'income_level') }} as income_order,
        {{ band_bound('income_level', 'income_level', 0) }} as income_lower_usd,
        {{ band_bound('income_level', 'income_level', 1) }} as income_upper_usd,
        likes_and_reactions::bigint as likes_and_reactions,
        followed_accounts::bigint as followed_accounts,
        weekday_hours_online,
        weekend_hours_online,
        click_through_rate,
        conversion_rate,
        ad_interaction_seconds,
        {{ interests_from_mask('interest_mask', 'other_interests') }} as interests,
        interest_mask,
        other_interests,
        -- The build that made this view (a constant: free at any size); readers compare it with
        -- dim_users.run_id and segmentation_runs.run_id.
        '{{ invocation_id }}' as run_id
    from valid
)

select * from final
