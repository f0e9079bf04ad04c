{{ config(materialized='view') }}
{#- Renames: every data record of the input, once, as text. The input is the embedded seed
    raw_user_profiles or the user's file (var input_path, inspected by the user_file plugin,
    whose manifest says how to read it). Columns: source_row_number (1-based, header
    excluded) and raw_<name> per column of vars.input_format. -#}

{%- set manifest = source('user_file', 'input_manifest') %}
{%- set malformed = ref('base_user_profiles__malformed') %}

with

seed_rows as (
    select * from {{ ref('raw_user_profiles') }}
),

{%- if input_path() == '' %}

final as (
    select
        row_number() over () as source_row_number,
        {%- for header, name in input_columns() %}
            "{{ header }}" as raw_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from seed_rows
)
{%- else %}

final as (
    {{ user_file_rows(manifest, malformed) }}
)
{%- endif %}

select * from final
