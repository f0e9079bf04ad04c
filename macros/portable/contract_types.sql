{#- Model contracts on Spark. The YAML declares each column's data_type once, in DuckDB's
    spelling (the default engine). dbt-spark checks a contract by comparing the model's columns
    with a query that casts null to each declared type; on Spark the declared types are first
    translated (spark_type), so the same contract is enforced, by name and type, on both engines.
    Constraints (not_null, ...) are enforced by dbt-spark only on Delta tables; this project
    writes Parquet, so the tests check them instead. -#}

{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set missing = [] -%}
    select
    {%- for i in columns %}
        {%- set col = columns[i] -%}
        {%- if col['data_type'] is not defined -%}{%- do missing.append(col['name']) -%}{%- endif %}
        {%- set col_name = adapter.quote(col['name']) if col.get('quote') else col['name'] %}
        cast(null as {{ spark_type(col['data_type'] or 'string') }}) as {{ col_name }}{{ ", " if not loop.last }}
    {%- endfor -%}
    {%- if missing | length > 0 -%}
        {{ exceptions.column_type_missing(column_names=missing) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark_type(duckdb_type) -%}
    {#- A DuckDB type as Spark spells it: lists become array<...>, structs struct<...>, ENUMs
        string, and the scalar names Spark lacks their nearest Spark type. -#}
    {%- set text = duckdb_type | string | trim -%}
    {%- set lowered = text | lower -%}
    {%- if lowered.endswith('[]') -%}
        {{ return('array<' ~ spark_type(text[:-2]) ~ '>') }}
    {%- elif lowered.startswith('enum(') -%}
        {{ return('string') }}
    {%- elif lowered.startswith('struct(') and lowered.endswith(')') -%}
        {%- set fields = [] -%}
        {%- for field in text[7:-1].split(',') -%}
            {%- set parts = field.strip().split(' ', 1) -%}
            {%- do fields.append(parts[0].strip('"') ~ ': ' ~ spark_type(parts[1])) -%}
        {%- endfor -%}
        {{ return('struct<' ~ (fields | join(', ')) ~ '>') }}
    {%- endif -%}
    {%- set scalars = {
        'varchar': 'string', 'text': 'string', 'integer': 'int', 'int4': 'int', 'int8': 'bigint',
        'hugeint': 'decimal(38,0)', 'ubigint': 'decimal(20,0)', 'uinteger': 'bigint',
        'usmallint': 'int', 'utinyint': 'smallint', 'real': 'float', 'float4': 'float',
        'float8': 'double', 'timestamptz': 'timestamp', 'timestamp with time zone': 'timestamp',
        'bool': 'boolean',
    } -%}
    {{ return(scalars.get(lowered, text)) }}
{%- endmacro %}
