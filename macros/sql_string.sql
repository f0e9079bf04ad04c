{% macro sql_string(value) -%}
    {#- A SQL string literal of any value: quotes doubled, so data never becomes SQL. -#}
    '{{ (value | string) | replace("'", "''") }}'
{%- endmacro %}
