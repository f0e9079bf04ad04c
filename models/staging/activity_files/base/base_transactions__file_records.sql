{{ config(materialized='view') }}
{#- Renames: the records of the transactions log that split into its columns, as text, read in SQL
    with the expression the user_file plugin wrote into its manifest: data_row_number (1-based
    among these records) and raw_<name> per column of vars.log_formats. No rows without the log. -#}
{%- set manifest = source('activity_files', 'transactions_manifest') %}

-- noqa: disable=LT02
with

final as (
    {{ log_file_records('transactions', manifest) }}
)

select * from final
