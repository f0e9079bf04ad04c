-- A warning when a rate column looks like percentages: in most rejected rows its value is
-- above 1 (and at most 100), e.g. 5 meaning 5%. The rates are fractions 0-1.
{{ config(severity='warn', store_failures=true) }}

-- noqa: disable=LT02
with

rejected as (
    select * from {{ ref('rejected_user_profiles') }}
),

rates as (
    {%- for column in ['click_through_rate', 'conversion_rate'] %}
    select
        '{{ column }}' as rate_column,
        count(*) as rejected_rows,
        count(*) filter (
            where try_cast(replace(trim(raw_{{ column }}), ',', '.') as double) > 1
            and try_cast(replace(trim(raw_{{ column }}), ',', '.') as double) <= 100
        ) as rows_above_one
    from rejected
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    rate_column || ' looks like percentages: ' || rows_above_one || ' of ' || rejected_rows
    || ' rejected rows have a value above 1. Rates are fractions 0-1: divide the column by 100'
    || ' (e.g. 5 -> 0.05) and build again.' as problem
from rates
where rows_above_one > 0 and rows_above_one * 2 > rejected_rows
