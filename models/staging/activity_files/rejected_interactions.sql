{#- The quarantine of the interactions log: every rejected event record with its raw text and
    all its reasons: the value checks, the exact duplicates
    (base_interactions__duplicates) and the records that could not be split. -#}

-- noqa: disable=LT02
with

value_rejects as (
    select
        source_row_number,
        {%- for header, name in log_columns('interactions') %}
        raw_{{ name }}::varchar as raw_{{ name }},
        {%- endfor %}
        null::varchar as raw_line,
        row_reasons as rejection_reasons
    from {{ ref('base_interactions__checked') }}
    where row_reasons is not null
),

duplicates as (
    -- Valid values: their raw text is their typed values (times as UTC instants).
    select
        checked.source_row_number,
        checked.user_id::varchar as raw_user_id,
        checked.event_time::varchar as raw_event_time,
        checked.event_type as raw_event_type,
        checked.channel as raw_channel,
        checked.category as raw_category,
        null::varchar as raw_line,
        [duplicates.duplicate_reason] as rejection_reasons
    from {{ ref('base_interactions__checked') }} as checked
    inner join {{ ref('base_interactions__duplicates') }} as duplicates
        on checked.source_row_number = duplicates.source_row_number
),

malformed as (
    select
        source_row_number,
        {%- for header, name in log_columns('interactions') %}
        null::varchar as raw_{{ name }},
        {%- endfor %}
        raw_line,
        rejection_reasons
    from {{ ref('base_interactions__malformed') }}
),

all_rejected as (
    select * from value_rejects
    union all
    select * from duplicates
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
