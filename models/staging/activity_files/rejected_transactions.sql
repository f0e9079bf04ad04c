{#- The quarantine of the transactions log: every rejected order record with its raw text and
    all its reasons (value checks, exact duplicates, order ids repeated with other
    values, records that could not be split). -#}

-- noqa: disable=LT02
with

rejected as (
    {{ rejected_log_rows(
        'transactions',
        ref('base_transactions__checked'),
        ref('base_transactions__duplicates'),
        ref('base_transactions__file_records'),
        ref('base_transactions__malformed')
    ) }}
),

malformed as (
    select
        source_row_number,
        {%- for header, name in log_columns('transactions') %}
        null::string as raw_{{ name }},
        {%- endfor %}
        raw_line,
        rejection_reasons
    from {{ ref('base_transactions__malformed') }}
),

all_rejected as (
    select * from rejected
    union all
    select * from malformed
),

final as (
    select
        *,
        {{ rejection_codes('rejection_reasons') }} as rejection_codes,
        {{ rejection_summary('rejection_reasons') }} as rejection_summary
    from all_rejected
)

select * from final
