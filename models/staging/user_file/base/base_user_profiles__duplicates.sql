{{ config(materialized='view') }}
{#- De-duplication: the records whose user id appears more than once, each with its reason.
    Identical copies: the first is kept, the repeats are `exact_duplicate`. Copies that differ:
    every one is `conflicting_duplicate`. Reads the repeated records, typed
    (base_user_profiles__repeated). -#}

-- noqa: disable=LT02
with

repeated_typed as (
    select * from {{ ref('base_user_profiles__repeated') }}
),

versions as (
    -- A version is one set of values (unknown levels compared as written, case-folded).
    select
        source_row_number,
        user_id_number::bigint as user_id,
        {{ record_version() }} as version
    from repeated_typed
),

summary as (
    select
        user_id,
        count(distinct version) as versions,
        min(source_row_number) as first_row_number,
        {{ ordered_text_agg('source_row_number::string', "', '", 'source_row_number') }} as row_list
    from versions
    group by user_id
),

final as (
    select
        versions.source_row_number,
        versions.user_id,
        case
            when summary.versions > 1
                then {{ struct_of([
                    ('column', "'user_id'"),
                    ('code', "'conflicting_duplicate'"),
                    ('detail', "'user_id ' || versions.user_id || ' has different values in rows '
                        || summary.row_list || '; every copy is quarantined'"),
                ]) }}
            else {{ struct_of([
                ('column', "'user_id'"),
                ('code', "'exact_duplicate'"),
                ('detail', "'repeats row ' || summary.first_row_number || ' exactly; the first copy is kept'"),
            ]) }}
        end as duplicate_reason
    from versions
    inner join summary on versions.user_id = summary.user_id
    where summary.versions > 1 or versions.source_row_number > summary.first_row_number
)

select * from final
