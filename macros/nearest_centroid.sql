{#- Nearest-centroid labelling in SQL for int_labelled_users (a stored table; the narrow
    int_segment_assignments is a view over it), with the fitted centroids inlined. -#}

{% macro fitted_segments() %}
    {#- The centroids of int_segmentation_fit as [{id, features, centroid}], values as exact text
        (run_query returns list columns as strings, so they are joined and split). -#}
    {%- set segments = [] -%}
    {%- set fit = ref('int_segmentation_fit') -%}
    {%- set exists = adapter.get_relation(database=fit.database, schema=fit.schema, identifier=fit.identifier) -%}
    {%- if execute and exists is not none -%}
        {%- set rows = run_query(
            "select segment_id, string_agg(feature, ',' order by position), "
            ~ "string_agg(value, ',' order by position) from ("
            ~ "select segment_id, unnest(features) as feature, unnest(centroid_z)::varchar as value, "
            ~ "unnest(range(len(features))) as position from " ~ fit ~ ") group by segment_id order by segment_id"
        ).rows -%}
        {%- for row in rows -%}
            {%- do segments.append({'id': row[0], 'features': row[1].split(','), 'centroid': row[2].split(',')}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(segments) }}
{% endmacro %}

{% macro labelled_users_sql(keep_columns) %}
    {#- Every valid user with its segment, distance, runner-up and margin, plus keep_columns
        from int_user_features. z is computed inline with the same macro as the matrix. -#}
    {%- set segments = fitted_segments() -%}
    with

    matrix as (
        {{ feature_matrix_sql(keep_columns) }}
    ),

    {%- if segments | length > 0 %}

    distances as (
        -- Squared distance to each centroid; x * x, not power(x, 2), which costs twice as much
        -- at millions of rows.
        select
            {%- for column in keep_columns %}
            {{ column }},
            {%- endfor %}
            {%- for segment in segments %}
            {%- set outer_loop = loop %}
            (
                {%- for feature in segment.features %}
                (z_{{ feature }} - ({{ segment.centroid[loop.index0] }}))
                * (z_{{ feature }} - ({{ segment.centroid[loop.index0] }})){{ ' +' if not loop.last }}
                {%- endfor %}
            ) as squared_distance_{{ segment.id }}{{ ',' if not outer_loop.last }}
            {%- endfor %}
        from matrix
    ),

    nearest as (
        -- Nearest centroid, ties to the lower id (scalar least() and case: no list per user).
        select
            *,
            least({% for segment in segments %}squared_distance_{{ segment.id }}{{ ', ' if not loop.last }}{% endfor %})
                as nearest_squared_distance,
            case
                {%- for segment in segments %}
                when squared_distance_{{ segment.id }} = least(
                    {%- for other in segments %}squared_distance_{{ other.id }}{{ ', ' if not loop.last }}{% endfor -%}
                ) then {{ segment.id }}
                {%- endfor %}
            end as nearest_segment_id
        from distances
    ),

    {%- if segments | length > 1 %}

    runner_up as (
        select
            *,
            case nearest_segment_id
                {%- for segment in segments %}
                when {{ segment.id }} then least(
                    {%- for other in segments if other.id != segment.id %}squared_distance_{{ other.id }}{{ ', ' if not loop.last }}{% endfor -%}
                )
                {%- endfor %}
            end as runner_up_squared_distance
        from nearest
    ),
    {%- endif %}

    labelled as (
        select
            {%- for column in keep_columns %}
            {{ column }},
            {%- endfor %}
            nearest_segment_id::integer as segment_id,
            sqrt(nearest_squared_distance) as distance_to_centroid,
            {%- if segments | length > 1 %}
            case
                {%- for segment in segments %}
                when nearest_segment_id <> {{ segment.id }}
                    and squared_distance_{{ segment.id }} = runner_up_squared_distance then {{ segment.id }}
                {%- endfor %}
            end::integer as runner_up_segment_id,
            sqrt(runner_up_squared_distance) - sqrt(nearest_squared_distance) as margin_to_runner_up
        from runner_up
            {%- else %}
            null::integer as runner_up_segment_id,
            null::double as margin_to_runner_up
        from nearest
            {%- endif %}
    )
    {%- else %}

    labelled as (
        -- The fit table does not exist yet (compile before the first build): no labels.
        select
            {%- for column in keep_columns %}
            {{ column }},
            {%- endfor %}
            null::integer as segment_id,
            null::double as distance_to_centroid,
            null::integer as runner_up_segment_id,
            null::double as margin_to_runner_up
        from matrix
        where false
    )
    {%- endif %}

    select * from labelled
{% endmacro %}
