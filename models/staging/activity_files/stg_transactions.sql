{{ config(materialized='view') }}
{#- The valid orders: one row per order id, from the records whose values are valid and whose
    order id is not repeated with other values. Orders of users who are not in the profiles are
    kept (the reconciliation counts them); the activity features read only the profiles' users. -#}

with

checked as (
    select * from {{ ref('base_transactions__checked') }}
),

duplicates as (
    select * from {{ ref('base_transactions__duplicates') }}
),

final as (
    select
        checked.order_id,
        checked.source_row_number,
        checked.user_id,
        checked.order_time,
        checked.order_local_time,
        checked.amount,
        checked.currency,
        checked.category
    from checked
    anti join duplicates on checked.source_row_number = duplicates.source_row_number
    where checked.row_reasons is null
)

select * from final
