{% macro spark__safe_cast(field, type) -%}
    {#- dbt-spark's safe_cast, plus one case: a list written the DuckDB way in a unit-test
        fixture ("['a', 'b']", what the project's fixtures use) becomes array('a', 'b'), so
        the same fixtures run on both engines. Every other cast is dbt-spark's own. -#}
    {%- set text = field | string -%}
    {%- if type.lower().startswith('array') and text.startswith("'[") and text.endswith("]'") -%}
        {%- set items = text[2:-2].replace("\\'", "'") -%}
cast(array({{ items }}) as {{ type }})
    {%- else -%}
{{ dbt_spark_safe_cast(field, type) }}
    {%- endif -%}
{%- endmacro %}

{% macro dbt_spark_safe_cast(field, type) -%}
    {#- dbt-spark 1.11's spark__safe_cast, unchanged: struct, array and map casts take the value
        unquoted (a Spark expression); other types cast the value as given. -#}
    {%- set field_clean = field.strip('"').strip("'") if (cast_from_string_unsupported_for(type) and field is string) else field -%}
cast({{ field_clean }} as {{ type }})
{%- endmacro %}
