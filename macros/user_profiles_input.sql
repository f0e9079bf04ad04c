{#- The user's file (var input_path), read in SQL. It is first inspected by the `user_file`
    plugin (python/user_segmentation/input_file.py), which raises a plain error for a file
    that cannot be used and lists malformed CSV records, so they are quarantined, not dropped. -#}

{% macro input_path() -%}
    {#- The user's input: the file of var input_path, or on Spark 'table <name>' for the existing
        table of var input_table; empty when the embedded seed is read. -#}
    {%- set path = var('input_path', '') | string | trim -%}
    {%- set table = var('input_table', '') | string | trim -%}
    {%- if table == '' -%}
        {{ return(path) }}
    {%- endif -%}
    {%- if path != '' -%}
        {{ exceptions.raise_compiler_error('Give the input as input_path (a file) or as input_table (a table), not both'
            ~ ' (input_path: ' ~ path ~ ', input_table: ' ~ table ~ ').') }}
    {%- endif -%}
    {%- if target.type == 'duckdb' -%}
        {{ exceptions.raise_compiler_error('Input table ' ~ table ~ ': var input_table names a table on the Spark'
            ~ ' target (--target spark); on DuckDB give the file as input_path (CSV or Parquet).') }}
    {%- endif -%}
    {{ return('table ' ~ table) }}
{%- endmacro %}

{% macro input_kind(path) -%}
    {#- How Spark reads the input `path` (input_path(), or a log's path): 'table' (var
        input_table), 'parquet' (in place) or 'csv' (checked and staged, spark_staged_csv). -#}
    {%- if path.startswith('table ') -%}
        {{ return('table') }}
    {%- elif path.lower().rsplit('.', 1)[-1] in ['parquet', 'pq'] -%}
        {{ return('parquet') }}
    {%- endif -%}
    {{ return('csv') }}
{%- endmacro %}

{% macro input_label(path) -%}
    {#- How messages name the input `path`: "Input file <path>" or "Input table <name>". -#}
    {{ return(('Input table ' ~ path[6:]) if input_kind(path) == 'table' else ('Input file ' ~ path)) }}
{%- endmacro %}

{% macro announce_input_columns(path, extra, renamed) -%}
    {#- Warns about the extra columns of the input file `path` (ignored) and logs the headers
        read as a column of the format despite their spelling (renamed: found -> canonical). -#}
    {%- if extra | length > 0 -%}
        {%- do exceptions.warn('Input file ' ~ path ~ ': ignoring extra column(s) ' ~ (extra | join(', ')) ~ '.') -%}
    {%- endif -%}
    {%- for found_name, canonical in renamed.items() -%}
        {%- do log('Input file ' ~ path ~ ': reading column "' ~ found_name ~ '" as "' ~ canonical ~ '".', info=true) -%}
    {%- endfor -%}
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
        {%- do announce_input_columns(path, fromjson(found[2]), fromjson(found[3])) -%}
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
    {%- set path = path if path is not none else input_path() -%}
    {%- set columns = columns if columns is not none else input_columns() -%}
    {%- if input_kind(path) == 'csv' -%}
        {{ spark_staged_csv_read(path, columns) }}
    {%- else -%}
        {{ spark_user_file_read(path, columns, optional_headers()) }}
    {%- endif -%}
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
    {%- set path = path if path is not none else input_path() -%}
    {%- if input_kind(path) == 'csv' -%}
        select cast({{ spark_staged_csv(path)['rows_in_file'] if execute else 0 }} as bigint) as rows_in_file
    {%- else -%}
        select count(*) as rows_in_file from {{ spark_input_relation(path) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark_input_relation(path) -%}
    {#- Spark: the relation that reads the input `path` in place: the Parquet file
        (`parquet.`path``) or the table of var input_table (its name checked, each part quoted). -#}
    {%- if input_kind(path) == 'table' -%}
        {%- set name = path[6:] -%}
        {%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*){0,2}', name) -%}
            {{ exceptions.raise_compiler_error('Input table ' ~ name ~ ': var input_table must be a table name'
                ~ ' such as users or crm.users (letters, digits and _, parts joined by dots).') }}
        {%- endif -%}
        {{ return('`' ~ (name.split('.') | join('`.`')) ~ '`') }}
    {%- endif -%}
    {{ return('parquet.`' ~ path.replace('`', '``') ~ '`') }}
{%- endmacro %}

{% macro spark_staged_csv(path) -%}
    {#- Spark: the CSV file `path` checked and split by the DuckDB target's reader and staged as
        Parquet (adapter.stage_csv_input, python/user_segmentation/spark_input.py): a dict of
        records, malformed (Parquet paths), rows_in_file, extra_columns and renamed_columns. The
        profile file is read in var input_encoding, the logs in UTF-8. -#}
    {%- set ns = namespace(file_format='profiles', encoding=var('input_encoding', 'utf-8')) -%}
    {%- for log in ['interactions', 'transactions'] if path == log_path(log) and path != input_path() -%}
        {%- set ns.file_format = log -%}
        {%- set ns.encoding = 'utf-8' -%}
    {%- endfor -%}
    {{ return(adapter.stage_csv_input(path, ns.encoding, ns.file_format)) }}
{%- endmacro %}

{% macro spark_staged_csv_read(path, columns) -%}
    {#- Spark: the records of the CSV file `path` as user_file_read gives them on DuckDB, read from
        its staged Parquet copy (spark_staged_csv), which numbers them as in the file: warns about
        extra columns and logs the headers matched despite their spelling, as on DuckDB. -#}
    {%- set relation = 'parquet.`<staged when the model runs>`' -%}
    {%- if execute -%}
        {%- set staged = spark_staged_csv(path) -%}
        {%- set relation = 'parquet.`' ~ staged['records'].replace('`', '``') ~ '`' -%}
        {%- do announce_input_columns(path, staged['extra_columns'], staged['renamed_columns']) -%}
    {%- endif -%}
    select
        data_row_number,
        {%- for header, name in columns %}
        raw_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{% macro spark_user_file_read(path, columns, optional=[]) -%}
    {#- Spark: the records of the Parquet file or the table `path` (spark_input_relation), as
        user_file_read gives them on DuckDB: data_row_number (1-based, in read order: a Parquet
        file's order, as one file's ids increase in read order; a table's scan order)
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
            {{ exceptions.raise_compiler_error(input_label(path) ~ ': missing column(s) ' ~ (missing | join(', '))
                ~ '; found: ' ~ (found | join(', '))) }}
        {%- endif -%}
        {%- set extra = found | reject('in', wanted) | list -%}
        {%- if extra | length > 0 -%}
            {%- do exceptions.warn(input_label(path) ~ ': ignoring extra column(s) ' ~ (extra | join(', ')) ~ '.') -%}
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
        file: each one's number plus the malformed records before it (on DuckDB; on Spark the
        records come numbered as in the file). -#}
    {{ return(adapter.dispatch('numbered_around_malformed', 'user_segmentation')(records, malformed)) }}
{%- endmacro %}

{% macro spark__numbered_around_malformed(records, malformed) -%}
    {#- A Parquet file or a table has no malformed records, and a staged CSV file's records are
        numbered as in the file (spark_staged_csv). -#}
    select data_row_number as source_row_number, {{ star_except(['data_row_number']) }}
    from {{ records }}
{%- endmacro %}

{% macro duckdb__numbered_around_malformed(records, malformed) -%}
    {#- Without malformed records (checked when the model runs) the numbers are the same and no
        join is planned. -#}
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
