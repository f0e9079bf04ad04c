{{ config(materialized='view') }}
{#- Records of the transactions log that could not be split into its columns (none for Parquet or
    without the log), each with its quarantine reason. -#}

{#- The source is read inside the macro, not in an import CTE: Spark resolves every CTE, used or
    not, and has no such source table. -#}
{%- set malformed = source('activity_files', 'transactions_malformed') %}

with

final as (
    {{ malformed_record_rows(malformed, log_path('transactions')) }}
)

select * from final
