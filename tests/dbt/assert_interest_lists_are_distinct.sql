-- stg_user_interests is unique on (user_id, interest), and interest is never null or empty,
-- by construction: user_id is unique, known interests are bits of interest_mask (each at
-- most once) and other_interests holds each other interest once and no known one. This
-- checks the construction on the stored rows (cheap: only rows with other interests are
-- looked at) instead of grouping every user x interest pair, which costs more than the rest
-- of staging at 10 million users.
with

parsed as (
    select
        source_row_number,
        other_interests
    from {{ ref('base_user_profiles__checked') }}
    where other_interests is not null
),

final as (
    select
        source_row_number,
        other_interests
    from parsed
    where
        len(other_interests) = 0
        or len(list_distinct(other_interests)) <> len(other_interests)
        or list_has_any(other_interests, {{ known_interests_literal() }})
        or list_contains(other_interests, '')
        or list_count(other_interests) <> len(other_interests)
)

select * from final
