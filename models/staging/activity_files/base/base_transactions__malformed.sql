{{ config(materialized='view') }}
{#- Records of the transactions log that could not be split into its columns (none for Parquet or
    without the log), each with its quarantine reason. -#}

with

malformed as (
    select * from {{ source('activity_files', 'transactions_malformed') }}
),

final as (
    select
        source_row_number,
        raw_line,
        [{
            'column': 'record',
            'code': 'malformed_record',
            'detail': lower(error_type) || ': ' || error_message
        }] as rejection_reasons
    from malformed
)

select * from final
