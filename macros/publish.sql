{#- Write, audit, publish (python/user_segmentation/publish.py): dbt builds into the build
    warehouse; the previous publication is attached read-only as `published`. -#}

{% macro published_relation(identifier) %}
    {#- The relation `identifier` as the last published build left it, or none (first build, or
        the table did not exist then). Models read their previous state here, never from the
        build file, which may hold a failed build's tables. On Spark (no publication yet): none. -#}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set attached = run_query(
            "select count(*) from duckdb_databases() where database_name = 'published'"
        ).rows[0][0] -%}
        {%- if attached | int > 0 -%}
            {{ return(adapter.get_relation(database='published', schema=target.schema, identifier=identifier)) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}

{% macro publish_build() %}
    {#- on-run-end: publish this build when it is a full `dbt build` and nothing failed or was
        skipped; otherwise say why not. The build file is checkpointed first, so the renamed file
        holds every change. -#}
    {{ return(adapter.dispatch('publish_build', 'user_segmentation')()) }}
{% endmacro %}

{% macro spark__publish_build() %}
    {#- Spark (issue 16, in progress): the tables are written in place in the target schema;
        write, audit, publish is not there yet, and the log says so. -#}
    {%- if execute and flags.WHICH in ['build', 'run', 'seed', 'test'] -%}
        {%- do exceptions.warn('Spark target: tables were written in place in schema ' ~ target.schema
            ~ ' (write, audit, publish runs on DuckDB only for now).') -%}
    {%- endif -%}
{% endmacro %}

{% macro duckdb__publish_build() %}
    {%- if execute and flags.WHICH in ['build', 'run', 'seed', 'test'] -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list -%}
        {%- set skipped = results | selectattr('status', 'equalto', 'skipped') | list -%}
        {%- set functions = run_query(
            "select count(*) from duckdb_functions() where function_name = 'segmentation_publish'"
        ).rows[0][0] -%}
        {%- if functions | int > 0 -%}
            {%- do run_query('checkpoint') -%}
            {%- set said = run_query(
                'select segmentation_publish(' ~ (failed | length) ~ ', ' ~ (skipped | length) ~ ')'
            ).rows[0][0] -%}
            {%- if said.startswith('Published') -%}
                {%- do log(said, info=true) -%}
            {%- else -%}
                {%- do exceptions.warn(said) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{% macro append_to_published(rows, key=none) %}
    {#- The body of an append-only table: its rows as the last published build left them, then
        `rows` (a CTE of this build's rows), matched by column name (a history written before a
        column existed gets nulls in it). With `key`, this build adds only the rows whose key is
        not published yet. -#}
    {%- set history = published_relation(this.identifier) -%}
    {%- if history is not none %}
    select * from {{ history }}
    union all by name
    {%- endif %}
    select * from {{ rows }}
    {%- if history is not none and key is not none %}
    where {{ rows }}.{{ key }} not in (select published_rows.{{ key }} from {{ history }} as published_rows)
    {%- endif %}
{%- endmacro %}
