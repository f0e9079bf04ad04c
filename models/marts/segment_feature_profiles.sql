{#- Segment x numeric feature (every engineered and raw behavioural feature, clustered on or
    not): mean, median, the population's mean and sd, the z of the segment mean and the index.
    One pass over the labelled users with grouping sets; no join back to the users. -#}
{%- set features = numeric_features() %}
{%- set specs = cluster_feature_specs() %}
{%- set clustered = [] %}
{%- for spec in specs if spec.kind == 'numeric' %}{% do clustered.append(spec.name) %}{% endfor %}

with

labelled as (
    select * from {{ ref('int_segment_assignments') }}
),

moments as (
    select
        segment_id,
        count(*) as users,
        {%- for feature in features %}
        avg({{ feature }}) as mean__{{ feature }},
        median({{ feature }}) as median__{{ feature }},
        stddev_pop({{ feature }}) as sd__{{ feature }}{{ ',' if not loop.last }}
        {%- endfor %}
    from labelled
    group by grouping sets ((segment_id), ())
),

long_form as (
    {%- for feature in features %}
    select
        segment_id,
        users,
        '{{ feature }}' as feature,
        {{ loop.index }} as feature_order,
        mean__{{ feature }} as mean_value,
        median__{{ feature }} as median_value,
        sd__{{ feature }} as sd_value
    from moments
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

population as (
    select
        feature,
        mean_value as population_mean,
        median_value as population_median,
        sd_value as population_sd
    from long_form
    where segment_id is null
),

final as (
    select
        segments.segment_id,
        segments.feature,
        segments.feature_order,
        segments.feature in (
            {%- for name in clustered %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %}
            {%- if clustered | length == 0 %}null{% endif -%}
        ) as is_cluster_feature,
        segments.users,
        segments.mean_value as segment_mean,
        segments.median_value as segment_median,
        population.population_mean,
        population.population_median,
        population.population_sd,
        case
            when population.population_sd > 0
                then (segments.mean_value - population.population_mean) / population.population_sd
            else 0
        end as z_score,
        case
            when population.population_mean <> 0
                then segments.mean_value / population.population_mean * 100
        end as index_vs_population,
        row_number() over (
            partition by segments.segment_id
            order by
                case
                    when population.population_sd > 0
                        then abs(segments.mean_value - population.population_mean) / population.population_sd
                    else 0
                end desc,
                segments.feature_order
        ) as distinctiveness_rank,
        '{{ invocation_id }}' as run_id
    from long_form as segments
    inner join population on segments.feature = population.feature
    where segments.segment_id is not null
)

select * from final
