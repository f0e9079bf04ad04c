{{ config(materialized='view') }}
{#- CSV records of the user's file that could not be split into the header's columns (none for
    the seed or Parquet), each with its quarantine reason. -#}

{#- The source is read inside the macro, not in an import CTE: Spark resolves every CTE, used or
    not, and has no such source table. -#}
{%- set malformed = source('user_file', 'malformed_records') %}

with

final as (
    {{ malformed_record_rows(malformed, input_path()) }}
)

select * from final
