{% test unique_combination(model, columns) %}
    {#- No two rows share the same values in `columns` (our own: dbt Hub packages are not used). -#}
    select
        {{ columns | join(', ') }},
        count(*) as copies
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
