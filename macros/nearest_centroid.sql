{#- Nearest-centroid labelling in SQL, shared by int_segment_assignments (narrow, stored)
    and int_labelled_users (wide view for the profiles), so both label identically. -#}

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
        select
            {%- for column in keep_columns %}
            {{ column }},
            {%- endfor %}
            [
                {%- for segment in segments %}
                {%- set outer_loop = loop %}
                (
                    {%- for feature in segment.features %}
                    power(z_{{ feature }} - ({{ segment.centroid[loop.index0] }}), 2){{ ' +' if not loop.last }}
                    {%- endfor %}
                ){{ ',' if not outer_loop.last }}
                {%- endfor %}
            ] as squared_distances
        from matrix
    ),

    ranked as (
        select
            *,
            list_grade_up(squared_distances) as nearest_first
        from distances
    ),

    labelled as (
        select
            {%- for column in keep_columns %}
            {{ column }},
            {%- endfor %}
            nearest_first[1]::integer as segment_id,
            sqrt(squared_distances[nearest_first[1]]) as distance_to_centroid,
            {%- if segments | length > 1 %}
            nearest_first[2]::integer as runner_up_segment_id,
            sqrt(squared_distances[nearest_first[2]]) - sqrt(squared_distances[nearest_first[1]])
                as margin_to_runner_up
            {%- else %}
            null::integer as runner_up_segment_id,
            null::double as margin_to_runner_up
            {%- endif %}
        from ranked
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
