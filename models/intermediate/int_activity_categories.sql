{{ config(materialized='table') }}
{#- The event categories that get a share feature (category_share__<category_slug>): the
    vars.activity_top_categories with the most events of the profiles' users up to as_of (ties
    by name), and any
    that the clustering vars name. The feature list of every later model is read from here
    (macro activity_categories). -#}

-- noqa: disable=LT02
with

window_bounds as (
    select * from {{ ref('int_activity_window') }}
),

profile_users as (
    -- Each user with the window's end: as_of is a join condition, not a scalar subquery in the
    -- filter (DuckDB then guesses a few events pass and builds the join's hash table on them).
    select
        stg_user_profiles.user_id,
        window_bounds.as_of
    from {{ ref('stg_user_profiles') }} as stg_user_profiles
    cross join window_bounds
),

events as (
    select stg_interactions.category
    from {{ ref('stg_interactions') }} as stg_interactions
    semi join profile_users
        on stg_interactions.user_id = profile_users.user_id
        and stg_interactions.event_time <= profile_users.as_of
    where stg_interactions.category is not null
),

counted as (
    select
        category,
        count(*) as events
    from events
    group by category
),

ranked as (
    select
        category,
        {{ category_slug('category') }} as category_slug,
        events,
        row_number() over (order by events desc, category asc) as category_rank
    from counted
),

final as (
    select
        category,
        category_slug,
        events,
        category_rank
    from ranked
    where category_rank <= {{ var('activity_top_categories') }}
        {%- for slug in named_category_slugs() %}
        or category_slug = {{ sql_string(slug) }}
        {%- endfor %}
)

select * from final
