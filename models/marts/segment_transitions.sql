{{ config(materialized='table') }}
{#- Append-only: for each build, how its users moved since the previous published build. One
    row per previous run, current run, previous segment and current segment with the users
    that made that move; new users (not in the previous build) have a null previous segment,
    departed users (gone from this build) a null current segment. A first build adds no rows:
    there is nothing to compare yet (previous_run is empty). -#}
{%- set previous_labels = published_relation('int_labelled_users') %}
{%- set previous_runs = published_relation('segmentation_runs') %}
{%- set comparable = previous_labels is not none and previous_runs is not none %}

with

current_labels as (
    select
        user_id,
        segment_id
    from {{ ref('int_segment_assignments') }}
),

previous_labels as (
    select
        user_id,
        segment_id
    from {{ previous_labels if comparable else 'current_labels' }}
    {{- '' if comparable else '\n    where false' }}
),

previous_run as (
    select run_id
    {%- set no_runs = "(select null::string as run_id, null::" ~ zoned_timestamp_type() ~ " as run_started_at)" %}
    from {{ previous_runs if comparable else no_runs }}
    {{- '' if comparable else '\n    where false' }}
    order by run_started_at desc, run_id desc
    limit 1
),

paired as (
    select
        previous_labels.segment_id as previous_segment_id,
        current_labels.segment_id as current_segment_id
    from current_labels
    full outer join previous_labels on current_labels.user_id = previous_labels.user_id
),

this_build as (
    select
        previous_run.run_id as previous_run_id,
        '{{ invocation_id }}' as run_id,
        paired.previous_segment_id::integer as previous_segment_id,
        paired.current_segment_id::integer as segment_id,
        case
            when paired.previous_segment_id is null then 'new'
            when paired.current_segment_id is null then 'departed'
            when paired.previous_segment_id = paired.current_segment_id then 'stayed'
            else 'moved'
        end as movement,
        count(*) as users
    from paired
    cross join previous_run
    group by all
),

final as (
    {{ append_to_published('this_build') }}
)

select * from final
