{% test unique_combination_of_columns(model, combination_of_columns) %}
    {#- No two rows share the same values in `combination_of_columns`: the test of
        dbt_utils.unique_combination_of_columns, with its name and arguments, written here
        because dbt Hub packages are not used. -#}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as copies
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
