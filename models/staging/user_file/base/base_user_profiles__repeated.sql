{{ config(materialized='table') }}
{#- The records whose user id (a whole number) appears more than once in the input, typed
    (typed_user_rows, as in base_user_profiles__typed): what base_user_profiles__duplicates
    compares. Found from the ids alone, so only these few records are typed a second time. A
    table (usually empty, always small): its tests and base_user_profiles__duplicates read it
    instead of sorting every id again. -#}

with

-- Read twice (the ids, then the repeated records): re-read, never copied. Materialized, this
-- CTE would hold every record's text (6 s at 10 million records).
records as {{ not_materialized() }} (
    select * from {{ ref('base_user_profiles__records') }}
),

user_ids as (
    select {{ parse_number('raw_user_id') }} as user_id_number
    from records
),

repeated_ids as (
    -- An id repeats exactly when it equals the previous one in sorted order: sorting
    -- 10 million ids costs a third of grouping them (0.4 s against 1.1 s).
    select distinct user_id_number::bigint as user_id
    from (
        select
            user_id_number,
            lag(user_id_number) over (order by user_id_number) as previous_user_id_number
        from user_ids
        where {{ is_whole_number('user_id_number') }}
    ) as ordered_ids
    where user_id_number = previous_user_id_number
),

repeated_records as (
    select records.*
    from records
    semi join repeated_ids
        on {{ parse_number('records.raw_user_id') }} = repeated_ids.user_id
),

final as (
    {{ typed_user_rows('repeated_records') }}
)

select * from final
