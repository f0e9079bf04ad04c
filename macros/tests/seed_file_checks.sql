{#- Checks of a seed's own file, reported by its row: each failing row of these tests is one
    sentence `seeds/<file>.csv row N (line L): ...` (row 1 = the first row under the header,
    line = the line in the file). They read the CSV itself (read_csv ... with ordinality),
    so the row numbers are the file's whatever order the seed was loaded in (on Spark, the
    loaded seed: spark__seed_file_rows). -#}

{% macro seed_file_path(model) %}
    {#- The seed's file, relative to the project root (dbt runs from there). -#}
    {%- if not execute -%}{{ return('seeds/' ~ model.identifier ~ '.csv') }}{%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'seed' and model.identifier in [node.alias, node.name] -%}
        {{ return(node.original_file_path) }}
    {%- endfor -%}
    {%- do exceptions.raise_compiler_error('seed_file_checks: ' ~ model ~ ' is not a seed') -%}
{% endmacro %}

{% macro seed_file_rows(model, column_name) -%}
    {#- (row_number, value as text, trimmed) of the seed's file. -#}
    {{ return(adapter.dispatch('seed_file_rows', 'user_segmentation')(model, column_name)) }}
{%- endmacro %}

{% macro duckdb__seed_file_rows(model, column_name) -%}
    select
        ordinality as row_number,
        nullif(trim({{ adapter.quote(column_name) }}), '') as value
    from read_csv({{ sql_string(seed_file_path(model)) }}, header = true, all_varchar = true) with ordinality
{%- endmacro %}

{% macro spark__seed_file_rows(model, column_name) -%}
    {#- Spark reads the seed as loaded (a Connect server has no access to the project's files):
        its rows, repeats and blanks included (spark__dedupe_seed_rows keeps them), numbered in
        load order, which is the file's for a seed dbt-spark inserts in one batch (the small
        seeds these tests are on); a repeat or a blank is found whatever the order. -#}
    select
        row_number() over (order by monotonically_increasing_id()) as row_number,
        nullif(trim(cast({{ adapter.quote(column_name) }} as string)), '') as value
    from {{ model }}
{%- endmacro %}

{% test seed_file_unique(model, column_name) %}
    {#- Every value of column_name at most once in the file: a repeat names both rows. -#}
    {%- set file = seed_file_path(model) -%}
    with

    file_rows as (
        {{ seed_file_rows(model, column_name) }}
    ),

    numbered as (
        select
            row_number,
            value,
            min(row_number) over (partition by coalesce(try_cast(value as bigint)::string, value)) as first_row
        from file_rows
        where value is not null
    )

    select
        {{ sql_string(file) }} || ' row ' || row_number || ' (line ' || (row_number + 1) || '): '
        || '{{ column_name }} ' || value || ' repeats row ' || first_row
        || ' (each {{ column_name }} may appear once; delete one of the two rows)' as problem
    from numbered
    where row_number > first_row
{% endtest %}

{% test seed_file_not_blank(model, column_name) %}
    {#- column_name filled in on every row of the file. -#}
    {%- set file = seed_file_path(model) -%}
    with

    file_rows as (
        {{ seed_file_rows(model, column_name) }}
    )

    select
        {{ sql_string(file) }} || ' row ' || row_number || ' (line ' || (row_number + 1) || '): '
        || '{{ column_name }} is blank (fill it in or delete the row)' as problem
    from file_rows
    where value is null
{% endtest %}

{% test seed_file_values_exist(model, column_name, to, field) %}
    {#- Every value of column_name in the file is a value of to.field: a row naming an unknown
        one (which would be ignored silently) is reported. -#}
    {%- set file = seed_file_path(model) -%}
    with

    file_rows as (
        {{ seed_file_rows(model, column_name) }}
    ),

    known as (
        select distinct {{ field }}::string as value from {{ to }}
    ),

    known_list as (
        select
            {{ ordered_text_agg('value', "', '", 'try_cast(value as bigint), value') }} as values_list
        from known
    )

    select
        {{ sql_string(file) }} || ' row ' || file_rows.row_number || ' (line ' || (file_rows.row_number + 1) || '): '
        || '{{ column_name }} ' || file_rows.value || ' is not a segment of this segmentation (its {{ column_name }}s: '
        || coalesce(known_list.values_list, 'none') || '); the row is ignored' as problem
    from file_rows
    cross join known_list
    where
        file_rows.value is not null
        and coalesce(try_cast(file_rows.value as bigint)::string, file_rows.value) not in (select value from known)
{% endtest %}

{% macro dedupe_seed_rows(key_column, blank_columns=[]) %}
    {#- Seed post-hook: at most one row per key_column (the first loaded), blank texts as null,
        so a model joining the seed cannot get two rows per key even when the file is bad
        (its tests, seed_file_unique and seed_file_not_blank, stop `dbt build` first). -#}
    {{ return(adapter.dispatch('dedupe_seed_rows', 'user_segmentation')(key_column, blank_columns)) }}
{% endmacro %}

{% macro duckdb__dedupe_seed_rows(key_column, blank_columns=[]) %}
    delete from {{ this }}
    where rowid not in (select min(rowid) from {{ this }} group by {{ adapter.quote(key_column) }});
    {%- for column in blank_columns %}
    update {{ this }} set {{ adapter.quote(column) }} = null where trim({{ adapter.quote(column) }}) = '';
    {%- endfor %}
{% endmacro %}

{% macro spark__dedupe_seed_rows(key_column, blank_columns=[]) %}
    {#- Spark's Parquet tables take no delete or update, and a table cannot be overwritten from
        itself: the seed keeps the file's rows, and its tests (seed_file_unique,
        seed_file_not_blank, severity error) stop `dbt build` before any reader. -#}
    select 1 as seed_rows_kept_as_loaded
{% endmacro %}
