{#- The distribution of every numeric input column over all valid users: vars.histogram_bins
    equal-width bins between the column's minimum and maximum, with the users in each (every
    bin present, 0 where empty; a constant column has one bin). What the report's histograms
    draw; one scan for the bounds, then one single-column count per column. -#}
{%- set columns = numeric_checks() | map(attribute=0) | list %}
{%- set bins = segmentation_settings()['histogram_bins'] | int %}

-- noqa: disable=LT02
with

-- Read once for the bounds and once per column: re-read, never copied.
labelled as {{ not_materialized() }} (
    select * from {{ ref('int_labelled_users') }}
),

bounds as (
    {%- for column in columns %}
    select '{{ column }}' as feature, {{ loop.index }} as feature_order,
        min({{ column }})::double as low, max({{ column }})::double as high
    from labelled
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

counted as (
    {%- for column in columns %}
    select '{{ column }}' as feature, least(floor(({{ column }} - bounds.low)
        / nullif(bounds.high - bounds.low, 0) * {{ bins }}), {{ bins - 1 }})::integer as bin, count(*) as users
    from labelled
    cross join bounds
    where bounds.feature = '{{ column }}'
    group by all
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

bin_numbers as (
    select {{ unnest_list(list_of(range(bins) | map('string') | list)) }} as bin
),

grid as (
    select
        bounds.feature,
        bounds.feature_order,
        bounds.low,
        bounds.high,
        bin_numbers.bin
    from bounds
    cross join bin_numbers
    where bin_numbers.bin = 0 or bounds.high > bounds.low
),

final as (
    select
        grid.feature,
        grid.feature_order,
        grid.bin,
        grid.low + grid.bin * (grid.high - grid.low) / {{ bins }} as bin_low,
        case
            when grid.high > grid.low then grid.low + (grid.bin + 1) * (grid.high - grid.low) / {{ bins }}
            else grid.high
        end as bin_high,
        coalesce(counted.users, 0) as users,
        '{{ invocation_id }}' as run_id
    from grid
    left join counted
        on grid.feature = counted.feature and coalesce(counted.bin, 0) = grid.bin
)

select * from final
