{#- Segment x interest: users with the interest, their share of the segment, the population's
    share, the index (segment share / population share x 100) and the rank within the segment
    (highest index first; small cells rank after the rest). Shares do not sum to 1: a user
    lists up to four interests. -#}

-- noqa: disable=LT02
with

-- Read by several CTEs: re-read, never copied (a copy of every user costs more than the reads).
labelled as {{ not_materialized() }} (
    select
        segment_id,
        interest_mask,
        other_interests
    from {{ ref('int_labelled_users') }}
),

segments as (
    select
        segment_id,
        count(*) as segment_users
    from labelled
    group by segment_id
),

population as (
    select sum(segment_users)::bigint as population_users from segments
),

known_counts as (
    -- One pass, one sum per known interest over the bitmask (no list is unnested).
    select
        segment_id,
        {%- for interest in known_interests() %}
        sum({{ shift_right('interest_mask', loop.index0) }} & 1) as users__{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from labelled
    group by segment_id
),

known_counted as (
    -- One row per segment and known interest (a few hundred rows at most).
    {%- for interest in known_interests() %}
    select
        segment_id,
        {{ sql_string(interest) }} as interest,
        users__{{ loop.index }}::bigint as users
    from known_counts
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

other_counted as (
    select
        segment_id,
        interest,
        count(*) as users
    from (
        select
            segment_id,
            {{ unnest_list('other_interests') }} as interest
        from labelled
        where other_interests is not null
    ) as others
    group by segment_id, interest
),

counted as (
    select
        segment_id,
        interest,
        users
    from known_counted
    where users > 0
    union all
    select
        segment_id,
        interest,
        users
    from other_counted
),

interests_seen as (
    select distinct interest from counted
),

grid as (
    select
        segments.segment_id,
        segments.segment_users,
        interests_seen.interest,
        coalesce(counted.users, 0) as users
    from segments
    cross join interests_seen
    left join counted
        on
            segments.segment_id = counted.segment_id
            and interests_seen.interest = counted.interest
),

scored as (
    select
        grid.segment_id,
        grid.interest,
        grid.users,
        grid.users / grid.segment_users as share_in_segment,
        sum(grid.users) over (partition by grid.interest)::bigint as interest_users,
        population.population_users
    from grid
    cross join population
),

final as (
    select
        segment_id,
        interest,
        users,
        share_in_segment,
        interest_users as population_users,
        interest_users / population_users as population_share,
        share_in_segment / (interest_users / population_users) * 100 as index_vs_population,
        users < {{ segmentation_settings()['min_cell_users'] }} as is_small_cell,
        row_number() over (
            partition by segment_id
            order by
                users < {{ segmentation_settings()['min_cell_users'] }},
                share_in_segment / (interest_users / population_users) desc,
                users desc,
                interest asc
        )::bigint as rank_in_segment,
        '{{ invocation_id }}' as run_id
    from scored
)

select * from final
