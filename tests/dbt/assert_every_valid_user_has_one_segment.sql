-- Every valid user has exactly one segment, and every labelled user is a valid user.
-- user_id is unique and not null on both sides (their own tests), so the two sets of users
-- are the same when their counts and their fingerprints agree. The fingerprint is the sum of
-- a 64-bit hash of every id, added exactly (macro exact_hash_sum) and so independent of row order: two
-- different sets agree only by a 1-in-2^64 accident. It replaces an inner join of the two
-- sides, which was the slowest test at 10 million users (1.5 s against 0.1 s for two scans).
with

users as (
    select
        count(*) as user_count,
        {{ exact_hash_sum(['user_id']) }} as id_fingerprint
    from {{ ref('stg_user_profiles') }}
),

labels as (
    select
        count(*) as user_count,
        {{ exact_hash_sum(['user_id']) }} as id_fingerprint,
        count(*) filter (where segment_id is null) as unlabelled_users
    from {{ ref('int_segment_assignments') }}
),

final as (
    select
        users.user_count as valid_users,
        labels.user_count as labelled_users,
        labels.unlabelled_users,
        users.id_fingerprint = labels.id_fingerprint as same_user_ids
    from users
    cross join labels
    where
        users.user_count <> labels.user_count
        or users.id_fingerprint <> labels.id_fingerprint
        or labels.unlabelled_users > 0
)

select * from final
