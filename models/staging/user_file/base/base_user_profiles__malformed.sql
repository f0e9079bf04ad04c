{{ config(materialized='view') }}
{#- CSV records of the user's file that could not be split into the header's columns (none for
    the seed or Parquet), each with its quarantine reason. -#}

with

malformed as (
    select * from {{ source('user_file', 'malformed_records') }}
),

final as (
    {{ malformed_record_rows('malformed') }}
)

select * from final
