{{ config(materialized='table') }}
{#- Append-only history: the published builds' rows (as readers see them, `published`) and this
    build's row. Only published builds are in it: a failed build's row stays in its own file. -#}

with

chosen_k as (
    select * from {{ ref('segmentation_k_selection') }}
    where chosen
),

valid as (
    select count(*) as valid_users
    from {{ ref('stg_user_profiles') }}
),

rejected as (
    select count(*) as rejected_rows
    from {{ ref('rejected_user_profiles') }}
),

parsed as (
    -- Every input record is valid or rejected, exactly once (assert_every_input_row_accounted_for).
    select
        valid.valid_users + rejected.rejected_rows as input_rows,
        valid.valid_users,
        rejected.rejected_rows
    from valid
    cross join rejected
),

assignments as (
    select
        count(*) filter (
            where previous_segment_id is not null and previous_segment_id <> segment_id
        ) as users_changed_segment,
        count(*) filter (where previous_segment_id is not null) as users_in_previous_run
    from {{ ref('int_segment_assignments') }}
),

settings as (
    select * from {{ ref('int_segmentation_settings') }}
),

fit as (
    select
        bool_or(matched_previous_run) as ids_matched_to_previous_run,
        any_value(model_id) as model_id
    from {{ ref('int_segmentation_fit') }}
),

final as (
    select
        '{{ invocation_id }}' as run_id,
        '{{ run_started_at.isoformat() }}'::{{ zoned_timestamp_type() }} as run_started_at,
        current_timestamp as run_recorded_at,
        {{ sql_string(input_path() if input_path() != '' else 'seed: raw_user_profiles') }} as input,
        parsed.input_rows,
        parsed.valid_users,
        parsed.rejected_rows,
        settings.config_hash,
        settings.clustering_config_json as config_json,
        settings.settings_json,
        chosen_k.k,
        chosen_k.k_mode,
        chosen_k.choice_rule,
        chosen_k.silhouette,
        chosen_k.null_silhouette,
        chosen_k.silhouette_gap,
        chosen_k.stability_ari,
        chosen_k.verdict,
        fit.ids_matched_to_previous_run,
        fit.model_id,
        {{ 'true' if refit_enabled() else 'false' }} as refitted,
        assignments.users_in_previous_run,
        assignments.users_changed_segment,
        '{{ dbt_version }}' as dbt_version,
        chosen_k.scikit_learn_version,
        chosen_k.numpy_version,
        chosen_k.pandas_version,
        chosen_k.duckdb_version
    from chosen_k
    cross join parsed
    cross join assignments
    cross join fit
    cross join settings
),

all_runs as (
    {{ append_to_published('final') }}
)

select * from all_runs
