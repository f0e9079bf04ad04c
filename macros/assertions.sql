{#- Build-stopping checks with plain messages (a failed check is a dbt error, not a traceback). -#}

{% macro assert_valid_users_exist(relation) %}
    {%- if execute -%}
        {%- set counts = run_query(
            'select (select count(*) from ' ~ relation ~ '), (select count(*) from '
            ~ ref('stg_user_profiles__parsed') ~ ')'
        ).rows[0] -%}
        {%- if counts[0] | int == 0 -%}
            {%- set source_name = input_path() if input_path() != '' else 'the embedded seed raw_user_profiles' -%}
            {%- do exceptions.raise_compiler_error(
                'No valid users in ' ~ source_name ~ ': all ' ~ counts[1] ~ ' input rows were rejected'
                ~ ' (or the file has no data rows). See the table rejected_user_profiles for the reasons.'
            ) -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
