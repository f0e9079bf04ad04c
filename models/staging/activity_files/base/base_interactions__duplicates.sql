{{ config(materialized='table') }}
{#- Exact duplicates among the events whose values are valid: the same user, instant, type,
    channel and category as an earlier record. The first copy is kept, each repeat is
    quarantined with its reason. Candidates are found by a hash of the values (one pass, no
    sort of every event); only they are compared value by value. Usually empty. -#}

with

valid_events as {{ not_materialized() }} (
    -- Read twice (the hashes, then the candidates): re-read, never copied.
    select
        source_row_number,
        user_id,
        event_time,
        event_type,
        channel,
        category,
        {{ values_hash(['user_id', 'event_time', 'event_type', 'channel', 'category']) }} as value_hash
    from {{ ref('base_interactions__checked') }}
    where row_reasons is null
),

repeated_hashes as (
    select value_hash
    from valid_events
    group by value_hash
    having count(*) > 1
),

candidates as (
    select valid_events.*
    from valid_events
    semi join repeated_hashes on valid_events.value_hash = repeated_hashes.value_hash
),

numbered as (
    select
        source_row_number,
        row_number() over (
            partition by user_id, event_time, event_type, channel, category
            order by source_row_number
        ) as copy_number,
        min(source_row_number) over (
            partition by user_id, event_time, event_type, channel, category
        ) as first_row_number
    from candidates
),

final as (
    select
        source_row_number,
        {{ struct_of([
            ('column', "'record'"),
            ('code', "'exact_duplicate'"),
            ('detail', "'repeats row ' || cast(first_row_number as " ~ dbt.type_string() ~ ") || ' exactly; the first copy is kept'"),
        ]) }} as duplicate_reason
    from numbered
    where copy_number > 1
)

select * from final
