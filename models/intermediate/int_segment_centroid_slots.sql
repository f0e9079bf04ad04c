{{ config(materialized='view') }}
{#- The fitted centroids as one row, for labelling every user in SQL: c<slot>_<position> is
    the centroid of segment <slot> on the clustering feature at <position>, in weighted
    z-units; w_<position> is 1 for a feature the segments were fitted on and 0 for one the k
    sweep dropped as noise (labelling ignores it). Slots run to the highest k the settings
    allow; a slot without a segment is null. -#}

-- noqa: disable=LT02
with

centroids as (
    select * from {{ ref('int_segment_centroids') }}
),

final as (
    select
        {{ segment_slots() | length }} as segment_slots,
        {%- for spec in cluster_feature_specs() %}
        coalesce(max(case when feature = '{{ spec.name }}' and is_clustered then 1.0 end), 0.0) as w_{{ loop.index }},
        {%- endfor %}
        {%- for slot in segment_slots() %}
        {%- set slot_loop = loop %}
        {%- for spec in cluster_feature_specs() %}
        max(case when segment_id = {{ slot }} and feature = '{{ spec.name }}' then centroid_weighted_z end)
            as c{{ slot }}_{{ loop.index }}{{ ',' if not (loop.last and slot_loop.last) }}
        {%- endfor %}
        {%- endfor %}
    from centroids
)

select * from final
