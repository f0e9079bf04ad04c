with

parsed as (
    select * from {{ ref('stg_user_profiles__parsed') }}
),

final as (
    select
        parsed.source_row_number,
        {%- for header, name in input_columns() %}
            raw_{{ name }},
        {%- endfor %}
        parsed.raw_line,
        parsed.rejection_reasons,
        list_transform(parsed.rejection_reasons, lambda reason: reason.code) as rejection_codes,
        array_to_string(
            list_transform(parsed.rejection_reasons, lambda reason: reason.column || ': ' || reason.detail),
            '; '
        ) as rejection_summary
    from parsed
    where not parsed.is_valid
)

select * from final
