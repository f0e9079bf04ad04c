{#- The optional activity logs beside the profile file: events (var interactions_path) and
    orders (var transactions_path), their columns declared once in vars.log_formats. Each file
    is inspected by the user_file plugin (source activity_files), read as text and typed here,
    so every record ends up in stg_<log> or rejected_<log> with its reasons. -#}

{% macro log_path(log) -%}
    {#- The path of one log (`interactions` or `transactions`); empty when it is not given. -#}
    {{ return(var(log ~ '_path', '') | string | trim) }}
{%- endmacro %}

{% macro activity_enabled() -%}
    {#- True when an event or an order log is given: the activity features are then computed
        and join the clustering features (vars.activity_cluster_features). -#}
    {{ return(log_path('interactions') != '' or log_path('transactions') != '') }}
{%- endmacro %}

{% macro log_columns(log) %}
    {#- (header in the file, column name after staging) of one log, in reading order. -#}
    {%- set columns = [] -%}
    {%- for column in var('log_formats')[log]['columns'] -%}
        {%- do columns.append((column['header'], column['name'])) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro log_file_records(log, manifest) -%}
    {#- The SELECT of every record of one log that splits into its columns, as text:
        data_row_number (1-based among them) and raw_<name> per column. No rows when the log
        is not given. -#}
    {%- if log_path(log) == '' -%}
        select
            null::bigint as data_row_number,
            {%- for header, name in log_columns(log) %}
            cast(null as {{ dbt.type_string() }}) as raw_{{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        where false
    {%- else -%}
        {{ user_file_records(manifest, log_path(log), log_columns(log)) }}
    {%- endif -%}
{%- endmacro %}

{% macro log_numbered_records(log, file_records, malformed) -%}
    {#- The records of file_records numbered as in the file (numbered_around_malformed, which
        counts the malformed records when the model runs); without the log, as they are. -#}
    {%- if log_path(log) == '' -%}
        select
            data_row_number as source_row_number,
            {{ star_except(['data_row_number']) }}
        from {{ file_records }}
    {%- else -%}
        {{ numbered_around_malformed(file_records, malformed) }}
    {%- endif -%}
{%- endmacro %}

{% macro iso_time_text(raw_sql) -%}
    {#- The text of an ISO-8601 time, trimmed only when needed; null unless it starts with a
        digit (DuckDB would also read words such as 'epoch' or 'infinity' as times). -#}
    case
        when {{ char_at(raw_sql, 1) }} between '0' and '9' then {{ raw_sql }}
        when {{ char_at(clean_text(raw_sql), 1) }} between '0' and '9' then {{ clean_text(raw_sql) }}
    end
{%- endmacro %}

{% macro instant_utc(text_sql) -%}
    {#- An ISO-8601 time (text from iso_time_text) as the UTC instant (timestamp): a zone ('Z',
        '+02:00') is applied, a time without one is read as UTC (the session's TimeZone is UTC,
        profiles.yml); null when the text is not a time. Read as TIMESTAMPTZ and converted by
        its epoch: both are several times cheaper than a cast to TIMESTAMP. On Spark, whose
        timestamps are instants, a cast to TIMESTAMP applies the zone. -#}
    {{ return(adapter.dispatch('instant_utc', 'user_segmentation')(text_sql)) }}
{%- endmacro %}

{% macro duckdb__instant_utc(text_sql) -%}
    make_timestamp(epoch_us(try_cast({{ text_sql }} as timestamptz)))
{%- endmacro %}

{% macro spark__instant_utc(text_sql) -%}
    try_cast({{ text_sql }} as timestamp)
{%- endmacro %}

{% macro wall_clock(text_sql, instant_sql) -%}
    {#- The same time as written, without its zone: the local hour and day it happened. Equal to
        the instant unless the text has an offset after its date (+02:00, -0500): only those
        are parsed again. -#}
    case
        when {{ char_at(text_sql, -1) }} <> 'Z' and {{ matches_pattern(text_after(text_sql, 11), "'" ~ utc_offset_pattern() ~ "'") }}
            then {{ time_as_written(text_sql) }}
        else {{ instant_sql }}
    end
{%- endmacro %}

{% macro utc_offset_pattern() -%}
    {#- A UTC offset at the end of a time's text: +02:00, -0500, +02. -#}
    [+-][0-9]{2}:?[0-9]{0,2}$
{%- endmacro %}

{% macro time_as_written(text_sql) -%}
    {#- A time with a UTC offset read as written, the offset ignored (its wall clock). -#}
    {{ return(adapter.dispatch('time_as_written', 'user_segmentation')(text_sql)) }}
{%- endmacro %}

{% macro duckdb__time_as_written(text_sql) -%}
    try_cast({{ text_sql }} as timestamp)
{%- endmacro %}

{% macro spark__time_as_written(text_sql) -%}
    try_cast(regexp_replace({{ text_sql }}, '{{ utc_offset_pattern() }}', '') as timestamp)
{%- endmacro %}

{% macro canonical_event_type(raw_sql) -%}
    {#- A known event type (vars.log_formats.interactions.event_types) matched after trimming and
        ignoring case; any other type is kept as written (trimmed). Null when blank. -#}
    {%- set known = var('log_formats')['interactions']['event_types'] -%}
    case
        when {{ raw_sql }} in ({% for t in known %}'{{ t }}'{{ ', ' if not loop.last }}{% endfor %}) then {{ raw_sql }}
        {%- for t in known %}
        when lower({{ clean_text(raw_sql) }}) = '{{ t }}' then '{{ t }}'
        {%- endfor %}
        else nullif({{ clean_text(raw_sql) }}, '')
    end
{%- endmacro %}

{% macro canonical_label(raw_sql) -%}
    {#- A free-text label (channel, category, currency) trimmed and lower-cased; null when blank. -#}
    nullif(lower({{ clean_text(raw_sql) }}), '')
{%- endmacro %}

{% macro time_reasons(column) -%}
    {#- missing / not a time / in the future (after the build's start) for one time column: a
        list of reason expressions. -#}
    {{ return([
        rejection_reason(column ~ ' is null and ' ~ is_blank('raw_' ~ column), column, 'missing_value', "'missing'"),
        rejection_reason('(' ~ column ~ ' is null or not ' ~ is_finite_time(column) ~ ') and not ' ~ is_blank('raw_' ~ column), column, 'not_a_time',
            "'not an ISO-8601 time: ' || " ~ quoted_value('raw_' ~ column)),
        rejection_reason(column ~ " > current_timestamp::timestamp", column, 'future_time',
            "'in the future: ' || " ~ quoted_value('raw_' ~ column)),
    ]) }}
{%- endmacro %}

{% macro user_id_reasons() -%}
    {#- missing / not a whole number for the user id of a log record: a list of reason expressions. -#}
    {{ return([
        rejection_reason('user_id_number is null and ' ~ is_blank('raw_user_id'), 'user_id', 'missing_value', "'missing'"),
        rejection_reason(
            'not ' ~ is_whole_number('user_id_number') ~ ' and not ' ~ is_blank('raw_user_id'),
            'user_id', 'not_an_integer', "'not a whole number: ' || " ~ quoted_value('raw_user_id')),
    ]) }}
{%- endmacro %}

{% macro rejected_log_rows(log, checked, duplicates, file_records, malformed) -%}
    {#- Every rejected record of one log that split into its columns, with its raw text and all
        its reasons: the records with value reasons (and a duplicate reason when they are also
        a duplicate) and the duplicates whose values are valid. The checked table keeps no raw
        text (valid records are most of it), so the rejected records' text is read back from
        the file records, numbered as there (log_numbered_records); when nothing is rejected,
        that join has no rows to look up and the file is not read again. -#}
    select
        records.source_row_number,
        {%- for header, name in log_columns(log) %}
        cast(records.raw_{{ name }} as {{ dbt.type_string() }}) as raw_{{ name }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as raw_line,
        case
            when duplicates.duplicate_reason is null then checked.row_reasons
            else {{ append_to_list('checked.row_reasons', 'duplicates.duplicate_reason') }}
        end as rejection_reasons
    from {{ checked }} as checked
    left join {{ duplicates }} as duplicates
        on checked.source_row_number = duplicates.source_row_number
    inner join ({{ log_numbered_records(log, file_records, malformed) }}) as records
        on checked.source_row_number = records.source_row_number
    where checked.row_reasons is not null or duplicates.duplicate_reason is not null
{%- endmacro %}

{% macro category_slug(category_sql) -%}
    {#- A category as part of a feature name: lower case, other characters runs of '_'. -#}
    {{ return(adapter.dispatch('category_slug', 'user_segmentation')(category_sql)) }}
{%- endmacro %}

{% macro duckdb__category_slug(category_sql) -%}
    trim(regexp_replace(lower({{ category_sql }}), '[^a-z0-9]+', '_', 'g'), '_')
{%- endmacro %}

{% macro spark__category_slug(category_sql) -%}
    {#- Spark's regexp_replace replaces every match (its 4th argument is a position), and its
        two-argument trim of given characters is btrim. -#}
    btrim(regexp_replace(lower({{ category_sql }}), '[^a-z0-9]+', '_'), '_')
{%- endmacro %}

{% macro named_category_slugs() %}
    {#- The slugs of the category_share__<slug> features that the clustering vars name. -#}
    {%- set slugs = [] -%}
    {%- for name in ['cluster_features', 'activity_cluster_features'] -%}
        {%- set features = var(name) -%}
        {%- if features is string -%}{%- set features = fromyaml(features) -%}{%- endif -%}
        {%- for feature in (features or {}) if feature.startswith('category_share__') -%}
            {%- do slugs.append(feature[16:]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(slugs | unique | list) }}
{% endmacro %}

{% macro activity_categories() %}
    {#- (category, slug) of the event categories with a share feature, from the table
        int_activity_categories (the top vars.activity_top_categories, and any the clustering
        vars name). Known once that model has run, so models downstream of it see every one;
        before it (at parse time, in the start-up checks) only the named ones. -#}
    {%- set found = [] -%}
    {%- if execute and activity_enabled() -%}
        {#- Looked up, not ref()'d: every model that reads the feature list would otherwise have
            to declare the dependency; they all descend from int_user_features, which does. -#}
        {%- set relation = adapter.get_relation(database=target.database, schema=target.schema,
            identifier='int_activity_categories') -%}
        {%- if relation is not none -%}
            {%- for row in run_query('select category, category_slug from ' ~ relation ~ ' order by category_rank').rows -%}
                {%- do found.append((row[0], row[1])) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- set slugs = found | map(attribute=1) | list -%}
    {%- for slug in named_category_slugs() if slug not in slugs -%}
        {%- do found.append((slug | replace('_', ' '), slug)) -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}

{% macro fitted_on_activity() -%}
    {#- The users K-Means learns from when an activity log is given: those with activity. The
        activity features of a user without any are defaults (0 and window + 1 days), not
        behaviour, and would form a segment of their own; such users are still labelled, by
        the nearest centroid. When no user has activity (a header-only log), everyone. -#}
    (has_activity or not exists (
        select 1 from {{ ref('int_user_activity_features') }} as active_users where active_users.has_activity
    ))
{%- endmacro %}
