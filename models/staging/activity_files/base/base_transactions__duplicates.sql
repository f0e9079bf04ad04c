{{ config(materialized='table') }}
{#- Repeated order ids among the orders whose values are valid. Copies with the same values
    (user, time, amount, currency, category): the first is kept, the repeats are
    `exact_duplicate`. Copies that differ: every one is `conflicting_order_id` (which one is
    right cannot be told). Usually empty. -#}

-- noqa: disable=LT02
with

valid_orders as not materialized (
    -- Read twice (the ids, then the repeated orders): re-read, never copied.
    select
        source_row_number,
        order_id,
        hash(user_id, order_time, amount, currency, category) as version
    from {{ ref('base_transactions__checked') }}
    where row_reasons is null
),

repeated_ids as (
    select
        order_id,
        count(distinct version) as versions,
        min(source_row_number) as first_row_number,
        string_agg(source_row_number::varchar, ', ' order by source_row_number) as row_list
    from valid_orders
    group by order_id
    having count(*) > 1
),

final as (
    select
        valid_orders.source_row_number,
        case
            when repeated_ids.versions > 1
                then {
                    'column': 'order_id',
                    'code': 'conflicting_order_id',
                    'detail': 'order_id ' || valid_orders.order_id || ' has different values in rows '
                    || repeated_ids.row_list || '; every copy is quarantined'
                }
            else {
                'column': 'record',
                'code': 'exact_duplicate',
                'detail': 'repeats row ' || repeated_ids.first_row_number || ' exactly; the first copy is kept'
            }
        end as duplicate_reason
    from valid_orders
    inner join repeated_ids on valid_orders.order_id = repeated_ids.order_id
    where repeated_ids.versions > 1 or valid_orders.source_row_number > repeated_ids.first_row_number
)

select * from final
