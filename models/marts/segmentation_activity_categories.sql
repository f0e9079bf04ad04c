{{ config(materialized='table') }}
{#- The event categories that became features (category_share__<category_slug>): the top
    vars.activity_top_categories by events up to as_of, and any the clustering vars name.
    Empty without an event log. -#}

with

categories as (
    select * from {{ ref('int_activity_categories') }}
),

final as (
    select
        category,
        category_slug,
        'category_share__' || category_slug as feature,
        events::bigint as events,
        category_rank::integer as category_rank
    from categories
)

select * from final
