{#- The quarantine: every rejected record with its raw text, read again from the input for
    these rows only (the checked table does not store the raw text of every record). -#}
with

parsed as (
    select
        source_row_number,
        raw_line,
        rejection_reasons
    from {{ ref('base_user_profiles__checked') }}
    where not is_valid
),

records as (
    select * from {{ ref('base_user_profiles__records') }}
),

raw_values as (
    select records.*
    from records
    semi join parsed on records.source_row_number = parsed.source_row_number
),

final as (
    select
        parsed.source_row_number,
        {%- for header, name in input_columns() %}
            raw_values.raw_{{ name }}::string as raw_{{ name }},
        {%- endfor %}
        parsed.raw_line,
        parsed.rejection_reasons,
        {{ rejection_codes('parsed.rejection_reasons') }} as rejection_codes,
        {{ rejection_summary('parsed.rejection_reasons') }} as rejection_summary
    from parsed
    left join raw_values on parsed.source_row_number = raw_values.source_row_number
)

select * from final
