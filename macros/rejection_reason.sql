{% macro rejection_reason(condition, column, code, detail) -%}
    {#- One quarantine reason: a struct(column, code, detail) when `condition` holds, else null. -#}
    case when {{ condition }} then {
        'column': '{{ column }}',
        'code': '{{ code }}',
        'detail': {{ detail }}
    } end
{%- endmacro %}

{% macro quoted_value(raw_sql) -%}
    {#- A raw value for a message: quoted, cut to 60 characters. -#}
    '''' || left({{ raw_sql }}::varchar, 60) || case when length({{ raw_sql }}::varchar) > 60 then '…' else '' end || ''''
{%- endmacro %}

{% macro parse_number(raw_sql) -%}
    {#- text -> double; clean values skip the trim (the fast path at millions of rows). -#}
    coalesce(try_cast({{ raw_sql }} as double), try_cast({{ clean_text(raw_sql) }} as double))
{%- endmacro %}

{% macro is_blank(raw_sql) -%}
    ({{ raw_sql }} is null or {{ clean_text(raw_sql) }} = '')
{%- endmacro %}

{% macro numeric_reasons(column, minimum=none, maximum=none, whole=false, hint='') -%}
    {#- missing / not a number / not whole / below minimum / above maximum for one numeric column.
        Each condition tests the typed value first, so valid rows never reach the text checks. -#}
    {{ rejection_reason(column ~ ' is null and ' ~ is_blank('raw_' ~ column), column, 'missing_value', "'missing'") }},
    {{ rejection_reason('(' ~ column ~ ' is null and not ' ~ is_blank('raw_' ~ column) ~ ') or not isfinite(' ~ column ~ ')',
        column, 'not_a_number', "'not a number: ' || " ~ quoted_value('raw_' ~ column)) }},
    {%- if whole %}
    {{ rejection_reason(column ~ ' <> floor(' ~ column ~ ') and isfinite(' ~ column ~ ')',
        column, 'not_a_whole_number', "'not a whole number: ' || " ~ quoted_value('raw_' ~ column)) }},
    {%- endif %}
    {%- if minimum is not none %}
    {{ rejection_reason(column ~ ' < ' ~ minimum, column,
        'negative' if minimum == 0 else 'out_of_range',
        "'below " ~ minimum ~ ": ' || " ~ quoted_value('raw_' ~ column)) }},
    {%- endif %}
    {%- if maximum is not none %}
    {{ rejection_reason(column ~ ' > ' ~ maximum ~ ' and isfinite(' ~ column ~ ')', column, 'out_of_range',
        "'above " ~ maximum ~ ": ' || " ~ quoted_value('raw_' ~ column) ~ (" || '" ~ hint ~ "'" if hint else '')) }},
    {%- endif %}
{%- endmacro %}

{% macro clean_text(value_sql) -%}
    {#- Trim spaces, tabs and line breaks (plain trim() only removes spaces). -#}
    trim(cast({{ value_sql }} as varchar), E' \t\r\n')
{%- endmacro %}

{% macro numeric_is_valid(column, minimum=none, maximum=none, whole=false) -%}
    {#- True exactly when numeric_reasons() with the same arguments yields no reason. -#}
    ({{ column }} is not null and isfinite({{ column }})
    {%- if whole %} and {{ column }} = floor({{ column }}){% endif %}
    {%- if minimum is not none %} and {{ column }} >= {{ minimum }}{% endif %}
    {%- if maximum is not none %} and {{ column }} <= {{ maximum }}{% endif %})
{%- endmacro %}
