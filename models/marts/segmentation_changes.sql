{{ config(materialized='table') }}
{#- Append-only: one row per build that had a previous published build, with what changed
    since it and a verdict (stable, drifting, reshaped; thresholds: vars change_*). -#}
{%- set history = published_relation(this.identifier) %}
{%- set settings = segmentation_settings() %}

with

transitions as (
    select * from {{ ref('segment_transitions') }}
    where run_id = '{{ invocation_id }}'
),

drift as (
    select * from {{ ref('segment_centroid_drift') }}
),

moves as (
    select
        any_value(previous_run_id) as previous_run_id,
        coalesce(sum(users) filter (where movement in ('stayed', 'moved')), 0)::bigint as users_in_both,
        coalesce(sum(users) filter (where movement = 'moved'), 0)::bigint as users_moved,
        coalesce(sum(users) filter (where movement = 'new'), 0)::bigint as new_users,
        coalesce(sum(users) filter (where movement = 'departed'), 0)::bigint as departed_users,
        count(distinct previous_segment_id) as previous_k,
        count(distinct segment_id) as k
    from transitions
),

drifts as (
    select
        any_value(previous_model_id) as previous_model_id,
        any_value(model_id) as model_id,
        max(abs(drift_sd)) as max_drift_sd
    from drift
),

measured as (
    select
        moves.previous_run_id,
        '{{ invocation_id }}' as run_id,
        drifts.previous_model_id,
        drifts.model_id,
        moves.previous_k,
        moves.k,
        moves.users_in_both,
        moves.users_moved,
        moves.users_moved / nullif(moves.users_in_both, 0) as moved_share,
        moves.new_users,
        moves.departed_users,
        drifts.max_drift_sd
    from moves
    cross join drifts
    where moves.previous_run_id is not null
),

this_build as (
    select
        *,
        case
            when
                k <> previous_k
                or coalesce(moved_share, 0) >= {{ settings.change_reshaped_moved_share }}
                or coalesce(max_drift_sd, 0) >= {{ settings.change_reshaped_sd }}
                then 'reshaped'
            when
                coalesce(moved_share, 0) >= {{ settings.change_drifting_moved_share }}
                or coalesce(max_drift_sd, 0) >= {{ settings.change_drifting_sd }}
                then 'drifting'
            else 'stable'
        end as verdict
    from measured
),

final as (
    {%- if history is not none %}
    select * from {{ history }}
    union all by name
    {%- endif %}
    select * from this_build
)

select * from final
