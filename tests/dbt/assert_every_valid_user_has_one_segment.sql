-- Every valid user has exactly one segment, and every labelled user is a valid user.
-- user_id is unique and not null on both sides (their own tests), so equal counts and an
-- inner join as large as either side mean the two sets of users are the same.
with

users as (select user_id from {{ ref('stg_user_profiles') }}),

labels as (
    select
        user_id,
        segment_id
    from {{ ref('int_segment_assignments') }}
),

counts as (
    select
        (select count(*) from users) as valid_users,
        (select count(*) from labels) as labelled_users,
        (
            select count(*)
            from labels
            where segment_id is null
        ) as unlabelled_users,
        (
            select count(*)
            from users
            inner join labels on users.user_id = labels.user_id
        ) as matched_users
),

final as (
    select
        valid_users,
        labelled_users,
        unlabelled_users,
        matched_users
    from counts
    where
        valid_users <> labelled_users
        or valid_users <> matched_users
        or unlabelled_users > 0
)

select * from final
