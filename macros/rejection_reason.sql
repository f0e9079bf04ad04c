{% macro rejection_reason(condition, column, code, detail) -%}
    {#- One quarantine reason: a struct(column, code, detail) when `condition` holds, else null. -#}
    case when {{ condition }}
        then {{ struct_of([('column', "'" ~ column ~ "'"), ('code', "'" ~ code ~ "'"), ('detail', detail)]) }} end
{%- endmacro %}

{% macro quoted_value(raw_sql) -%}
    {#- A raw value for a message: quoted, cut to 60 characters. -#}
    '''' || left({{ raw_sql }}::string, 60)
                || case when length({{ raw_sql }}::string) > 60 then '…' else '' end || ''''
{%- endmacro %}

{% macro parse_number(raw_sql) -%}
    {#- text -> double; clean values skip the trim (the fast path at millions of rows). -#}
    coalesce(try_cast({{ raw_sql }} as double), try_cast({{ clean_text(raw_sql) }} as double))
{%- endmacro %}

{% macro is_blank(raw_sql) -%}
    ({{ raw_sql }} is null or {{ clean_text(raw_sql) }} = '')
{%- endmacro %}

{% macro numeric_reasons(column, minimum=none, maximum=none, whole=false, hint='') -%}
    {#- missing / not a number / not whole / below minimum / above maximum for one numeric column:
        a list of reason expressions. Each condition tests the typed value first, so valid rows
        never reach the text checks. -#}
    {%- set reasons = [
        rejection_reason(column ~ ' is null and ' ~ is_blank('raw_' ~ column), column, 'missing_value', "'missing'"),
        rejection_reason('(' ~ column ~ ' is null and not ' ~ is_blank('raw_' ~ column) ~ ')\n        or not ' ~ is_finite(column),
            column, 'not_a_number', "'not a number: ' || " ~ quoted_value('raw_' ~ column)),
    ] -%}
    {%- if whole -%}
    {%- do reasons.append(rejection_reason(column ~ ' <> floor(' ~ column ~ ') and ' ~ is_finite(column),
        column, 'not_a_whole_number', "'not a whole number: ' || " ~ quoted_value('raw_' ~ column))) -%}
    {%- endif -%}
    {%- if minimum is not none -%}
    {%- do reasons.append(rejection_reason(column ~ ' < ' ~ minimum, column,
        'negative' if minimum == 0 else 'out_of_range',
        "'below " ~ minimum ~ ": ' || " ~ quoted_value('raw_' ~ column))) -%}
    {%- endif -%}
    {%- if maximum is not none -%}
    {%- do reasons.append(rejection_reason(column ~ ' > ' ~ maximum ~ ' and ' ~ is_finite(column), column, 'out_of_range',
        "'above " ~ maximum ~ ": ' || " ~ quoted_value('raw_' ~ column) ~ (" || '" ~ hint ~ "'" if hint else ''))) -%}
    {%- endif -%}
    {{ return(reasons) }}
{%- endmacro %}

{% macro clean_text(value_sql) -%}
    {#- Trim spaces, tabs and line breaks (plain trim() only removes spaces). -#}
    {{ return(adapter.dispatch('clean_text', 'user_segmentation')(value_sql)) }}
{%- endmacro %}

{% macro duckdb__clean_text(value_sql) -%}
    trim(cast({{ value_sql }} as varchar), E' \t\r\n')
{%- endmacro %}

{% macro spark__clean_text(value_sql) -%}
    trim(both ' \t\r\n' from cast({{ value_sql }} as string))
{%- endmacro %}

{% macro numeric_is_valid(column, minimum=none, maximum=none, whole=false) -%}
    {#- True exactly when numeric_reasons() with the same arguments yields no reason. -#}
    ({{ column }} is not null and {{ is_finite(column) }}
    {%- if whole %} and {{ column }} = floor({{ column }}){% endif %}
    {%- if minimum is not none %} and {{ column }} >= {{ minimum }}{% endif %}
    {%- if maximum is not none %} and {{ column }} <= {{ maximum }}{% endif %})
{%- endmacro %}

{% macro is_whole_number(number_sql) -%}
    {#- True for a finite whole number that fits a BIGINT id, false otherwise (null included). -#}
    coalesce(
        {{ is_finite(number_sql) }} and {{ number_sql }} = floor({{ number_sql }})
        and abs({{ number_sql }}) < 9.2e18,
        false
    )
{%- endmacro %}

{% macro user_id_from_number(number_sql) -%}
    {#- The user id as a bigint when the parsed number is whole, else null. -#}
    case when {{ is_whole_number(number_sql) }} then {{ number_sql }}::bigint end
{%- endmacro %}

{% macro value_rejection_reasons() -%}
    {#- The reasons a typed record's own values cannot be used (a list, null when there are none),
        over the columns of base_user_profiles__typed. A record whose values all pass takes a fast
        path and builds no list. -#}
    case
        when {{ is_whole_number('user_id_number') }}
            {%- for dimension in profile_levels() %}
            and {{ dimension }} is not null
            {%- endfor %}
            {%- for column, minimum, maximum, whole, hint in numeric_checks() %}
            and {{ numeric_is_valid(column, minimum, maximum, whole) }}
            {%- endfor %}
            and (interest_mask <> 0 or other_interests is not null)
            then null
        {%- set reasons = [
            rejection_reason('user_id_number is null and ' ~ is_blank('raw_user_id'), 'user_id', 'missing_value', "'missing'"),
            rejection_reason(
                'not ' ~ is_whole_number('user_id_number') ~ ' and not ' ~ is_blank('raw_user_id'),
                'user_id', 'not_an_integer', "'not a whole number: ' || " ~ quoted_value('raw_user_id')),
        ] %}
        {%- for dimension in profile_levels() %}
            {%- do reasons.append(rejection_reason(dimension ~ ' is null and ' ~ is_blank('raw_' ~ dimension), dimension, 'missing_value', "'missing'")) %}
            {%- do reasons.append(rejection_reason(dimension ~ ' is null and not ' ~ is_blank('raw_' ~ dimension), dimension, 'unknown_level',
                "'unknown level: ' || " ~ quoted_value('raw_' ~ dimension))) %}
        {%- endfor %}
        {%- for column, minimum, maximum, whole, hint in numeric_checks() %}
            {%- do reasons.extend(numeric_reasons(column, minimum=minimum, maximum=maximum, whole=whole, hint=hint)) %}
        {%- endfor %}
        else {{ reason_list(reasons) }}
    end
{%- endmacro %}

{% macro reason_list(reasons) -%}
    {#- The quarantine reasons that apply, of a Jinja list of rejection_reason() expressions, as
        one list; null when none does. -#}
    {{ null_if_empty(filter_list(list_of(reasons), 'reason', 'reason is not null')) }}
{%- endmacro %}

{% macro rejection_codes(reasons_sql) -%}
    {#- The codes of a list of quarantine reasons, e.g. ['negative', 'exact_duplicate']. -#}
    {{ transform_list(reasons_sql, 'reason', 'reason.code') }}
{%- endmacro %}

{% macro rejection_summary(reasons_sql) -%}
    {#- A list of quarantine reasons as one line people read: "column: detail; ...". -#}
    {{ join_list(transform_list(reasons_sql, 'reason', "reason['column'] || ': ' || reason.detail"), "'; '") }}
{%- endmacro %}

{% macro malformed_record_rows(malformed_sql, path='') -%}
    {{ return(adapter.dispatch('malformed_record_rows', 'user_segmentation')(malformed_sql, path)) }}
{%- endmacro %}

{% macro spark__malformed_record_rows(malformed_sql, path) -%}
    {#- Spark: the malformed records of a CSV file `path` from its staged copy (spark_staged_csv);
        the embedded seed, a Parquet file and a table have none. The columns and types of the
        DuckDB variant. -#}
    {%- if path != '' and input_kind(path) == 'csv' and execute -%}
        select
            source_row_number,
            raw_line,
            array(named_struct(
                'column', 'record',
                'code', 'malformed_record',
                'detail', lower(error_type) || ': ' || error_message
            )) as rejection_reasons
        from parquet.`{{ spark_staged_csv(path)['malformed'].replace('`', '``') }}`
    {%- else -%}
        select
            cast(null as bigint) as source_row_number,
            cast(null as string) as raw_line,
            cast(null as array<struct<column: string, code: string, detail: string>>) as rejection_reasons
        where false
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__malformed_record_rows(malformed_sql, path) -%}
    {#- The CSV records the reader could not split (a malformed-records source table), each with
        its one `malformed_record` quarantine reason: source_row_number, raw_line, rejection_reasons. -#}
    select
        source_row_number,
        raw_line,
        {{ list_of([struct_of([
            ('column', "'record'"),
            ('code', "'malformed_record'"),
            ('detail', "lower(error_type) || ': ' || error_message"),
        ])]) }} as rejection_reasons
    from {{ malformed_sql }}
{%- endmacro %}
