{#- The rows to stage: the embedded seed, or the user's file (var input_path) read in SQL.

    Either way the result has `source_row_number` (1-based data record in the input,
    header excluded) and one varchar column `raw_<name>` per input column.
    The user's file is first inspected by the `user_file` plugin (see
    python/user_segmentation/input_file.py), which raises a plain error for a file that
    cannot be used and lists malformed CSV records, so they are quarantined, not dropped. -#}

{% macro input_path() -%}
    {{ return(var('input_path', '') | string | trim) }}
{%- endmacro %}

{% macro user_profiles_input() -%}
    {%- if input_path() == '' -%}
        select
            row_number() over () as source_row_number,
            {%- for header, name in input_columns() %}
            "{{ header }}" as raw_{{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ ref('raw_user_profiles') }}
    {%- else -%}
        {%- set manifest = source('user_file', 'input_manifest') -%}
        {%- set malformed = source('user_file', 'malformed_records') -%}
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
    {%- endif -%}
{%- endmacro %}

{% macro malformed_input_records() -%}
    {#- Malformed CSV records of the user's file (none for the seed or Parquet). -#}
    {%- if input_path() == '' -%}
        select
            null::bigint as source_row_number,
            null::varchar as error_type,
            null::varchar as raw_line,
            null::varchar as error_message
        where false
    {%- else -%}
        select source_row_number, error_type, raw_line, error_message
        from {{ source('user_file', 'malformed_records') }}
    {%- endif -%}
{%- endmacro %}
