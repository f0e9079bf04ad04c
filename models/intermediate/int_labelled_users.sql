{#- Every valid user, labelled by the nearest centroid in SQL (ties to the lower id), with the
    base behavioural columns, demographics and the interests (as a bitmask): the one stored
    copy the profile marts aggregate, so they need no join back to the users. The engineered
    features are not stored: readers compute them with engineered_feature() (at 10 million
    users the write, not the labelling, is the cost). previous_segment_id comes from this
    table as the last published build left it (`published`, macro published_relation). -#}
{%- set keep = ['user_id', 'sample_key', 'interest_mask', 'other_interests']
    + (numeric_features().keys() | reject('in', engineered_features()) | list)
    + (profile_levels().keys() | list) %}
{%- set previous = published_relation(this.identifier) %}
{%- set slots = segment_slots() %}

-- noqa: disable=LT02
with

features as (
    select * from {{ ref('int_user_features') }}
),

stats as (
    {{ feature_stats_columns(ref('int_feature_stats')) }}
),

centroids as (
    select * from {{ ref('int_segment_centroid_slots') }}
),

distances as (
    select
        {{- feature_matrix_columns(keep, by_position=true) }}
    from features
    cross join stats
),

scored as (
    select
        distances.*,
        {%- for slot in slots %}
        {{ squared_distance_sql(slot) }}
            as squared_distance_{{ slot }}{{ ',' if not loop.last }}
        {%- endfor %}
    from distances
    cross join centroids
),

nearest as (
    select
        *,
        least({{ slot_distances() }}) as nearest_squared_distance
    from scored
),

ranked as (
    select
        *,
        case
            {%- for slot in slots %}
            when squared_distance_{{ slot }} = nearest_squared_distance then {{ slot }}
            {%- endfor %}
        end as nearest_segment_id
    from nearest
),

runner_up as (
    select
        *,
        case nearest_segment_id
            {%- for slot in slots %}
            when {{ slot }} then least({{ slot_distances(except_slot=slot) }})
            {%- endfor %}
        end as runner_up_squared_distance
    from ranked
),

labelled as (
    select
        {%- for column in keep %}
        runner_up.{{ column }},
        {%- endfor %}
        runner_up.nearest_segment_id::integer as segment_id,
        sqrt(runner_up.nearest_squared_distance) as distance_to_centroid,
        case
            {%- for slot in slots %}
            when runner_up.nearest_segment_id <> {{ slot }}
                and runner_up.squared_distance_{{ slot }} = runner_up.runner_up_squared_distance then {{ slot }}
            {%- endfor %}
        end::integer as runner_up_segment_id,
        sqrt(runner_up.runner_up_squared_distance) - sqrt(runner_up.nearest_squared_distance) as margin_to_runner_up
    from runner_up
),

final as (
    select
        labelled.*,
        {%- if previous is not none %}
        previous_labels.segment_id as previous_segment_id,
        {%- else %}
        null::integer as previous_segment_id,
        {%- endif %}
        -- On DuckDB a one-value ENUM, not text: the same id on every row, but 1 byte instead
        -- of a string per user (text cost 1.3 s per 10 million rows to write). It reads as text.
        {{ constant_label(invocation_id) }} as run_id
    from labelled
    {%- if previous is not none %}
    left join {{ previous }} as previous_labels
        on labelled.user_id = previous_labels.user_id
    {%- endif %}
)

select * from final
