{#- Segment x dimension x level: users, share within the segment, the population's share and
    the index (segment share / population share x 100). Every level of the format appears for
    every segment (0 users where none), so a chart never silently misses a level. -#}
{%- set levels = profile_levels() %}

-- noqa: disable=LT02,LT05
with

-- Read once per dimension: re-read (two columns each), never copied.
labelled as {{ not_materialized() }} (
    select * from {{ ref('int_labelled_users') }}
),

counted as (
    {%- for dimension in levels %}
    select segment_id, '{{ dimension }}' as dimension, {{ dimension }} as level, count(*) as users
    from labelled
    group by segment_id, {{ dimension }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

catalogue as (
    -- Every level of the format: (dimension, its order, level, its order).
    select * from (
        values
        {%- for dimension, names in levels.items() %}
        {%- set dimension_loop = loop %}
        {%- for level in names %}
        ('{{ dimension }}', {{ dimension_loop.index }}, '{{ level }}', {{ loop.index }}){{ ',' if not (loop.last and dimension_loop.last) }}
        {%- endfor %}
        {%- endfor %}
    ) as levels (dimension, dimension_order, level, level_order) -- noqa: AL05
),

segments as (
    select
        segment_id,
        count(*) as segment_users
    from labelled
    group by segment_id
),

grid as (
    select
        segments.segment_id,
        segments.segment_users,
        catalogue.dimension,
        catalogue.dimension_order,
        catalogue.level,
        catalogue.level_order,
        coalesce(counted.users, 0) as users
    from segments
    cross join catalogue
    left join counted
        on
            segments.segment_id = counted.segment_id
            and catalogue.dimension = counted.dimension
            and catalogue.level = counted.level
),

with_population as (
    select
        *,
        sum(users) over (partition by dimension, level)::bigint as population_users,
        sum(users) over (partition by dimension)::bigint as population_total
    from grid
),

final as (
    select
        segment_id,
        dimension,
        dimension_order,
        level,
        level_order,
        users,
        users / segment_users as share_in_segment,
        population_users,
        population_users / population_total as population_share,
        case
            when population_users > 0
                then (users / segment_users) / (population_users / population_total) * 100
        end as index_vs_population,
        users < {{ segmentation_settings()['min_cell_users'] }} as is_small_cell,
        '{{ invocation_id }}' as run_id
    from with_population
)

select * from final
