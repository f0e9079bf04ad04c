{{ config(materialized='view') }}
{#- Casts: every input record with typed values. Numbers parsed from text, levels matched to
    their canonical ENUM (null when unknown), interests as a bitmask of the known ones plus a
    list of the others (macro typed_user_rows). The raw text stays beside the typed values
    for the checks that follow. -#}

with

records as (
    select * from {{ ref('base_user_profiles__records') }}
),

final as (
    {{ typed_user_rows('records') }}
)

select * from final
