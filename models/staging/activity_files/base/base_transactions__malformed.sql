{{ config(materialized='view') }}
{#- Records of the transactions log that could not be split into its columns (none for Parquet or
    without the log), each with its quarantine reason. -#}

with

malformed as (
    select * from {{ source('activity_files', 'transactions_malformed') }}
),

final as (
    {{ malformed_record_rows('malformed') }}
)

select * from final
