{{ config(materialized='view') }}
{#- Renames: the records of the user's file (var input_path) that split into the header's
    columns, as text, read in SQL with the expression the user_file plugin wrote into its
    manifest: data_row_number (1-based among these records) and raw_<name> per column of
    vars.input_format. Empty when there is no input file (the seed is read instead). On Spark
    the file is Parquet, read in place (user_file_records). -#}
{%- set manifest = source('user_file', 'input_manifest') %}

-- noqa: disable=LT02
with

{%- if input_path() == '' %}

final as (
    select
        null::bigint as data_row_number,
        {%- for header, name in input_columns() %}
        null::string as raw_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
)
{%- else %}

final as (
    {{ user_file_records(manifest) }}
)
{%- endif %}

select * from final
