{#- Nearest-centroid labels for every valid user, in SQL: the centroids (k rows) are inlined as
    literals, so this streams through DuckDB at any size. Ties go to the lower segment id.
    previous_segment_id comes from this table as the last build left it. -#}
{%- set fit_relation = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='int_segmentation_fit') -%}
{%- set fit = ref('int_segmentation_fit') -%}
{%- set segments = [] -%}
{%- if execute and fit_relation is not none -%}
    {#- Joined text, values in their exact shortest form: agate returns list columns as strings. -#}
    {%- set long = run_query(
        'select segment_id, string_agg(feature, \',\' order by position), '
        ~ 'string_agg(value, \',\' order by position) from ('
        ~ 'select segment_id, unnest(features) as feature, unnest(centroid_z)::varchar as value, '
        ~ 'unnest(range(len(features))) as position from ' ~ fit ~ ') group by segment_id order by segment_id'
    ) -%}
    {%- for row in long.rows -%}
        {%- do segments.append({'id': row[0], 'features': row[1].split(','), 'centroid': row[2].split(',')}) -%}
    {%- endfor -%}
{%- endif -%}
{%- set previous = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}

{%- set specs = cluster_feature_specs() %}

with

features as (
    select * from {{ ref('int_user_features') }}
),

stats as (
    {{ feature_stats_columns(ref('int_feature_stats')) }}
),

matrix as (
    -- z computed inline (same macro as int_feature_matrix): the labelled rows keep every
    -- feature, so the profiles aggregate them without joining back to the users.
    select
        features.*,
        {%- for spec in specs %}
        {{ z_value_sql(spec, loop.index) }} as z_{{ spec.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from features
    cross join stats
),

{%- if segments | length > 0 %}

distances as (
    select
        * exclude ({% for spec in specs %}z_{{ spec.name }}{{ ', ' if not loop.last }}{% endfor %}),
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
        * exclude (squared_distances, nearest_first),
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
),
{%- else %}

labelled as (
    -- The fit table does not exist yet (compile before the first build): no labels.
    select
        * exclude ({% for spec in specs %}z_{{ spec.name }}{{ ', ' if not loop.last }}{% endfor %}),
        null::integer as segment_id,
        null::double as distance_to_centroid,
        null::integer as runner_up_segment_id,
        null::double as margin_to_runner_up
    from matrix
    where false
),
{%- endif %}

final as (
    select
        labelled.user_id,
        labelled.segment_id,
        labelled.distance_to_centroid,
        labelled.runner_up_segment_id,
        labelled.margin_to_runner_up,
        {%- for column in numeric_features() %}
        labelled.{{ column }},
        {%- endfor %}
        {%- for dimension in profile_levels() %}
        labelled.{{ dimension }},
        {%- endfor %}
        labelled.interests,
        {%- if previous is not none and execute %}
        previous_labels.segment_id as previous_segment_id,
        {%- else %}
        null::integer as previous_segment_id,
        {%- endif %}
        '{{ invocation_id }}' as run_id
    from labelled
    {%- if previous is not none and execute %}
    left join {{ previous }} as previous_labels
        on labelled.user_id = previous_labels.user_id
    {%- endif %}
)

select * from final
