{{ config(materialized='table') }}
{#- Repeated order ids among the orders whose values are valid. Copies with the same values
    (user, time, amount, currency, category): the first is kept, the repeats are
    `exact_duplicate`. Copies that differ: every one is `conflicting_order_id` (which one is
    right cannot be told). Usually empty. -#}

-- noqa: disable=LT02
with

valid_orders as {{ not_materialized() }} (
    -- Read twice (the ids, then the repeated orders): re-read, never copied.
    select
        source_row_number,
        order_id,
        {{ values_hash(['user_id', 'order_time', 'amount', 'currency', 'category']) }} as version
    from {{ ref('base_transactions__checked') }}
    where row_reasons is null
),

repeated_ids as (
    -- The ids first: the row lists below are built for these few ids only.
    select order_id
    from valid_orders
    group by order_id
    having count(*) > 1
),

repeated_orders as (
    select valid_orders.*
    from valid_orders
    semi join repeated_ids on valid_orders.order_id = repeated_ids.order_id
),

summary as (
    select
        order_id,
        count(distinct version) as versions,
        min(source_row_number) as first_row_number,
        {{ ordered_text_agg('source_row_number::string', "', '", 'source_row_number') }} as row_list
    from repeated_orders
    group by order_id
),

final as (
    select
        repeated_orders.source_row_number,
        case
            when summary.versions > 1
                then {{ struct_of([
                    ('column', "'order_id'"),
                    ('code', "'conflicting_order_id'"),
                    ('detail', "'order_id ' || repeated_orders.order_id || ' has different values in rows '
                    || summary.row_list || '; every copy is quarantined'"),
                ]) }}
            else {{ struct_of([
                ('column', "'record'"),
                ('code', "'exact_duplicate'"),
                ('detail', "'repeats row ' || cast(summary.first_row_number as " ~ dbt.type_string() ~ ") || ' exactly; the first copy is kept'"),
            ]) }}
        end as duplicate_reason
    from repeated_orders
    inner join summary on repeated_orders.order_id = summary.order_id
    where summary.versions > 1 or repeated_orders.source_row_number > summary.first_row_number
)

select * from final
