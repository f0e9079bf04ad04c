-- Every valid user has exactly one segment, and every labelled user is a valid user.
with

users as (select user_id from {{ ref('stg_user_profiles') }}),

labels as (
    select
        user_id,
        segment_id
    from {{ ref('int_segment_assignments') }}
),

per_user as (
    select
        users.user_id,
        count(labels.segment_id) as segments
    from users
    left join labels on users.user_id = labels.user_id
    group by users.user_id
),

final as (
    select
        user_id,
        segments
    from per_user
    where segments <> 1
    union all
    select
        labels.user_id,
        null as segments
    from labels
    anti join users on labels.user_id = users.user_id
)

select * from final
