{#- The input format, read from its one declaration: vars.input_format and
    vars.feature_catalog in dbt_project.yml (Python reads the same vars with
    user_segmentation.input_format; tests/python/test_input_format.py keeps them equal). -#}

{% macro input_columns() %}
    {#- (header in the file, column name after staging), in the file's order. -#}
    {%- set columns = [] -%}
    {%- for column in var('input_format')['columns'] -%}
        {%- do columns.append((column['header'], column['name'])) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro profile_levels() %}
    {#- dimension -> levels in their natural order (the order number is the position). -#}
    {%- set levels = {} -%}
    {%- for dimension, spec in var('input_format')['levels'].items() -%}
        {%- do levels.update({dimension: spec['levels']}) -%}
    {%- endfor -%}
    {{ return(levels) }}
{% endmacro %}

{% macro band_bounds() %}
    {#- Numeric bounds of the ordered bands; none = open-ended. -#}
    {{ return(var('input_format')['bands']) }}
{% endmacro %}

{% macro known_interests() %}
    {#- The known interests, in the bit order of interest_mask. -#}
    {{ return(var('input_format')['interests']) }}
{% endmacro %}

{% macro numeric_checks() %}
    {#- The numeric columns and their rules: (column, minimum, maximum, whole, hint). -#}
    {%- set checks = [] -%}
    {%- for column, rule in var('input_format')['numeric_columns'].items() -%}
        {%- do checks.append((column, rule.get('min'), rule.get('max'), rule.get('whole', false), rule.get('hint', ''))) -%}
    {%- endfor -%}
    {{ return(checks) }}
{% endmacro %}

{% macro numeric_features() %}
    {#- Every feature that may be clustered on -> [high label, low label] (segment names): the
        profile features, and with an activity log the activity features (feature_catalog()). -#}
    {%- set features = {} -%}
    {%- for name, spec in feature_catalog().items() -%}
        {%- do features.update({name: [spec['high'], spec['low']]}) -%}
    {%- endfor -%}
    {{ return(features) }}
{% endmacro %}

{% macro feature_catalog() %}
    {#- name -> {label, unit, decimals, high, low}: vars.feature_catalog; with an activity log
        also vars.activity_feature_catalog and one category_share__<slug> per category of
        int_activity_categories (activity_categories()). -#}
    {%- set catalog = {} -%}
    {%- do catalog.update(var('feature_catalog')) -%}
    {%- if activity_enabled() -%}
        {%- do catalog.update(var('activity_feature_catalog')) -%}
        {%- for category, slug in activity_categories() -%}
            {%- do catalog.update({'category_share__' ~ slug: {
                'label': 'Share of events in ' ~ category, 'unit': 'share of events', 'decimals': 2,
                'high': 'Mostly ' ~ category, 'low': 'Little ' ~ category, 'inputs': ['event_categories'],
            }}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(catalog) }}
{% endmacro %}

{% macro canonical_level(column_sql, dimension) -%}
    {#- The level as the dimension's ENUM (level_type), matched after trimming and ignoring case;
        null if unknown (duckdb__ / spark__ variants). Exact spellings take the fast path: a cast to the ENUM is a dictionary
        lookup (about 25x cheaper than a CASE over the levels at millions of rows); only the
        rest are trimmed, case-folded and matched against the lower-case spellings. -#}
    {{ return(adapter.dispatch('canonical_level', 'user_segmentation')(column_sql, dimension)) }}
{%- endmacro %}

{% macro duckdb__canonical_level(column_sql, dimension) -%}
    coalesce(
        try_cast({{ column_sql }} as {{ level_type(dimension) }}),
        (case lower({{ clean_text(column_sql) }})
            {%- for batch in profile_levels()[dimension] | batch(3) %}
            {% for level in batch %}when '{{ level | lower }}' then '{{ level }}'{{ ' ' if not loop.last }}{% endfor %}
            {%- endfor %}
        end)::{{ level_type(dimension) }}
    )
{%- endmacro %}

{% macro spark__canonical_level(column_sql, dimension) -%}
    {#- Spark has no ENUM: the canonical spelling as text, matched after trimming and ignoring case. -#}
    case lower({{ clean_text(column_sql) }})
        {%- for batch in profile_levels()[dimension] | batch(3) %}
        {% for level in batch %}when '{{ level | lower }}' then '{{ level }}'{{ ' ' if not loop.last }}{% endfor %}
        {%- endfor %}
    end
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

{% macro interest_lookup() -%}
    {#- MAP literal from the lower-case spelling of each known interest to its canonical one. -#}
    {%- set pairs = [] -%}
    {%- for interest in known_interests() -%}
        {%- do pairs.append(("'" ~ (interest | lower) ~ "'", "'" ~ interest ~ "'")) -%}
    {%- endfor -%}
    {{ map_of(pairs) }}
{%- endmacro %}

{% macro level_type(dimension) -%}
    {#- The DuckDB ENUM of a dimension's levels, in their natural order: stored as a small
        integer (cheap to write and group at millions of rows), read and compared as text,
        sorted in the natural order (`65+` after `55-64`, `100k+` after `80k-100k`). On Spark,
        which has no ENUM, text (sort by level_order there). -#}
    {{ return(adapter.dispatch('level_type', 'user_segmentation')(dimension)) }}
{%- endmacro %}

{% macro duckdb__level_type(dimension) -%}
    enum({%- for level in profile_levels()[dimension] %}'{{ level }}'{{ ', ' if not loop.last }}{%- endfor %})
{%- endmacro %}

{% macro spark__level_type(dimension) -%}
    string
{%- endmacro %}
