{{ config(materialized='table') }}
{#- One row per activity log (events, orders): where every record went. Records in the file,
    valid and rejected ones (valid + rejected = in the file: tested), valid records of users
    who are not in the profiles (kept in staging, not in any feature), valid records after
    as_of (kept, not counted), and the records the activity features count; the profile users
    with and without such records. Both rows exist, with zeros, when a log is not given. -#}

-- noqa: disable=LT02
with

profile_users as (
    select user_id from {{ ref('stg_user_profiles') }}
),

window_bounds as (
    select * from {{ ref('int_activity_window') }}
),

{%- for log, time_column in [('interactions', 'event_time'), ('transactions', 'order_time')] %}

{{ log }}_per_user as (
    -- Per user first (a grouped aggregate spills to disk; distinct counts over every record
    -- at once did not fit the memory limit at 500 million events).
    select
        user_id,
        count(*) as valid_rows,
        count(*) filter (
            where {{ time_column }} > (select window_bounds.as_of from window_bounds)
        ) as rows_after_as_of
    from {{ ref('stg_' ~ log) }}
    group by user_id
),

{{ log }}_summary as (
    select
        '{{ log }}' as activity_log,
        {{ sql_string(log_path(log)) }} as input_path,
        coalesce(sum(per_user.valid_rows), 0)::bigint as valid_rows,
        (select count(*) from {{ ref('rejected_' ~ log) }})::bigint as rejected_rows,
        coalesce(sum(per_user.valid_rows) filter (where profile_users.user_id is null), 0)::bigint
            as unknown_user_rows,
        count(*) filter (where profile_users.user_id is null)::bigint as unknown_users,
        coalesce(sum(per_user.rows_after_as_of) filter (where profile_users.user_id is not null), 0)::bigint
            as rows_after_as_of,
        coalesce(
            sum(per_user.valid_rows - per_user.rows_after_as_of) filter (where profile_users.user_id is not null), 0
        )::bigint as counted_rows,
        count(*) filter (
            where profile_users.user_id is not null and per_user.valid_rows > per_user.rows_after_as_of
        )::bigint as profile_users_with_rows,
        (select count(all_profile_users.user_id) from profile_users as all_profile_users)::bigint as profile_users
    from {{ log }}_per_user as per_user
    left join profile_users on per_user.user_id = profile_users.user_id
),
{%- endfor %}

combined as (
    select * from interactions_summary
    union all
    select * from transactions_summary
),

final as (
    select
        activity_log,
        nullif(input_path, '') as input_path,
        -- Every record is valid or rejected, never both (assert_every_log_row_accounted_for
        -- checks this sum against the records the plugin read).
        valid_rows + rejected_rows as rows_in_file,
        valid_rows,
        rejected_rows,
        unknown_user_rows,
        unknown_users,
        rows_after_as_of,
        counted_rows,
        profile_users_with_rows,
        profile_users - profile_users_with_rows as profile_users_without_rows
    from combined
)

select * from final
