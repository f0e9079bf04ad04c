{#- Segment x numeric feature (every engineered and raw behavioural feature, clustered on or
    not): mean, median, the population's mean, median and sd, the z of the segment mean and
    the index. The population's mean and sd follow from the segments' moments
    (int_segment_feature_moments); medians are over the fit sample. -#}
{%- set clustered = [] %}
{%- for spec in cluster_feature_specs() if spec.kind == 'numeric' %}{% do clustered.append(spec.name) %}{% endfor %}

-- noqa: disable=LT02
with

long_form as (
    select * from {{ ref('int_segment_feature_moments') }}
),

population as (
    -- Pooled over the segments: mean = sum(n * mean) / N, variance = sum(n * (var + mean^2)) / N - mean^2.
    select
        feature,
        sum(users * segment_mean) / sum(users) as population_mean,
        sqrt(greatest(
            sum(users * (segment_variance + segment_mean * segment_mean)) / sum(users)
            - power(sum(users * segment_mean) / sum(users), 2),
            0
        )) as population_sd
    from long_form
    group by feature
),

scored as (
    select
        long_form.segment_id,
        long_form.feature,
        long_form.feature_order,
        long_form.users,
        long_form.segment_mean,
        long_form.segment_median,
        population.population_mean,
        long_form.population_median,
        population.population_sd,
        case
            when population.population_sd > 1e-12
                then (long_form.segment_mean - population.population_mean) / population.population_sd
            else 0
        end as z_score,
        case
            when population.population_mean <> 0
                then long_form.segment_mean / population.population_mean * 100
        end as index_vs_population
    from long_form
    inner join population on long_form.feature = population.feature
),

final as (
    select
        segment_id,
        feature,
        feature_order,
        {%- if clustered %}
        feature in (
            {%- for batch in clustered | batch(4) %}
            {{ "'" ~ (batch | join("', '")) ~ "'" }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_cluster_feature,
        {%- else %}
        false as is_cluster_feature,
        {%- endif %}
        users,
        segment_mean,
        segment_median,
        population_mean,
        population_median,
        population_sd,
        z_score,
        index_vs_population,
        row_number() over (
            partition by segment_id order by abs(z_score) desc, feature_order
        )::bigint as distinctiveness_rank,
        '{{ invocation_id }}' as run_id
    from scored
)

select * from final
