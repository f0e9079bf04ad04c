-- At most vars.max_rejected_share of the input rows are rejected (warn by default; set
-- vars.max_rejected_share_severity: error to stop the build). The failing row says how many
-- of how many rows were rejected and the most common reasons (see rejected_user_profiles).
-- It reads only base_user_profiles__checked, so with `error` every model after it is skipped.
{{ config(severity=segmentation_settings()['max_rejected_share_severity'] | upper, store_failures=true) }}
{%- set max_share = segmentation_settings()['max_rejected_share'] %}

with

checked as (
    select * from {{ ref('base_user_profiles__checked') }}
),

counts as (
    select
        count(*) as input_rows,
        count(*) filter (where not is_valid) as rejected_rows
    from checked
),

reasons as (
    select {{ unnest_list("rejection_reasons") }} as reason
    from checked
    where not is_valid
),

reason_counts as (
    select
        reason['column'] || ': ' || reason['code'] as reason_text,
        count(*) as rows_with_reason
    from reasons
    group by reason_text
),

ranked as (
    select
        reason_text,
        rows_with_reason,
        row_number() over (order by rows_with_reason desc, reason_text asc) as reason_rank
    from reason_counts
),

top_reasons as (
    select
        {{ ordered_text_agg("reason_text || ' (' || rows_with_reason || ' rows)'", "'; '", 'reason_rank') }}
            as top_reasons
    from ranked
    where reason_rank <= 3
),

final as (
    select
        counts.rejected_rows || ' of ' || counts.input_rows || ' input rows were rejected ('
        || round(100.0 * counts.rejected_rows / counts.input_rows, 1)
        || '%, above vars.max_rejected_share = {{ max_share }}). Top reasons: '
        || coalesce(top_reasons.top_reasons, 'none') || '. See rejected_user_profiles.' as problem
    from counts
    cross join top_reasons
    where counts.rejected_rows > counts.input_rows * {{ max_share }}
)

select * from final
