{#- Write, audit, publish: dbt builds into the build warehouse (DuckDB: a file of its own,
    python/user_segmentation/publish.py; Spark: a schema of its own, spark_publish.py); the
    previous publication is read from the published warehouse (DuckDB: attached read-only as
    `published`; Spark: the views of the target's published_schema). -#}

{% macro published_relation(identifier) %}
    {#- The relation `identifier` as the last published build left it, or none (first build, or
        the table did not exist then). Models read their previous state here, never from the
        build file, which may hold a failed build's tables. -#}
    {%- if execute and target.get('published_schema') -%}
        {{ return(adapter.get_relation(database=none, schema=target.published_schema, identifier=identifier)) }}
    {%- elif execute and target.type == 'duckdb' -%}
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
        skipped; otherwise say why not. Each engine's variant publishes, or returns why not. -#}
    {%- if execute and flags.WHICH in ['build', 'run', 'seed', 'test'] -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list -%}
        {%- set skipped = results | selectattr('status', 'equalto', 'skipped') | list -%}
        {%- set said = adapter.dispatch('publish_build', 'user_segmentation')(failed | length, skipped | length) -%}
        {%- if said.startswith('Published') -%}
            {%- do log(said, info=true) -%}
        {%- elif said -%}
            {%- do exceptions.warn(said) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{% macro spark__publish_build(failures, skipped) %}
    {#- Spark: the segmentation_spark plugin publishes every model and seed of the project as
        views in the target's published_schema (python/user_segmentation/spark_publish.py). -#}
    {%- set relations = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ['model', 'seed'] and node.package_name == project_name
        and node.config.enabled and node.config.materialized != 'ephemeral' -%}
        {%- set kind = 'seed' if node.resource_type == 'seed'
            else ('view' if node.config.materialized == 'view' else 'table') -%}
        {%- do relations.append([node.schema, node.alias, kind]) -%}
    {%- endfor -%}
    {{ return(adapter.publish_build(relations, failures, skipped, invocation_id)) }}
{% endmacro %}

{% macro duckdb__publish_build(failures, skipped) %}
    {#- DuckDB: the build file is checkpointed, then the plugin renames it over the published
        one (python/user_segmentation/publish.py). No plugin function: nothing to say. -#}
    {%- set functions = run_query(
        "select count(*) from duckdb_functions() where function_name = 'segmentation_publish'"
    ).rows[0][0] -%}
    {%- if functions | int == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- do run_query('checkpoint') -%}
    {{ return(run_query('select segmentation_publish(' ~ failures ~ ', ' ~ skipped ~ ')').rows[0][0]) }}
{% endmacro %}

{% macro append_to_published(rows, key=none) %}
    {#- The body of an append-only table: its rows as the last published build left them, then
        `rows` (a CTE of this build's rows), matched by column name (a history written before a
        column existed gets nulls in it). With `key`, this build adds only the rows whose key is
        not published yet. -#}
    {%- set history = published_relation(this.identifier) -%}
    {%- if history is not none %}
    {{ union_history_by_name(history, rows) | trim }}
    {%- else %}
    select * from {{ rows }}
    {%- endif %}
    {%- if history is not none and key is not none %}
    where {{ rows }}.{{ key }} not in (select published_rows.{{ key }} from {{ history }} as published_rows)
    {%- endif %}
{%- endmacro %}

{% macro union_history_by_name(history, rows) %}
    {#- history's rows, then those of the CTE `rows`, matched by column name; a column history
        lacks is null. Spark has no `union all by name`: both sides list the model's contract
        columns, in its order. -#}
    {{ return(adapter.dispatch('union_history_by_name', 'user_segmentation')(history, rows)) }}
{% endmacro %}

{% macro duckdb__union_history_by_name(history, rows) -%}
    select * from {{ history }}
    union all by name
    select * from {{ rows }}
{%- endmacro %}

{% macro spark__union_history_by_name(history, rows) %}
    {%- set have = adapter.get_columns_in_relation(history) | map(attribute='name') | map('lower') | list %}
    select
        {%- for column in model.columns.values() %}
        {% if column.name | lower in have -%}
        {{ column.name }}
        {%- else -%}
        cast(null as {{ spark_type(column.data_type) }}) as {{ column.name }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ history }}
    union all
    select
        {%- for column in model.columns.values() %}
        {{ rows }}.{{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ rows }}
{%- endmacro %}
