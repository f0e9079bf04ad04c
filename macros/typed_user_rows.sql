{% macro typed_user_rows(relation) -%}
    {#- The input rows of `relation` (raw_* text columns) with typed and canonical values.
        Used for every row once, and again for the few rows whose User ID repeats.
        Interests: a bitmask of the known ones plus a list of the others. Text written exactly
        as the public format writes it (`A, B, C`, known, each once) takes a fast path; any
        other text is split on commas, trimmed and case-folded. -#}
    select
        {{ star_except(['interest_positions', 'canonical_mask', 'interests_are_canonical', 'cleaned_interests']) }},
        case
            when interests_are_canonical then canonical_mask
            else {{ positions_to_mask(known_interest_positions('cleaned_interests')) }}
        end as interest_mask,
        -- The case keeps the list work off canonical rows (they have no other interests).
        case
            when not interests_are_canonical then {{ null_if_empty(sorted_list(filter_list(
                'cleaned_interests', 'item',
                position_in_list(known_interests_literal(), 'item') ~ ' is null'
            ))) }}
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
                    {{ non_null_count('interest_positions') }} = {{ list_length('interest_positions') }}
                    and bit_count(canonical_mask) = {{ list_length('interest_positions') }},
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
                        {{ known_interest_positions(split_text('raw_top_interests', ', ')) }} as interest_positions
                    from {{ relation }}
                )
            )
        )
    )
{%- endmacro %}

{% macro known_interest_positions(items_sql) -%}
    {#- 1-based positions of the items in known_interests(); null for an item that is not one. -#}
    {{ transform_list(items_sql, 'item', position_in_list(known_interests_literal(), 'item')) }}
{%- endmacro %}

{% macro known_interests_literal() -%}
    {#- The known interests as a list literal. -#}
    {%- set quoted = [] -%}
    {%- for interest in known_interests() -%}{%- do quoted.append("'" ~ interest ~ "'") -%}{%- endfor -%}
    {{ list_of(quoted) }}
{%- endmacro %}

{% macro positions_to_mask(positions_sql) -%}
    coalesce({{ bit_or_of_list(transform_list(
        filter_list(positions_sql, 'position', 'position is not null'),
        'position', '(1 << (position - 1))::integer'
    )) }}, 0)
{%- endmacro %}

{% macro cleaned_interests_sql(raw_sql) -%}
    {#- The general path: split on commas, trim, match known interests ignoring case, keep
        unknown ones as written (trimmed), drop empty items, de-duplicate. -#}
    {#- A map lookup, not a CASE: CASE inside a lambda is ~10x slower in DuckDB. -#}
    {{ distinct_list(filter_list(
        transform_list(
            split_text('coalesce(' ~ raw_sql ~ ", '')", ','),
            'item',
            'coalesce(' ~ map_lookup(interest_lookup(), 'lower(' ~ clean_text('item') ~ ')') ~ ', ' ~ clean_text('item') ~ ')'
        ),
        'item', "item <> ''"
    )) }}
{%- endmacro %}

{% macro interests_from_mask(mask_sql, other_sql) -%}
    {#- The interest list back from the bitmask and the other interests, sorted. -#}
    {{ sorted_list(concat_lists(
        filter_list(
            known_interests_literal(), 'interest',
            shift_right(mask_sql, '(' ~ position_in_list(known_interests_literal(), 'interest') ~ ' - 1)') ~ ' & 1 = 1'
        ),
        'coalesce(' ~ other_sql ~ ', ' ~ empty_list('string') ~ ')'
    )) }}
{%- endmacro %}

{% macro record_version() -%}
    {#- A fingerprint of a typed record's values (raw text where a value did not type), to tell
        identical copies of a user id from conflicting ones. -#}
    md5(concat_ws(
        '|',
        {%- for dimension in profile_levels() %}
        coalesce({{ dimension }}::string, lower({{ clean_text('raw_' ~ dimension) }})),
        {%- endfor %}
        {%- for column, minimum, maximum, whole, hint in numeric_checks() %}
        coalesce({{ column }}::string, raw_{{ column }}::string),
        {%- endfor %}
        interest_mask::string,
        {{ join_list('other_interests', "','") }}
    ))
{%- endmacro %}
