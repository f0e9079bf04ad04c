{% macro feature_direction_label(feature_sql, z_sql) -%}
    {#- "High CTR" / "Low CTR" etc. for a numeric feature and the sign of its z. -#}
    case {{ feature_sql }}
        {%- for name, labels in numeric_features().items() %}
        when '{{ name }}' then case when {{ z_sql }} >= 0 then '{{ labels[0] }}' else '{{ labels[1] }}' end
        {%- endfor %}
    end
{%- endmacro %}

{% macro signed_number(value_sql, decimals=1) -%}
    {#- +1.2 / −0.4 with a real minus sign, for text read by people. -#}
    replace(printf('%+.{{ decimals }}f', {{ value_sql }}), '-', '−')
{%- endmacro %}

{% macro percent(value_sql, decimals=0) -%}
    printf('%.{{ decimals }}f%%', 100 * {{ value_sql }})
{%- endmacro %}
