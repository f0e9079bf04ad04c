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

{% macro numbered_around_malformed(records, malformed) -%}
    {#- The records of `records` (data_row_number among the good records) numbered as in the
        file: each one's number plus the malformed records before it. Without malformed records
        (checked when the model runs) the numbers are the same and no join is planned. -#}
    {%- set malformed_count = 0 -%}
    {%- if execute -%}
        {%- set malformed_count = run_query('select count(*) from ' ~ malformed).rows[0][0] | int -%}
    {%- endif -%}
    {%- if malformed_count == 0 -%}
        select data_row_number as source_row_number, * exclude (data_row_number)
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
