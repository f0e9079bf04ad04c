{#- The user's file (var input_path), read in SQL. It is first inspected by the `user_file`
    plugin (python/user_segmentation/input_file.py), which raises a plain error for a file
    that cannot be used and lists malformed CSV records, so they are quarantined, not dropped. -#}

{% macro input_path() -%}
    {{ return(var('input_path', '') | string | trim) }}
{%- endmacro %}

{% macro user_file_read(manifest, path=none) -%}
    {#- The SELECT that reads the user's file: the manifest's read_sql (the plugin wrote it, the
        path a quoted literal), with data_row_number; warns about extra columns and logs the
        headers matched despite their spelling. path: the file named in the messages (default
        the profile file, var input_path). -#}
    {%- set path = path if path is not none else input_path() -%}
    {%- if execute -%}
        {%- set found = run_query(
            'select read_sql, input_format, extra_columns, renamed_columns from ' ~ manifest
        ).rows[0] -%}
        {%- set extra = fromjson(found[2]) -%}
        {%- if extra | length > 0 -%}
            {%- do exceptions.warn(
                'Input file ' ~ path ~ ': ignoring extra column(s) ' ~ (extra | join(', ')) ~ '.'
            ) -%}
        {%- endif -%}
        {%- for found_name, canonical in fromjson(found[3]).items() -%}
            {%- do log('Input file ' ~ path ~ ': reading column "' ~ found_name
                ~ '" as "' ~ canonical ~ '".', info=true) -%}
        {%- endfor -%}
        {%- if found[1] == 'parquet' -%}
            select source_row_number as data_row_number, * exclude (source_row_number)
            from ({{ found[0] }})
        {%- else -%}
            {{ found[0] }}
        {%- endif -%}
    {%- else -%}
        select 1 as data_row_number
    {%- endif -%}
{%- endmacro %}

{% macro user_file_records(manifest, path=none, columns=none) -%}
    {#- The records of an input file as text with data_row_number: on DuckDB through the
        user_file plugin's manifest (user_file_read), on Spark from Parquet in place
        (spark_user_file_read). path and columns: the profile file's (var input_path,
        input_columns()) unless given (an activity log's). -#}
    {{ return(adapter.dispatch('user_file_records', 'user_segmentation')(manifest, path, columns)) }}
{%- endmacro %}

{% macro duckdb__user_file_records(manifest, path, columns) -%}
    {{ user_file_read(manifest, path) }}
{%- endmacro %}

{% macro spark__user_file_records(manifest, path, columns) -%}
    {{ spark_user_file_read(
        path if path is not none else input_path(),
        columns if columns is not none else input_columns(),
        optional_headers()
    ) }}
{%- endmacro %}

{% macro optional_headers() -%}
    {#- The headers an input may leave out (`optional: true` in vars.input_format or
        vars.log_formats): read as null when absent. -#}
    {%- set optional = [] -%}
    {%- for spec in [var('input_format')] + (var('log_formats').values() | list) -%}
        {%- for column in spec['columns'] if column.get('optional') -%}
            {%- do optional.append(column['header']) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(optional) }}
{%- endmacro %}

{% macro user_file_row_count(manifest, path=none) -%}
    {#- One row, rows_in_file: every record of an input file as its reader counted them (the
        plugin's rows read plus malformed records on DuckDB; the Parquet file's rows on Spark).
        path: the profile file (var input_path) unless given. -#}
    {{ return(adapter.dispatch('user_file_row_count', 'user_segmentation')(manifest, path)) }}
{%- endmacro %}

{% macro duckdb__user_file_row_count(manifest, path) -%}
    select coalesce(sum(rows_read + malformed_records), 0) as rows_in_file from {{ manifest }}
{%- endmacro %}

{% macro spark__user_file_row_count(manifest, path) -%}
    select count(*) as rows_in_file
    from {{ spark_input_relation(path if path is not none else input_path()) }}
{%- endmacro %}

{% macro spark_input_relation(path) -%}
    {#- Spark: the relation that reads the Parquet file `path` in place (`parquet.`path``). A
        CSV path stops the build with what to do: on Spark the input is Parquet for now. -#}
    {%- set suffix = path.lower().rsplit('.', 1)[-1] -%}
    {%- if suffix not in ['parquet', 'pq'] -%}
        {{ exceptions.raise_compiler_error('Input file ' ~ path ~ ': on the Spark target the input is read'
            ~ ' from Parquet (.parquet) only, not .' ~ suffix ~ ' (build on DuckDB, or convert it: duckdb -c "copy'
            ~ " (from '" ~ path ~ "') to 'profiles.parquet'" ~ '")') }}
    {%- endif -%}
    {{ return('parquet.`' ~ path.replace('`', '``') ~ '`') }}
{%- endmacro %}

{% macro spark_user_file_read(path, columns, optional=[]) -%}
    {#- Spark: the records of the Parquet file `path`, as user_file_read gives them on DuckDB:
        data_row_number (1-based, in the file's order: one file's ids increase in read order)
        and raw_<name> as text per (header, name) of `columns`, null for an absent header of
        `optional`. Stops the build naming the file and the missing columns; warns about extra ones. -#}
    {%- set relation = spark_input_relation(path) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- do found.extend(run_query('select * from ' ~ relation ~ ' limit 0').column_names) -%}
        {%- set missing = [] -%}
        {%- set wanted = [] -%}
        {%- for header, name in columns -%}
            {%- do wanted.append(header) -%}
            {%- if header not in found and header not in optional -%}
                {%- do missing.append('"' ~ header ~ '"') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if missing | length > 0 -%}
            {{ exceptions.raise_compiler_error('Input file ' ~ path ~ ': missing column(s) ' ~ (missing | join(', '))
                ~ '; found: ' ~ (found | join(', '))) }}
        {%- endif -%}
        {%- set extra = found | reject('in', wanted) | list -%}
        {%- if extra | length > 0 -%}
            {%- do exceptions.warn('Input file ' ~ path ~ ': ignoring extra column(s) ' ~ (extra | join(', ')) ~ '.') -%}
        {%- endif -%}
    {%- endif -%}
    select
        cast(row_number() over (order by monotonically_increasing_id()) as bigint) as data_row_number,
        {%- for header, name in columns %}
        {%- if execute and header not in found %}
        cast(null as string) as raw_{{ name }}{{ ',' if not loop.last }}
        {%- else %}
        cast({{ adapter.quote(header) }} as string) as raw_{{ name }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{% macro numbered_around_malformed(records, malformed) -%}
    {#- The records of `records` (data_row_number among the good records) numbered as in the
        file: each one's number plus the malformed records before it. Without malformed records
        (checked when the model runs) the numbers are the same and no join is planned. -#}
    {%- set malformed_count = 0 -%}
    {%- if execute -%}
        {%- set malformed_count = run_query('select count(*) from ' ~ malformed).rows[0][0] | int -%}
    {%- endif -%}
    {%- if malformed_count == 0 -%}
        select data_row_number as source_row_number, {{ star_except(['data_row_number']) }}
        from {{ records }}
    {%- else -%}
        select
            good.data_row_number + coalesce(marks.malformed_so_far, 0) as source_row_number,
            good.* exclude (data_row_number)
        from {{ records }} as good
        asof left join (
            select
                good_rows_before,
                max(malformed_so_far) as malformed_so_far
            from (
                select
                    source_row_number - row_number() over (order by source_row_number) as good_rows_before,
                    row_number() over (order by source_row_number) as malformed_so_far
                from {{ malformed }}
            ) as numbered
            group by good_rows_before
        ) as marks
            on good.data_row_number > marks.good_rows_before
    {%- endif -%}
{%- endmacro %}
