{#- Text slicing, pattern tests and time checks that DuckDB and Spark spell differently: one
    macro per construct, dispatched on the adapter (duckdb__ / spark__). DuckDB keeps the SQL
    it had before these macros existed. -#}

{% macro char_at(text_sql, position) -%}
    {#- The character at a 1-based position of a text (-1: the last); '' or null past the end. -#}
    {{ return(adapter.dispatch('char_at', 'user_segmentation')(text_sql, position)) }}
{%- endmacro %}

{% macro duckdb__char_at(text_sql, position) -%}
    ({{ text_sql }})[{{ position }}]
{%- endmacro %}

{% macro spark__char_at(text_sql, position) -%}
    substr({{ text_sql }}, {{ position }}, 1)
{%- endmacro %}

{% macro text_after(text_sql, start) -%}
    {#- A text from a 1-based position to its end. -#}
    {{ return(adapter.dispatch('text_after', 'user_segmentation')(text_sql, start)) }}
{%- endmacro %}

{% macro duckdb__text_after(text_sql, start) -%}
    ({{ text_sql }})[{{ start }}:]
{%- endmacro %}

{% macro spark__text_after(text_sql, start) -%}
    substr({{ text_sql }}, {{ start }})
{%- endmacro %}

{% macro matches_pattern(text_sql, pattern_sql) -%}
    {#- True when a regular expression (a SQL string) matches somewhere in a text. -#}
    {{ return(adapter.dispatch('matches_pattern', 'user_segmentation')(text_sql, pattern_sql)) }}
{%- endmacro %}

{% macro duckdb__matches_pattern(text_sql, pattern_sql) -%}
    regexp_matches({{ text_sql }}, {{ pattern_sql }})
{%- endmacro %}

{% macro spark__matches_pattern(text_sql, pattern_sql) -%}
    regexp({{ text_sql }}, {{ pattern_sql }})
{%- endmacro %}

{% macro is_finite_time(time_sql) -%}
    {#- True for a timestamp that is not infinite (DuckDB reads 'infinity'; Spark has no such
        value, so any timestamp is finite there); null stays null. -#}
    {{ return(adapter.dispatch('is_finite_time', 'user_segmentation')(time_sql)) }}
{%- endmacro %}

{% macro duckdb__is_finite_time(time_sql) -%}
    isfinite({{ time_sql }})
{%- endmacro %}

{% macro spark__is_finite_time(time_sql) -%}
    ({{ time_sql }} is not null or null)
{%- endmacro %}

{% macro seconds_between(start_sql, end_sql) -%}
    {#- Seconds from one timestamp to a later one (a double; negative when end is earlier). -#}
    {{ return(adapter.dispatch('seconds_between', 'user_segmentation')(start_sql, end_sql)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_sql, end_sql) -%}
    epoch({{ end_sql }} - {{ start_sql }})
{%- endmacro %}

{% macro spark__seconds_between(start_sql, end_sql) -%}
    (cast(unix_micros({{ end_sql }}) - unix_micros({{ start_sql }}) as double) / 1000000.0)
{%- endmacro %}

{% macro minutes_interval(minutes_sql) -%}
    {#- An interval of a whole number of minutes, to add to or take from a timestamp. -#}
    {{ return(adapter.dispatch('minutes_interval', 'user_segmentation')(minutes_sql)) }}
{%- endmacro %}

{% macro duckdb__minutes_interval(minutes_sql) -%}
    to_minutes({{ minutes_sql }})
{%- endmacro %}

{% macro spark__minutes_interval(minutes_sql) -%}
    make_dt_interval(0, 0, {{ minutes_sql }}, 0)
{%- endmacro %}

{% macro is_weekend_day(date_sql) -%}
    {#- True for a Saturday or a Sunday (DuckDB numbers Sunday 0, Spark 1). -#}
    {{ return(adapter.dispatch('is_weekend_day', 'user_segmentation')(date_sql)) }}
{%- endmacro %}

{% macro duckdb__is_weekend_day(date_sql) -%}
    dayofweek({{ date_sql }}) in (0, 6)
{%- endmacro %}

{% macro spark__is_weekend_day(date_sql) -%}
    dayofweek({{ date_sql }}) in (1, 7)
{%- endmacro %}

{% macro utc_time_literal(text) -%}
    {#- An ISO-8601 time given in a var (text; a zone is applied, none means UTC) as a UTC
        timestamp literal expression. -#}
    {{ return(adapter.dispatch('utc_time_literal', 'user_segmentation')(text)) }}
{%- endmacro %}

{% macro duckdb__utc_time_literal(text) -%}
    {{ sql_string(text) }}::timestamptz::timestamp
{%- endmacro %}

{% macro spark__utc_time_literal(text) -%}
    cast({{ sql_string(text) }} as timestamp)
{%- endmacro %}

{% macro zoned_timestamp_type() -%}
    {#- The type of an instant that keeps its zone for readers: TIMESTAMPTZ on DuckDB; on Spark,
        whose TIMESTAMP is an instant shown in the session's zone (UTC here), TIMESTAMP. -#}
    {{ return(adapter.dispatch('zoned_timestamp_type', 'user_segmentation')()) }}
{%- endmacro %}

{% macro duckdb__zoned_timestamp_type() -%}
    timestamptz
{%- endmacro %}

{% macro spark__zoned_timestamp_type() -%}
    timestamp
{%- endmacro %}

{% macro iso_weekday(date_sql) -%}
    {#- The ISO weekday: Monday 1 to Sunday 7. -#}
    {{ return(adapter.dispatch('iso_weekday', 'user_segmentation')(date_sql)) }}
{%- endmacro %}

{% macro duckdb__iso_weekday(date_sql) -%}
    isodow({{ date_sql }})
{%- endmacro %}

{% macro spark__iso_weekday(date_sql) -%}
    (weekday({{ date_sql }}) + 1)
{%- endmacro %}
