{{ config(materialized="view") }}
with

users as (
    select
        user_id,
        interests
    from {{ ref('stg_user_profiles') }}
),

exploded as (
    select
        user_id,
        unnest(interests) as interest
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
