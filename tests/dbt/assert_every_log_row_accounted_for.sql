-- Nothing lost in the activity logs: every record of the event and the order file is in
-- exactly one of stg_<log> and rejected_<log>. The record numbers of the two tables together
-- are 1 .. the records the plugin read (split ones plus malformed ones), each once.
{{ config(severity='error') }}

-- noqa: disable=LT02
with

{%- for log, stg_key in [('interactions', 'event_id'), ('transactions', 'source_row_number')] %}

{{ log }}_numbers as (
    select {{ stg_key }} as source_row_number from {{ ref('stg_' ~ log) }}
    union all
    select source_row_number from {{ ref('rejected_' ~ log) }}
),

{{ log }}_read as (
    select coalesce(sum(rows_read + malformed_records), 0) as rows_in_file
    from {{ source('activity_files', log ~ '_manifest') }}
),

{{ log }}_check as (
    select
        '{{ log }}' as log,
        {{ log }}_read.rows_in_file,
        count(numbers.source_row_number) as accounted_rows,
        count(distinct numbers.source_row_number) as distinct_rows,
        coalesce(min(numbers.source_row_number), 1) as first_row,
        coalesce(max(numbers.source_row_number), {{ log }}_read.rows_in_file) as last_row
    from {{ log }}_read
    left join {{ log }}_numbers as numbers on true
    group by {{ log }}_read.rows_in_file
),
{%- endfor %}

checks as (
    select * from interactions_check
    union all
    select * from transactions_check
),

final as (
    select *
    from checks
    where
        accounted_rows <> rows_in_file
        or distinct_rows <> rows_in_file
        or (rows_in_file > 0 and (first_row <> 1 or last_row <> rows_in_file))
)

select * from final
