-- No segment holds less than vars.min_segment_share of the users (warn by default;
-- set vars.min_segment_share_severity: error to stop the build instead).
-- Shares come from dim_segments (whose shares are tested to sum to 1).
{{ config(severity=segmentation_settings()['min_segment_share_severity'] | upper) }}

select
    segment_id,
    share_of_users
from {{ ref('dim_segments') }}
where share_of_users < {{ segmentation_settings()['min_segment_share'] }}
