{% macro duckdb__test_unique(model, column_name) %}
    {#- dbt's `unique` test on DuckDB, overriding dbt's default__test_unique (dispatch finds the
        root project's macros first). Same result, one row per repeated value with its count,
        found by sorting instead of grouping: a value repeats exactly when it equals the
        previous value in sorted order. Tables here are stored in id order, and DuckDB sorts
        pre-sorted keys about three times faster than it groups 10 million distinct keys
        (README "Performance"); on shuffled keys the two cost about the same. -#}
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
{% endmacro %}
