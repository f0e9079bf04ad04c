{#- One row per k tried, as the k sweep (int_segmentation_k_sweep, a Python model) scored it:
    the published table, with a contract (a Python model cannot have one). -#}

with

sweep as (
    select * from {{ ref('int_segmentation_k_sweep') }}
),

final as (
    select
        run_id,
        k,
        inertia,
        silhouette,
        null_silhouette,
        silhouette_gap,
        calinski_harabasz,
        davies_bouldin,
        stability_ari,
        smallest_share,
        verdict,
        chosen,
        k_mode,
        choice_rule,
        features::{{ list_type('string') }} as clustered_features,
        dropped_features::{{ list_type('string') }} as dropped_features,
        feature_rule,
        selection_users,
        silhouette_users,
        seconds,
        scikit_learn_version,
        numpy_version,
        pandas_version,
        duckdb_version
    from sweep
)

select * from final
