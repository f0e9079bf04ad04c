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
    '''' || left({{ raw_sql }}, 60) || case when length({{ raw_sql }}) > 60 then '…' else '' end || ''''
{%- endmacro %}

{% macro numeric_reasons(column, minimum=none, maximum=none, whole=false, hint='') -%}
    {#- missing / not a number / not whole / below minimum / above maximum for one numeric column. -#}
    {{ rejection_reason('raw_' ~ column ~ ' is null or ' ~ clean_text('raw_' ~ column) ~ " = ''", column, 'missing_value', "'missing'") }},
    {{ rejection_reason(clean_text('raw_' ~ column) ~ " <> '' and (" ~ column ~ ' is null or not isfinite(' ~ column ~ '))',
        column, 'not_a_number', "'not a number: ' || " ~ quoted_value('raw_' ~ column)) }},
    {%- if whole %}
    {{ rejection_reason(column ~ ' is not null and isfinite(' ~ column ~ ') and ' ~ column ~ ' <> floor(' ~ column ~ ')',
        column, 'not_a_whole_number', "'not a whole number: ' || " ~ quoted_value('raw_' ~ column)) }},
    {%- endif %}
    {%- if minimum is not none %}
    {{ rejection_reason(column ~ ' < ' ~ minimum, column,
        'negative' if minimum == 0 else 'out_of_range',
        "'below " ~ minimum ~ ": ' || " ~ quoted_value('raw_' ~ column)) }},
    {%- endif %}
    {%- if maximum is not none %}
    {{ rejection_reason('isfinite(' ~ column ~ ') and ' ~ column ~ ' > ' ~ maximum, column, 'out_of_range',
        "'above " ~ maximum ~ ": ' || " ~ quoted_value('raw_' ~ column) ~ (" || '" ~ hint ~ "'" if hint else '')) }},
    {%- endif %}
{%- endmacro %}

{% macro clean_text(value_sql) -%}
    {#- Trim spaces, tabs and line breaks (plain trim() only removes spaces). -#}
    trim({{ value_sql }}, E' \t\r\n')
{%- endmacro %}
