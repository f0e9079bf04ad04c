{{ config(materialized='view') }}
{#- Every data record of the input that has its columns, once, as text: the embedded seed, or
    the user's file with each record numbered as in the file (malformed CSV records are not
    here, see base_user_profiles__malformed, but the others keep their numbers around them).
    Columns: source_row_number (1-based, header excluded) and raw_<name> per input column. -#}
{%- set seed_records = ref('base_user_profiles__seed_records') %}
{%- set file_records = ref('base_user_profiles__file_records') %}
{%- set malformed = ref('base_user_profiles__malformed') %}

-- noqa: disable=LT02
with

{%- if input_path() == '' %}

final as (
    select * from {{ seed_records }}
)
{%- else %}

final as (
    {{ numbered_around_malformed(file_records, malformed) }}
)
{%- endif %}

select * from final
