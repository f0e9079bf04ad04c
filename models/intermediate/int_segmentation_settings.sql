{{ config(materialized='view') }}
{#- The settings of this build as one JSON object (segmentation_settings()): what the two
    Python models and segmentation_runs read, so every reader sees the same values. -#}

with

final as (
    select
        {{ sql_long_string(tojson(segmentation_settings())) }} as settings_json,
        {{ sql_long_string(tojson(clustering_config())) }} as clustering_config_json,
        {{ sql_string(local_md5(tojson(clustering_config()))) }} as config_hash,
        '{{ invocation_id }}' as run_id
)

select * from final
