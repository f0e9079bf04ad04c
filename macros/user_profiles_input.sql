{#- The user's file (var input_path), read in SQL. It is first inspected by the `user_file`
    plugin (python/user_segmentation/input_file.py), which raises a plain error for a file
    that cannot be used and lists malformed CSV records, so they are quarantined, not dropped.
    The result has `source_row_number` (1-based data record, header excluded) and one varchar
    column `raw_<name>` per input column. -#}

{% macro input_path() -%}
    {{ return(var('input_path', '') | string | trim) }}
{%- endmacro %}

{% macro user_file_rows(manifest, malformed) -%}
    {#- The rows of the user's file, read in SQL with the manifest's read_sql; malformed records
    are not in that read, so the good rows are numbered around them. -#}
    {%- if execute -%}
        {%- set found = run_query(
            'select read_sql, input_format, malformed_records, extra_columns, renamed_columns from '
            ~ manifest
        ).rows[0] -%}
        {%- set extra = fromjson(found[3]) -%}
        {%- if extra | length > 0 -%}
            {%- do exceptions.warn(
                'Input file ' ~ input_path() ~ ': ignoring extra column(s) '
                ~ (extra | join(', ')) ~ '.'
            ) -%}
        {%- endif -%}
        {%- for found_name, canonical in fromjson(found[4]).items() -%}
            {%- do log('Input file ' ~ input_path() ~ ': reading column "' ~ found_name
                ~ '" as "' ~ canonical ~ '".', info=true) -%}
        {%- endfor -%}
        {%- if found[1] == 'parquet' -%}
            {{ found[0] }}
        {%- elif found[2] | int == 0 -%}
            select data_row_number as source_row_number, * exclude (data_row_number)
            from ({{ found[0] }})
        {%- else -%}
            {#- Malformed records are not in the read; number the good rows around them. -#}
            select
                good.data_row_number + coalesce(marks.malformed_so_far, 0) as source_row_number,
                good.* exclude (data_row_number)
            from ({{ found[0] }}) as good
            asof left join (
                select
                    good_rows_before,
                    max(malformed_so_far) as malformed_so_far
                from (
                    select
                        source_row_number - row_number() over (order by source_row_number)
                            as good_rows_before,
                        row_number() over (order by source_row_number) as malformed_so_far
                    from {{ malformed }}
                ) as numbered
                group by good_rows_before
            ) as marks
                on good.data_row_number > marks.good_rows_before
        {%- endif -%}
    {%- else -%}
        select 1 as source_row_number
    {%- endif -%}
{%- endmacro %}
