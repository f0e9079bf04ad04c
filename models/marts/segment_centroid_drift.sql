{#- This build's centroids against the previous published build's, per segment id and
    clustering feature, in the previous model's feature sds. Empty on a first build. A segment
    id in only one of the two builds (k changed) has a null drift. -#}
{%- set previous_runs = published_relation('segmentation_runs') %}

with

centroids as (
    select * from {{ ref('segment_model_centroids') }}
),

current_model as (
    select any_value(model_id) as model_id
    from {{ ref('int_segmentation_fit') }}
),

previous_model as (
    {%- if previous_runs is not none %}
        select
            run_id,
            model_id
        from {{ previous_runs }}
        where model_id is not null
        order by run_started_at desc, run_id desc
        limit 1
    {%- else %}
        select
            null::string as run_id,
            null::string as model_id
        where false
    {%- endif %}
),

current_centroids as (
    select centroids.*
    from centroids
    inner join current_model on centroids.model_id = current_model.model_id
),

previous_centroids as (
    select centroids.*
    from centroids
    inner join previous_model on centroids.model_id = previous_model.model_id
),

final as (
    select
        previous_model.run_id as previous_run_id,
        '{{ invocation_id }}' as run_id,
        previous_model.model_id as previous_model_id,
        current_model.model_id,
        coalesce(current_centroids.segment_id, previous_centroids.segment_id)::integer as segment_id,
        coalesce(current_centroids.feature, previous_centroids.feature) as feature,
        previous_centroids.centroid_value as previous_centroid_value,
        current_centroids.centroid_value,
        (current_centroids.centroid_value - previous_centroids.centroid_value)
        / nullif(previous_centroids.feature_sd, 0) as drift_sd
    from current_centroids
    full outer join previous_centroids
        on
            current_centroids.segment_id = previous_centroids.segment_id
            and current_centroids.feature = previous_centroids.feature
    cross join previous_model
    cross join current_model
)

select * from final
