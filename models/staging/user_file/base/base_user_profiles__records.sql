{{ config(materialized='view') }}
{#- Every data record of the input that has its columns, once, as text: the embedded seed, or
    the user's file with each record numbered as in the file (malformed CSV records are not
    here, see base_user_profiles__malformed, but the others keep their numbers around them).
    Columns: source_row_number (1-based, header excluded) and raw_<name> per input column.
    Only the branch that var input_path selects is rendered, so the DAG has the edge that this
    build uses: from the seed, or from the file (then the seed's models are built beside it
    and no longer hold up the chain of the file's records). -#}

-- noqa: disable=LT02
with

{%- if input_path() == '' %}

final as (
    select * from {{ ref('base_user_profiles__seed_records') }}
)
{%- else %}

final as (
    {{ numbered_around_malformed(
        ref('base_user_profiles__file_records'), ref('base_user_profiles__malformed')
    ) }}
)
{%- endif %}

select * from final
