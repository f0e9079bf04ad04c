{% macro typed_user_rows(relation) -%}
    {#- The input rows of `relation` (raw_* text columns) with typed and canonical values.
        Used for every row once, and again for the few rows whose User ID repeats.
        Interests: a bitmask of the known ones plus a list of the others. Text written exactly
        as the public format writes it (`A, B, C`, known, each once) takes a fast path; any
        other text is split on commas, trimmed and case-folded. -#}
    select
        * exclude (interest_positions, canonical_mask, interests_are_canonical, cleaned_interests),
        case
            when interests_are_canonical then canonical_mask
            else {{ positions_to_mask(known_interest_positions('cleaned_interests')) }}
        end as interest_mask,
        -- The case keeps the list work off canonical rows (they have no other interests).
        case
            when not interests_are_canonical then nullif(list_sort(list_filter(
                cleaned_interests,
                lambda item: list_position({{ known_interests_literal() }}, item) is null
            )), [])
        end as other_interests
    from (
        select
            *,
            case when not interests_are_canonical then {{ cleaned_interests_sql('raw_top_interests') }} end
                as cleaned_interests
        from (
            select
                *,
                -- Every item known, each once: the mask has one bit per item.
                coalesce(
                    list_count(interest_positions) = len(interest_positions)
                    and bit_count(canonical_mask) = len(interest_positions),
                    false
                ) as interests_are_canonical
            from (
                select
                    *,
                    {{ positions_to_mask('interest_positions') }} as canonical_mask
                from (
                    select
                        source_row_number,
                        {%- for header, name in input_columns() %}
                        raw_{{ name }},
                        {%- endfor %}
                        {{ parse_number('raw_user_id') }} as user_id_number,
                        {%- for dimension in profile_levels() %}
                        {{ canonical_level('raw_' ~ dimension, dimension) }} as {{ dimension }},
                        {%- endfor %}
                        {%- for column, minimum, maximum, whole, hint in numeric_checks() %}
                        {{ parse_number('raw_' ~ column) }} as {{ column }},
                        {%- endfor %}
                        {{ known_interest_positions("string_split(raw_top_interests, ', ')") }} as interest_positions
                    from {{ relation }}
                )
            )
        )
    )
{%- endmacro %}

{% macro known_interest_positions(items_sql) -%}
    {#- 1-based positions of the items in known_interests(); null for an item that is not one. -#}
    list_transform({{ items_sql }}, lambda item: list_position({{ known_interests_literal() }}, item))
{%- endmacro %}

{% macro known_interests_literal() -%}
    {#- The known interests as a list literal, four a line. -#}
    [
    {%- for batch in known_interests() | batch(4) %}
    {%- set outer = loop %}
        {% for interest in batch %}'{{ interest }}'{{ ', ' if not (loop.last and outer.last) }}{% endfor %}
    {%- endfor %}
    ]
{%- endmacro %}

{% macro positions_to_mask(positions_sql) -%}
    coalesce(list_aggregate(
        list_transform(list_filter({{ positions_sql }}, lambda position: position is not null),
            lambda position: (1 << (position - 1))::integer),
        'bit_or'
    ), 0)
{%- endmacro %}

{% macro cleaned_interests_sql(raw_sql) -%}
    {#- The general path: split on commas, trim, match known interests ignoring case, keep
        unknown ones as written (trimmed), drop empty items, de-duplicate. -#}
    list_distinct(list_filter(
        list_transform(
            string_split(coalesce({{ raw_sql }}, ''), ','),
            -- A map lookup, not a CASE: CASE inside a lambda is ~10x slower in DuckDB.
            lambda item: coalesce(
                {{ interest_lookup() }}[lower({{ clean_text('item') }})],
                {{ clean_text('item') }}
            )
        ),
        lambda item: item <> ''
    ))
{%- endmacro %}

{% macro interests_from_mask(mask_sql, other_sql) -%}
    {#- The interest list back from the bitmask and the other interests, sorted. -#}
    list_sort(list_concat(
        list_filter(
            {{ known_interests_literal() }},
            lambda interest: ({{ mask_sql }} >> (list_position(
                {{ known_interests_literal() }}, interest) - 1)) & 1 = 1
        ),
        coalesce({{ other_sql }}, [])
    ))
{%- endmacro %}

{% macro record_version() -%}
    {#- A fingerprint of a typed record's values (raw text where a value did not type), to tell
        identical copies of a user id from conflicting ones. -#}
    md5(concat_ws(
        '|',
        {%- for dimension in profile_levels() %}
        coalesce({{ dimension }}::varchar, lower({{ clean_text('raw_' ~ dimension) }})),
        {%- endfor %}
        {%- for column, minimum, maximum, whole, hint in numeric_checks() %}
        coalesce({{ column }}::varchar, raw_{{ column }}::varchar),
        {%- endfor %}
        interest_mask::varchar,
        array_to_string(other_interests, ',')
    ))
{%- endmacro %}
