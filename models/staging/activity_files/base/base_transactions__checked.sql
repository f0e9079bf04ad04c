{{ config(materialized='table') }}
{#- Every order record of the transactions log (var transactions_path) that splits into its
    columns, once, typed, with the reasons its own values cannot be used (null when there are
    none): the user id, the order id, the order time (order_time the UTC instant,
    order_local_time as written) and the amount (>= 0; a decimal comma was read as a point).
    No raw text: rejected_transactions reads the rejected records' text back from the file.
    Repeated order ids are checked apart, in base_transactions__duplicates; malformed records
    in rejected_transactions. -#}

{%- set file_records = ref('base_transactions__file_records') %}
{%- set malformed = ref('base_transactions__malformed') %}

-- noqa: disable=LT02
with

records as (
    -- Numbered as in the file: each record's number counts the malformed ones before it.
    {{ log_numbered_records('transactions', file_records, malformed) }}
),

typed as (
    select
        *,
        {{ parse_number('raw_user_id') }} as user_id_number,
        nullif({{ clean_text('raw_order_id') }}, '') as order_id,
        {{ iso_time_text('cast(raw_order_time as ' ~ dbt.type_string() ~ ')') }} as order_time_text,
        {{ parse_number('raw_amount') }} as amount,
        upper({{ canonical_label('raw_currency') }}) as currency,
        {{ canonical_label('raw_category') }} as category
    from records
),

timed as (
    select
        *,
        {{ instant_utc('order_time_text') }} as order_time
    from typed
),

validated as (
    select
        *,
        {{ wall_clock('order_time_text', 'order_time') }} as order_local_time,
        {{ user_id_from_number('user_id_number') }} as user_id,
        case
            when {{ is_whole_number('user_id_number') }}
                and order_id is not null
                and {{ is_finite_time('order_time') }}
                and order_time <= current_timestamp::timestamp
                and {{ numeric_is_valid('amount', minimum=0) }}
                then null
            else {{ reason_list(
                user_id_reasons()
                + [rejection_reason('order_id is null', 'order_id', 'missing_value', "'missing'")]
                + time_reasons('order_time')
                + numeric_reasons('amount', minimum=0)
            ) }}
        end as row_reasons
    from timed
),

final as (
    select
        source_row_number,
        user_id,
        order_id,
        order_time,
        order_local_time,
        amount,
        currency,
        category,
        row_reasons
    from validated
)

select * from final
