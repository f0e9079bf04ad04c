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
        {{ list_length('other_interests') }} = 0
        or {{ list_length(distinct_list('other_interests')) }} <> {{ list_length('other_interests') }}
        or {{ lists_overlap('other_interests', known_interests_literal()) }}
        or {{ list_contains_item('other_interests', "''") }}
        or {{ non_null_count('other_interests') }} <> {{ list_length('other_interests') }}
)

select * from final
