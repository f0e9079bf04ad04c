{#- Lists, structs and number checks that DuckDB and Spark spell differently: one macro per
    construct, dispatched on the adapter (duckdb__ / spark__). DuckDB keeps the exact SQL it
    had before these macros existed, so its plans and speed do not change. -#}

{% macro list_of(items) -%}
    {#- A list literal of the SQL expressions `items` (a Jinja list of strings). -#}
    {{ return(adapter.dispatch('list_of', 'user_segmentation')(items)) }}
{%- endmacro %}

{% macro duckdb__list_of(items) -%}
    [{{ items | join(', ') }}]
{%- endmacro %}

{% macro spark__list_of(items) -%}
    array({{ items | join(', ') }})
{%- endmacro %}

{% macro empty_list(item_type) -%}
    {#- An empty list whose items have the SQL type `item_type` (string, bigint, ...). -#}
    {{ return(adapter.dispatch('empty_list', 'user_segmentation')(item_type)) }}
{%- endmacro %}

{% macro duckdb__empty_list(item_type) -%}
    []::{{ item_type }}[]
{%- endmacro %}

{% macro spark__empty_list(item_type) -%}
    cast(array() as array<{{ item_type }}>)
{%- endmacro %}

{% macro list_type(item_type) -%}
    {#- The SQL type of a list of `item_type`. -#}
    {{ return(adapter.dispatch('list_type', 'user_segmentation')(item_type)) }}
{%- endmacro %}

{% macro duckdb__list_type(item_type) -%}
    {{ item_type }}[]
{%- endmacro %}

{% macro spark__list_type(item_type) -%}
    array<{{ item_type }}>
{%- endmacro %}

{% macro filter_list(list_sql, item, condition_sql) -%}
    {#- The items of a list for which `condition_sql` (over the name `item`) holds. -#}
    {{ return(adapter.dispatch('filter_list', 'user_segmentation')(list_sql, item, condition_sql)) }}
{%- endmacro %}

{% macro duckdb__filter_list(list_sql, item, condition_sql) -%}
    list_filter({{ list_sql }}, lambda {{ item }}: {{ condition_sql }})
{%- endmacro %}

{% macro spark__filter_list(list_sql, item, condition_sql) -%}
    filter({{ list_sql }}, {{ item }} -> {{ condition_sql }})
{%- endmacro %}

{% macro transform_list(list_sql, item, expression_sql) -%}
    {#- `expression_sql` (over the name `item`) of every item of a list. -#}
    {{ return(adapter.dispatch('transform_list', 'user_segmentation')(list_sql, item, expression_sql)) }}
{%- endmacro %}

{% macro duckdb__transform_list(list_sql, item, expression_sql) -%}
    list_transform({{ list_sql }}, lambda {{ item }}: {{ expression_sql }})
{%- endmacro %}

{% macro spark__transform_list(list_sql, item, expression_sql) -%}
    transform({{ list_sql }}, {{ item }} -> {{ expression_sql }})
{%- endmacro %}

{% macro position_in_list(list_sql, item_sql) -%}
    {#- The 1-based position of an item in a list; null when it is not there (Spark's
        array_position says 0). -#}
    {{ return(adapter.dispatch('position_in_list', 'user_segmentation')(list_sql, item_sql)) }}
{%- endmacro %}

{% macro duckdb__position_in_list(list_sql, item_sql) -%}
    list_position({{ list_sql }}, {{ item_sql }})
{%- endmacro %}

{% macro spark__position_in_list(list_sql, item_sql) -%}
    nullif(array_position({{ list_sql }}, {{ item_sql }}), 0)
{%- endmacro %}

{% macro null_if_empty(list_sql) -%}
    {#- A list, or null when it has no items. -#}
    {{ return(adapter.dispatch('null_if_empty', 'user_segmentation')(list_sql)) }}
{%- endmacro %}

{% macro duckdb__null_if_empty(list_sql) -%}
    nullif({{ list_sql }}, [])
{%- endmacro %}

{% macro spark__null_if_empty(list_sql) -%}
    nullif({{ list_sql }}, array())
{%- endmacro %}

{% macro bit_or_of_list(list_sql) -%}
    {#- The bitwise or of a list of integers (null for an empty list). -#}
    {{ return(adapter.dispatch('bit_or_of_list', 'user_segmentation')(list_sql)) }}
{%- endmacro %}

{% macro duckdb__bit_or_of_list(list_sql) -%}
    list_aggregate({{ list_sql }}, 'bit_or')
{%- endmacro %}

{% macro spark__bit_or_of_list(list_sql) -%}
    case when size({{ list_sql }}) > 0 then aggregate({{ list_sql }}, 0, (mask, bit) -> mask | bit) end
{%- endmacro %}

{% macro struct_of(fields) -%}
    {#- A struct literal: `fields` is a list of (name, SQL expression) pairs. -#}
    {{ return(adapter.dispatch('struct_of', 'user_segmentation')(fields)) }}
{%- endmacro %}

{% macro duckdb__struct_of(fields) -%}
    {
    {%- for name, value in fields %}'{{ name }}': {{ value }}{{ ', ' if not loop.last }}{% endfor -%}
    }
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    named_struct(
    {%- for name, value in fields %}'{{ name }}', {{ value }}{{ ', ' if not loop.last }}{% endfor -%}
    )
{%- endmacro %}

{% macro is_finite(number_sql) -%}
    {#- True for a number that is neither infinite nor NaN (null stays null). -#}
    {{ return(adapter.dispatch('is_finite', 'user_segmentation')(number_sql)) }}
{%- endmacro %}

{% macro duckdb__is_finite(number_sql) -%}
    isfinite({{ number_sql }})
{%- endmacro %}

{% macro spark__is_finite(number_sql) -%}
    (not isnan({{ number_sql }}) and abs({{ number_sql }}) < double('inf'))
{%- endmacro %}

{% macro join_list(list_sql, separator_sql) -%}
    {#- The text items of a list joined by a separator (null items skipped). -#}
    {{ return(adapter.dispatch('join_list', 'user_segmentation')(list_sql, separator_sql)) }}
{%- endmacro %}

{% macro duckdb__join_list(list_sql, separator_sql) -%}
    array_to_string({{ list_sql }}, {{ separator_sql }})
{%- endmacro %}

{% macro spark__join_list(list_sql, separator_sql) -%}
    array_join({{ list_sql }}, {{ separator_sql }})
{%- endmacro %}

{% macro star_except(columns) -%}
    {#- Every column of the relation in scope but `columns` (a Jinja list of names). -#}
    {{ return(adapter.dispatch('star_except', 'user_segmentation')(columns)) }}
{%- endmacro %}

{% macro duckdb__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}

{% macro sorted_list(list_sql) -%}
    {#- A list sorted ascending. -#}
    {{ return(adapter.dispatch('sorted_list', 'user_segmentation')(list_sql)) }}
{%- endmacro %}

{% macro duckdb__sorted_list(list_sql) -%}
    list_sort({{ list_sql }})
{%- endmacro %}

{% macro spark__sorted_list(list_sql) -%}
    array_sort({{ list_sql }})
{%- endmacro %}

{% macro distinct_list(list_sql) -%}
    {#- A list without repeated items. -#}
    {{ return(adapter.dispatch('distinct_list', 'user_segmentation')(list_sql)) }}
{%- endmacro %}

{% macro duckdb__distinct_list(list_sql) -%}
    list_distinct({{ list_sql }})
{%- endmacro %}

{% macro spark__distinct_list(list_sql) -%}
    array_distinct({{ list_sql }})
{%- endmacro %}

{% macro concat_lists(first_sql, second_sql) -%}
    {#- The items of two lists, the first's then the second's. -#}
    {{ return(adapter.dispatch('concat_lists', 'user_segmentation')(first_sql, second_sql)) }}
{%- endmacro %}

{% macro duckdb__concat_lists(first_sql, second_sql) -%}
    list_concat({{ first_sql }}, {{ second_sql }})
{%- endmacro %}

{% macro spark__concat_lists(first_sql, second_sql) -%}
    concat({{ first_sql }}, {{ second_sql }})
{%- endmacro %}

{% macro list_length(list_sql) -%}
    {#- The number of items of a list (nulls included); null for a null list. -#}
    {{ return(adapter.dispatch('list_length', 'user_segmentation')(list_sql)) }}
{%- endmacro %}

{% macro duckdb__list_length(list_sql) -%}
    len({{ list_sql }})
{%- endmacro %}

{% macro spark__list_length(list_sql) -%}
    case when {{ list_sql }} is not null then size({{ list_sql }}) end
{%- endmacro %}

{% macro non_null_count(list_sql) -%}
    {#- The number of non-null items of a list. -#}
    {{ return(adapter.dispatch('non_null_count', 'user_segmentation')(list_sql)) }}
{%- endmacro %}

{% macro duckdb__non_null_count(list_sql) -%}
    list_count({{ list_sql }})
{%- endmacro %}

{% macro spark__non_null_count(list_sql) -%}
    size(filter({{ list_sql }}, item -> item is not null))
{%- endmacro %}

{% macro split_text(text_sql, separator) -%}
    {#- Text split at every occurrence of the literal `separator` (letters, commas, spaces). -#}
    {{ return(adapter.dispatch('split_text', 'user_segmentation')(text_sql, separator)) }}
{%- endmacro %}

{% macro duckdb__split_text(text_sql, separator) -%}
    string_split({{ text_sql }}, '{{ separator }}')
{%- endmacro %}

{% macro spark__split_text(text_sql, separator) -%}
    split({{ text_sql }}, '{{ separator }}')
{%- endmacro %}

{% macro map_of(pairs) -%}
    {#- A map literal of (key SQL, value SQL) pairs. -#}
    {{ return(adapter.dispatch('map_of', 'user_segmentation')(pairs)) }}
{%- endmacro %}

{% macro duckdb__map_of(pairs) -%}
    map {
    {%- for key, value in pairs %}
        {{ key }}: {{ value }}{{ ',' if not loop.last }}
    {%- endfor %}
    }
{%- endmacro %}

{% macro spark__map_of(pairs) -%}
    map(
    {%- for key, value in pairs %}
        {{ key }}, {{ value }}{{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{% macro map_lookup(map_sql, key_sql) -%}
    {#- The value of a key in a map; null when the key is not there. -#}
    {{ return(adapter.dispatch('map_lookup', 'user_segmentation')(map_sql, key_sql)) }}
{%- endmacro %}

{% macro duckdb__map_lookup(map_sql, key_sql) -%}
    {{ map_sql }}[{{ key_sql }}]
{%- endmacro %}

{% macro spark__map_lookup(map_sql, key_sql) -%}
    try_element_at({{ map_sql }}, {{ key_sql }})
{%- endmacro %}

{% macro row_number_in_read_order() -%}
    {#- 1, 2, 3, ... in the order the rows are read (a seed or one file: the file's order). -#}
    {{ return(adapter.dispatch('row_number_in_read_order', 'user_segmentation')()) }}
{%- endmacro %}

{% macro duckdb__row_number_in_read_order() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__row_number_in_read_order() -%}
    {#- A table's files are read biggest first, not in name order; within a file ids increase
        in read order, and a table written in order (a seed) has its parts in name order. -#}
    cast(row_number() over (order by input_file_name(), monotonically_increasing_id()) as bigint)
{%- endmacro %}

{% macro not_materialized() -%}
    {#- `as {{ not_materialized() }} (`: a CTE re-read by each of its readers, never copied
        (DuckDB's `not materialized`; Spark has no such hint and plans CTEs itself). -#}
    {{ return(adapter.dispatch('not_materialized', 'user_segmentation')()) }}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__not_materialized() -%}
{%- endmacro %}

{% macro materialized_cte() -%}
    {#- `as {{ materialized_cte() }} (`: a CTE computed once for all its readers (DuckDB's
        `materialized`; Spark has no such hint). -#}
    {{ return(adapter.dispatch('materialized_cte', 'user_segmentation')()) }}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}

{% macro ordered_text_agg(text_sql, separator_sql, order_sql) -%}
    {#- The texts of a group joined by a separator, in the given order: DuckDB's
        `string_agg(x, s order by o)`, Spark's `string_agg(x, s) within group (order by o)`. -#}
    {{ return(adapter.dispatch('ordered_text_agg', 'user_segmentation')(text_sql, separator_sql, order_sql)) }}
{%- endmacro %}

{% macro duckdb__ordered_text_agg(text_sql, separator_sql, order_sql) -%}
    string_agg({{ text_sql }}, {{ separator_sql }} order by {{ order_sql }})
{%- endmacro %}

{% macro spark__ordered_text_agg(text_sql, separator_sql, order_sql) -%}
    string_agg({{ text_sql }}, {{ separator_sql }}) within group (order by {{ order_sql }})
{%- endmacro %}

{% macro append_to_list(list_sql, item_sql) -%}
    {#- A list (null counts as empty) with one more item at its end. -#}
    {{ return(adapter.dispatch('append_to_list', 'user_segmentation')(list_sql, item_sql)) }}
{%- endmacro %}

{% macro duckdb__append_to_list(list_sql, item_sql) -%}
    list_append(coalesce({{ list_sql }}, []), {{ item_sql }})
{%- endmacro %}

{% macro spark__append_to_list(list_sql, item_sql) -%}
    case when {{ list_sql }} is null then array({{ item_sql }}) else concat({{ list_sql }}, array({{ item_sql }})) end
{%- endmacro %}

{% macro unnest_list(list_sql) -%}
    {#- One row per item of a list, in a select list: DuckDB's `unnest`, Spark's `explode`. -#}
    {{ return(adapter.dispatch('unnest_list', 'user_segmentation')(list_sql)) }}
{%- endmacro %}

{% macro duckdb__unnest_list(list_sql) -%}
    unnest({{ list_sql }})
{%- endmacro %}

{% macro spark__unnest_list(list_sql) -%}
    explode({{ list_sql }})
{%- endmacro %}

{% macro lists_overlap(first_sql, second_sql) -%}
    {#- True when two lists share an item: DuckDB's `list_has_any`, Spark's `arrays_overlap`. -#}
    {{ return(adapter.dispatch('lists_overlap', 'user_segmentation')(first_sql, second_sql)) }}
{%- endmacro %}

{% macro duckdb__lists_overlap(first_sql, second_sql) -%}
    list_has_any({{ first_sql }}, {{ second_sql }})
{%- endmacro %}

{% macro spark__lists_overlap(first_sql, second_sql) -%}
    arrays_overlap({{ first_sql }}, {{ second_sql }})
{%- endmacro %}

{% macro list_contains_item(list_sql, item_sql) -%}
    {#- True when a list holds an item: DuckDB's `list_contains`, Spark's `array_contains`. -#}
    {{ return(adapter.dispatch('list_contains_item', 'user_segmentation')(list_sql, item_sql)) }}
{%- endmacro %}

{% macro duckdb__list_contains_item(list_sql, item_sql) -%}
    list_contains({{ list_sql }}, {{ item_sql }})
{%- endmacro %}

{% macro spark__list_contains_item(list_sql, item_sql) -%}
    array_contains({{ list_sql }}, {{ item_sql }})
{%- endmacro %}

{% macro shift_right(value_sql, bits_sql) -%}
    {#- An integer shifted right by some bits: `>>` on DuckDB, `shiftright` on Spark (whose
        parser takes `>>` inside a lambda for the end of a type). -#}
    {{ return(adapter.dispatch('shift_right', 'user_segmentation')(value_sql, bits_sql)) }}
{%- endmacro %}

{% macro duckdb__shift_right(value_sql, bits_sql) -%}
    ({{ value_sql }} >> {{ bits_sql }})
{%- endmacro %}

{% macro spark__shift_right(value_sql, bits_sql) -%}
    shiftright({{ value_sql }}, {{ bits_sql }})
{%- endmacro %}

{% macro values_hash(columns) -%}
    {#- A 64-bit hash of the values of `columns` (a Jinja list of SQL expressions): equal values,
        equal hashes; a different one by a 2^-64 accident. -#}
    {{ return(adapter.dispatch('values_hash', 'user_segmentation')(columns)) }}
{%- endmacro %}

{% macro duckdb__values_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__values_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{% macro exact_hash_sum(columns) -%}
    {#- Aggregate: the exact sum of values_hash(columns) over the rows (0 for none), with no
        overflow (HUGEINT on DuckDB, decimal(38,0) on Spark), so independent of row order. -#}
    {{ return(adapter.dispatch('exact_hash_sum', 'user_segmentation')(columns)) }}
{%- endmacro %}

{% macro duckdb__exact_hash_sum(columns) -%}
    coalesce(sum({{ values_hash(columns) }}::hugeint), 0)
{%- endmacro %}

{% macro spark__exact_hash_sum(columns) -%}
    coalesce(sum(cast({{ values_hash(columns) }} as decimal(38, 0))), 0)
{%- endmacro %}

{% macro list_item(list_sql, position_sql) -%}
    {#- The item at a 1-based position of a list (within its length). -#}
    {{ return(adapter.dispatch('list_item', 'user_segmentation')(list_sql, position_sql)) }}
{%- endmacro %}

{% macro duckdb__list_item(list_sql, position_sql) -%}
    ({{ list_sql }})[{{ position_sql }}]
{%- endmacro %}

{% macro spark__list_item(list_sql, position_sql) -%}
    element_at({{ list_sql }}, {{ position_sql }})
{%- endmacro %}

{% macro constant_label(text) -%}
    {#- The same text on every row of a large table (a run id): a one-value ENUM on DuckDB (1
        byte a row to store, read as text), a string literal on Spark, which has no ENUM. -#}
    {{ return(adapter.dispatch('constant_label', 'user_segmentation')(text)) }}
{%- endmacro %}

{% macro duckdb__constant_label(text) -%}
    {{ sql_string(text) }}::enum({{ sql_string(text) }})
{%- endmacro %}

{% macro spark__constant_label(text) -%}
    {{ sql_string(text) }}
{%- endmacro %}

{% macro ordered_list(value_sql, order_sql) -%}
    {#- Aggregate: the values as a list in the order of another column (nulls kept). -#}
    {{ return(adapter.dispatch('ordered_list', 'user_segmentation')(value_sql, order_sql)) }}
{%- endmacro %}

{% macro duckdb__ordered_list(value_sql, order_sql) -%}
    list({{ value_sql }} order by {{ order_sql }})
{%- endmacro %}

{% macro spark__ordered_list(value_sql, order_sql) -%}
    transform(
        array_sort(collect_list(named_struct('sort_key', {{ order_sql }}, 'item', {{ value_sql }}))),
        entry -> entry.item
    )
{%- endmacro %}

{% macro value_at_max(value_sql, by_sql) -%}
    {#- Aggregate: the value of the row where another column is largest. -#}
    {{ return(adapter.dispatch('value_at_max', 'user_segmentation')(value_sql, by_sql)) }}
{%- endmacro %}

{% macro duckdb__value_at_max(value_sql, by_sql) -%}
    arg_max({{ value_sql }}, {{ by_sql }})
{%- endmacro %}

{% macro spark__value_at_max(value_sql, by_sql) -%}
    max_by({{ value_sql }}, {{ by_sql }})
{%- endmacro %}

{% macro list_positions(list_sql) -%}
    {#- The list 1, 2, ..., the length of a list (empty for an empty list). -#}
    {{ return(adapter.dispatch('list_positions', 'user_segmentation')(list_sql)) }}
{%- endmacro %}

{% macro duckdb__list_positions(list_sql) -%}
    range(1, len({{ list_sql }}) + 1)
{%- endmacro %}

{% macro spark__list_positions(list_sql) -%}
    case when size({{ list_sql }}) > 0 then sequence(1, size({{ list_sql }})) else cast(array() as array<int>) end
{%- endmacro %}
