{#- The quarantine of the interactions log: every rejected event record with its raw text and
    all its reasons: the value checks, the exact duplicates
    (base_interactions__duplicates) and the records that could not be split. -#}

-- noqa: disable=LT02
with

rejected as (
    {{ rejected_log_rows(
        'interactions',
        ref('base_interactions__checked'),
        ref('base_interactions__duplicates'),
        ref('base_interactions__file_records'),
        ref('base_interactions__malformed')
    ) }}
),

malformed as (
    select
        source_row_number,
        {%- for header, name in log_columns('interactions') %}
        null::string as raw_{{ name }},
        {%- endfor %}
        raw_line,
        rejection_reasons
    from {{ ref('base_interactions__malformed') }}
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
