{{ config(materialized='view') }}
{#- Renames: the embedded seed raw_user_profiles (the default input), one row per record, as
    text: source_row_number (1-based) and raw_<name> per column of vars.input_format. -#}

-- noqa: disable=LT02
with

seed_rows as (
    select * from {{ ref('raw_user_profiles') }}
),

final as (
    select
        {{ row_number_in_read_order() }} as source_row_number,
        {%- for header, name in input_columns() %}
        {{ adapter.quote(header) }} as raw_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from seed_rows
)

select * from final
