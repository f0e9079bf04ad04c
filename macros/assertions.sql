{#- Build-stopping checks with plain messages (a failed check is a dbt error, not a traceback). -#}

{% macro assert_valid_users_exist(relation) %}
    {%- if execute -%}
        {%- set counts = run_query(
            'select (select count(*) from ' ~ relation ~ '), (select count(*) from '
            ~ ref('base_user_profiles__checked') ~ ')'
        ).rows[0] -%}
        {%- if counts[0] | int == 0 -%}
            {%- set source_name = input_path() if input_path() != '' else 'the embedded seed raw_user_profiles' -%}
            {%- do exceptions.raise_compiler_error(
                'No valid users in ' ~ source_name ~ ': all ' ~ counts[1] ~ ' input rows were rejected'
                ~ ' (or the file has no data rows). See the table rejected_user_profiles for the reasons.'
            ) -%}
        {%- endif -%}
    {%- endif -%}
    {#- Renders no SQL: an empty hook is skipped (a `select 1` would leave an open result
        that DuckDB 2.0 refuses to run the next statement past). -#}
{% endmacro %}

{% macro clustering_k_high() %}
    {%- set settings = segmentation_settings() -%}
    {%- set k = settings['k'] | string | trim | lower -%}
    {{ return(settings['k_max'] | int if k in ['auto', '', 'none'] else k | int) }}
{% endmacro %}

{% macro assert_enough_users_for_clustering() %}
    {#- Stop before the Python step, with the numbers, when the data cannot hold the k asked for. -#}
    {%- if execute -%}
        {#- The fit sample holds every valid user up to its size, which is far above k + 1. -#}
        {%- set matrix = ref('int_fit_sample') -%}
        {%- set z_columns = [] -%}
        {%- for column in adapter.get_columns_in_relation(matrix) if column.name.startswith('z_') -%}
            {%- do z_columns.append(column.name) -%}
        {%- endfor -%}
        {#- Looked up, not ref'd: the message may count rejected rows without adding a DAG edge. -#}
        {%- set rejected_relation = adapter.get_relation(
            database=this.database, schema=this.schema, identifier='rejected_user_profiles') -%}
        {%- set rejected_sql = '(select count(*) from ' ~ rejected_relation ~ ')' if rejected_relation else '0' -%}
        {%- set counts = run_query(
            'select (select count(*) from ' ~ matrix ~ '), count(distinct (' ~ (z_columns | join(', '))
            ~ ')), ' ~ rejected_sql ~ ' from ' ~ matrix
        ).rows[0] -%}
        {%- set k_high = clustering_k_high() -%}
        {%- set users, distinct, rejected = counts[0] | int, counts[1] | int, counts[2] | int -%}
        {%- if users < k_high + 1 or distinct < k_high -%}
            {%- do exceptions.raise_compiler_error(
                'Not enough users to cluster: k up to ' ~ k_high ~ ' needs at least ' ~ (k_high + 1)
                ~ ' valid users with ' ~ k_high ~ ' different feature profiles (in the fit sample), but there are '
                ~ users ~ ' valid users (' ~ distinct ~ ' different profiles; ' ~ rejected
                ~ ' rows rejected, see rejected_user_profiles). Add data or lower vars.k_max (or vars.k).'
            ) -%}
        {%- endif -%}
    {%- endif -%}
    {#- Renders no SQL: an empty hook is skipped (a `select 1` would leave an open result
        that DuckDB 2.0 refuses to run the next statement past). -#}
{% endmacro %}

{% macro create_plugin_source_schemas() %}
    {#- on-run-start: create the schemas of the plugin-loaded sources (user_file) before any node
        runs. dbt-duckdb creates a source's schema when a node first refers to it; two nodes
        doing that at once on two threads conflict in DuckDB's catalog. Spark has no plugin
        sources: nothing to do there. -#}
    {{ return(adapter.dispatch('create_plugin_source_schemas', 'user_segmentation')()) }}
{% endmacro %}

{% macro spark__create_plugin_source_schemas() %}
{% endmacro %}

{% macro duckdb__create_plugin_source_schemas() %}
    {%- if execute -%}
        {%- set schemas = [] -%}
        {%- for node in graph.sources.values() if node.meta.get('plugin') or node.source_meta.get('plugin') -%}
            {%- if node.schema not in schemas -%}{%- do schemas.append(node.schema) -%}{%- endif -%}
        {%- endfor -%}
        {%- for schema in schemas -%}
            {%- do run_query('create schema if not exists ' ~ adapter.quote(schema)) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
