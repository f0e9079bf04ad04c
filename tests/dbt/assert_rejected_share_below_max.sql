-- At most vars.max_rejected_share of the input rows are rejected (warn by default; set
-- vars.max_rejected_share_severity: error to stop the build). The failing row says how many
-- of how many rows were rejected and the most common reasons (see rejected_user_profiles).
-- It reads only base_user_profiles__checked, so with `error` every model after it is skipped.
{{ config(severity=segmentation_settings()['max_rejected_share_severity'] | upper, store_failures=true) }}

with

checked as (
    select count(*) as input_rows, count(*) filter (where not is_valid) as rejected_rows
    from {{ ref('base_user_profiles__checked') }}
),

reasons as (
    select
        reason.column || ': ' || reason.code as reason,
        count(*) as rows_with_reason
    from (select unnest(rejection_reasons) as reason from {{ ref('base_user_profiles__checked') }} where not is_valid)
    group by all
),

top_reasons as (
    select string_agg(reason || ' (' || rows_with_reason || ' rows)', '; ' order by rows_with_reason desc, reason)
        as top_reasons
    from (select * from reasons order by rows_with_reason desc, reason limit 3)
)

select
    checked.rejected_rows || ' of ' || checked.input_rows || ' input rows were rejected ('
    || round(100.0 * checked.rejected_rows / checked.input_rows, 1) || '%, above vars.max_rejected_share = '
    || {{ segmentation_settings()['max_rejected_share'] }} || '). Top reasons: '
    || coalesce(top_reasons.top_reasons, 'none') || '. See rejected_user_profiles.' as problem
from checked
cross join top_reasons
where checked.rejected_rows > checked.input_rows * {{ segmentation_settings()['max_rejected_share'] }}
