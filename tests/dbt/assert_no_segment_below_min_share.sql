-- No segment holds less than vars.min_segment_share of the users (warn by default;
-- set vars.min_segment_share_severity: error to stop the build instead).
{{ config(severity=var('min_segment_share_severity', 'warn') | upper) }}

with

sizes as (
    select
        segment_id,
        count(*) / sum(count(*)) over () as share
    from {{ ref('int_segment_assignments') }}
    group by segment_id
),

final as (
    select
        segment_id,
        share
    from sizes
    where share < {{ var('min_segment_share') }}
)

select * from final
