{% test unique_by_sorting(model, column_name) %}
    {#- The same check as dbt's `unique` (one row per repeated value with its count), found by
        sorting instead of grouping: a value repeats exactly when it equals the previous value
        in sorted order. Used on the tables with a row per user: they are stored in id order,
        and DuckDB sorts pre-sorted keys about three times faster than it groups 10 million
        distinct keys (README "Performance"); on shuffled keys the two cost about the same. -#}
    with

    ordered as (
        select
            {{ column_name }} as unique_field,
            lag({{ column_name }}) over (order by {{ column_name }}) as previous_value
        from {{ model }}
        where {{ column_name }} is not null
    )

    select
        unique_field,
        count(*) + 1 as n_records
    from ordered
    where unique_field = previous_value
    group by unique_field
{% endtest %}
