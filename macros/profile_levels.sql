{#- The public format's columns and category levels: the SQL side's single source.
    python/user_segmentation/schema.py holds the same lists; a pytest test keeps them equal. -#}

{% macro input_columns() %}
    {{ return([
        ('User ID', 'user_id'),
        ('Age', 'age'),
        ('Gender', 'gender'),
        ('Location', 'location'),
        ('Language', 'language'),
        ('Education Level', 'education_level'),
        ('Likes and Reactions', 'likes_and_reactions'),
        ('Followed Accounts', 'followed_accounts'),
        ('Device Usage', 'device_usage'),
        ('Time Spent Online (hrs/weekday)', 'weekday_hours_online'),
        ('Time Spent Online (hrs/weekend)', 'weekend_hours_online'),
        ('Click-Through Rates (CTR)', 'click_through_rate'),
        ('Conversion Rates', 'conversion_rate'),
        ('Ad Interaction Time (sec)', 'ad_interaction_seconds'),
        ('Income Level', 'income_level'),
        ('Top Interests', 'top_interests'),
    ]) }}
{% endmacro %}

{% macro profile_levels() %}
    {#- dimension -> levels in their natural order (the order number is the position). -#}
    {{ return({
        'age': ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'],
        'gender': ['Female', 'Male'],
        'location': ['Urban', 'Suburban', 'Rural'],
        'language': ['English', 'Spanish', 'Mandarin', 'Hindi'],
        'education_level': ['High School', 'Technical', 'Bachelor', 'Master', 'PhD'],
        'device_usage': ['Desktop Only', 'Mobile Only', 'Mobile + Desktop', 'Tablet'],
        'income_level': ['0-20k', '20k-40k', '40k-60k', '60k-80k', '80k-100k', '100k+'],
    }) }}
{% endmacro %}

{% macro band_bounds() %}
    {#- Numeric bounds of the ordered bands; none = open-ended. -#}
    {{ return({
        'age': {
            '18-24': [18, 24], '25-34': [25, 34], '35-44': [35, 44],
            '45-54': [45, 54], '55-64': [55, 64], '65+': [65, none],
        },
        'income_level': {
            '0-20k': [0, 20000], '20k-40k': [20000, 40000], '40k-60k': [40000, 60000],
            '60k-80k': [60000, 80000], '80k-100k': [80000, 100000], '100k+': [100000, none],
        },
    }) }}
{% endmacro %}

{% macro canonical_level(column_sql, dimension) -%}
    {#- The level as the dimension's ENUM (level_type), matched after trimming and ignoring case;
        null if unknown. Exact spellings take the fast path: a cast to the ENUM is a dictionary
        lookup (about 25x cheaper than a CASE over the levels at millions of rows); only the
        rest are trimmed and case-folded. -#}
    coalesce(
        try_cast({{ column_sql }} as {{ level_type(dimension) }}),
        (case lower({{ clean_text(column_sql) }})
            {%- for level in profile_levels()[dimension] %}
            when '{{ level | lower }}' then '{{ level }}'
            {%- endfor %}
        end)::{{ level_type(dimension) }}
    )
{%- endmacro %}

{% macro level_order(canonical_sql, dimension) -%}
    case {{ canonical_sql }}
        {%- for level in profile_levels()[dimension] %}
        when '{{ level }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}

{% macro band_bound(canonical_sql, dimension, which) -%}
    {#- which: 0 = lower bound, 1 = upper bound -#}
    case {{ canonical_sql }}
        {%- for level, bounds in band_bounds()[dimension].items() %}
        when '{{ level }}' then {{ bounds[which] if bounds[which] is not none else 'null' }}
        {%- endfor %}
    end
{%- endmacro %}

{% macro known_interests() %}
    {{ return([
        'Data Science', 'DIY Crafts', 'Digital Marketing', 'Eco-Friendly Living',
        'Fashion Modelling', 'Fitness and Wellness', 'Gaming', 'Gardening',
        'Gourmet Cooking', 'Investing and Finance', 'Music Production', 'Pet Care',
        'Photography', 'Reading and Literature', 'Software Engineering', 'Travel and Adventure',
    ]) }}
{% endmacro %}

{% macro interest_lookup() -%}
    {#- MAP literal from the lower-case spelling of each known interest to its canonical one. -#}
    map {
        {%- for interest in known_interests() %}
        '{{ interest | lower }}': '{{ interest }}'{{ ',' if not loop.last }}
        {%- endfor %}
    }
{%- endmacro %}

{% macro level_type(dimension) -%}
    {#- The DuckDB ENUM of a dimension's levels, in their natural order: stored as a small
        integer (cheap to write and group at millions of rows), read and compared as text,
        sorted in the natural order (`65+` after `55-64`, `100k+` after `80k-100k`). -#}
    enum({%- for level in profile_levels()[dimension] %}'{{ level }}'{{ ', ' if not loop.last }}{%- endfor %})
{%- endmacro %}
