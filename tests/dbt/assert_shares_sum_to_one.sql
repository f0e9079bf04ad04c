-- Shares add up: segment shares of users sum to 1, and within each segment the level shares
-- of every demographic dimension sum to 1.
with

segment_total as (
    select
        'dim_segments' as check_name,
        null::integer as segment_id,
        null::string as dimension,
        sum(share_of_users) as total
    from {{ ref('dim_segments') }}
),

category_totals as (
    select
        'segment_category_profiles' as check_name,
        segment_id,
        dimension,
        sum(share_in_segment) as total
    from {{ ref('segment_category_profiles') }}
    group by segment_id, dimension
),

population_totals as (
    select
        'population_share' as check_name,
        null::integer as segment_id,
        dimension,
        sum(population_share) / count(distinct segment_id) as total
    from {{ ref('segment_category_profiles') }}
    group by dimension
),

final as (
    select * from segment_total
    union all
    select * from category_totals
    union all
    select * from population_totals
)

select * from final
where abs(total - 1) > 1e-9
