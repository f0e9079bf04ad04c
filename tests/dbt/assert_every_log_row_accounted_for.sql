-- Nothing lost in the activity logs: every record of the event and the order file is in
-- exactly one of stg_<log> and rejected_<log>. With the record numbers unique on each side
-- (their unique tests), that holds when the two sides are disjoint, their numbers lie in
-- 1 .. the records the plugin read (split ones plus malformed ones) and their counts add up
-- to it (0 for a log not given). Cheaper at 50 million events than counting the distinct numbers of both together.
{{ config(severity='error') }}

-- noqa: disable=LT02
with

{%- for log, stg_key in [('interactions', 'event_id'), ('transactions', 'source_row_number')] %}

{{ log }}_valid as (
    select {{ stg_key }} as source_row_number from {{ ref('stg_' ~ log) }}
),

{{ log }}_rejected as (
    select source_row_number from {{ ref('rejected_' ~ log) }}
),

{{ log }}_check as (
    select
        '{{ log }}' as log,
        {%- if log_path(log) != '' %}
        ({{ user_file_row_count(source('activity_files', log ~ '_manifest'), log_path(log)) }}) as rows_in_file,
        {%- else %}
        0 as rows_in_file,
        {%- endif %}
        (select count(*) from {{ log }}_valid) + (select count(*) from {{ log }}_rejected) as accounted_rows,
        (select count(*) from {{ log }}_rejected as rejected
            semi join {{ log }}_valid as valid on rejected.source_row_number = valid.source_row_number) as in_both,
        least(
            (select min(source_row_number) from {{ log }}_valid),
            (select min(source_row_number) from {{ log }}_rejected)
        ) as first_row,
        greatest(
            (select max(source_row_number) from {{ log }}_valid),
            (select max(source_row_number) from {{ log }}_rejected)
        ) as last_row
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
        or in_both > 0
        or first_row < 1
        or last_row > rows_in_file
)

select * from final
