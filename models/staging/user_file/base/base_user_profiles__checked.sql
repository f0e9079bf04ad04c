{{ config(materialized='table') }}
{#- Every input record exactly once, typed, with every reason it cannot be used: the value
    checks, the duplicate checks and the malformed CSV records together. stg_user_profiles
    (valid) and rejected_user_profiles (quarantine) are both cut from this one table by
    is_valid, so "nothing lost" is a count. The one stored copy of every record: valid rows
    carry no reasons (null, not an empty list) and no raw text. -#}
{%- set typed_columns = ['user_id'] + (profile_levels().keys() | list)
    + (numeric_checks() | map(attribute=0) | list) + ['interest_mask', 'other_interests'] %}

-- noqa: disable=LT02
with

validated as (
    select * from {{ ref('base_user_profiles__validated') }}
),

duplicates as (
    select * from {{ ref('base_user_profiles__duplicates') }}
),

malformed as (
    select * from {{ ref('base_user_profiles__malformed') }}
),

checked_records as (
    select
        validated.source_row_number,
        null::string as raw_line,
        {%- for column in typed_columns %}
        validated.{{ column }},
        {%- endfor %}
        case
            when duplicates.duplicate_reason is null then validated.row_reasons
            else {{ append_to_list('validated.row_reasons', 'duplicates.duplicate_reason') }}
        end as rejection_reasons
    from validated
    left join duplicates
        on validated.source_row_number = duplicates.source_row_number
),

malformed_records as (
    select
        source_row_number,
        raw_line,
        null::bigint as user_id,
        {%- for dimension in profile_levels() %}
        null::{{ level_type(dimension) }} as {{ dimension }},
        {%- endfor %}
        {%- for column, minimum, maximum, whole, hint in numeric_checks() %}
        null::double as {{ column }},
        {%- endfor %}
        null::integer as interest_mask,
        null::{{ list_type('string') }} as other_interests,
        rejection_reasons
    from malformed
),

all_records as (
    select * from checked_records
    union all
    select * from malformed_records
),

final as (
    select
        *,
        rejection_reasons is null as is_valid
    from all_records
)

select * from final
