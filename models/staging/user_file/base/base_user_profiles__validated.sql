{{ config(materialized='view') }}
{#- Value checks: every typed record with the reasons its own values cannot be used (missing,
    not a number, out of range, unknown level); null when there are none. An empty interest
    list is valid (no interests).
    Repeated user ids are checked apart, in base_user_profiles__duplicates. -#}

with

typed as (
    select * from {{ ref('base_user_profiles__typed') }}
),

final as (
    select
        *,
        {{ user_id_from_number('user_id_number') }} as user_id,
        {{ value_rejection_reasons() }} as row_reasons
    from typed
)

select * from final
