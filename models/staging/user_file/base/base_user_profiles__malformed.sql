{{ config(materialized='view') }}
{#- CSV records of the user's file that could not be split into the header's columns (none for
    the seed or Parquet), each with its quarantine reason. -#}

with

malformed as (
    select * from {{ source('user_file', 'malformed_records') }}
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
