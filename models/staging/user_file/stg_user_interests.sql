{{ config(materialized="view") }}
with

checked as (
    select * from {{ ref('base_user_profiles__checked') }}
),

users as (
    select
        user_id,
        {{ interests_from_mask('interest_mask', 'other_interests') }} as interests
    from checked
    where is_valid
),

exploded as (
    select
        user_id,
        {{ unnest_list('interests') }} as interest
    from users
),

final as (
    select
        user_id,
        interest,
        interest in (
            {%- for interest in known_interests() %}
                '{{ interest }}'{{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_known_interest
    from exploded
)

select * from final
