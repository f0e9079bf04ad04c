{% macro sql_string(value) -%}
    {#- A SQL string literal of any value: quotes doubled, so data never becomes SQL. -#}
    '{{ (value | string) | replace("'", "''") }}'
{%- endmacro %}

{% macro sql_long_string(value, width=100) -%}
    {#- sql_string() of a long text, written as chunks of `width` characters joined with ||, so a
        compiled model keeps readable lines; the value is the same text. -#}
    {%- set text = value | string -%}
    {%- set chunks = [] -%}
    {%- for start in range(0, [text | length, 1] | max, width) -%}
        {%- do chunks.append(sql_string(text[start:start + width])) -%}
    {%- endfor -%}
    ({{ chunks | join('\n        || ') }})
{%- endmacro %}
