{#- Segment x numeric feature (every engineered and raw behavioural feature, clustered on or
    not): mean, median, the population's mean, median and sd, the z of the segment mean and
    the index. Means and sds are over all users, in one pass over the labelled users (the
    population's follow from the segments'). Medians are exact over the fit sample (the
    vars.fit_sample_size users with the lowest sample_key): at millions of users an exact
    median over everybody costs more than the rest of the profile. -#}
{%- set features = numeric_features() %}
{%- set specs = cluster_feature_specs() %}
{%- set clustered = [] %}
{%- for spec in specs if spec.kind == 'numeric' %}{% do clustered.append(spec.name) %}{% endfor %}

-- noqa: disable=LT02
with

labelled as not materialized (
    -- The engineered features are computed here: int_labelled_users stores the base columns.
    -- Read twice (moments, sample) and never copied: materialized, this CTE would hold every
    -- user (at 100 million users, 50 s of spilling).
    select
        {%- for feature in features if feature in engineered_features() %}
        {{ engineered_feature(feature) }} as {{ feature }},
        {%- endfor %}
        *
    from {{ ref('int_labelled_users') }}
),

sample_cut as (
    -- The fit sample's users (int_fit_sample holds them in sample_key order).
    select max(sample_key) as max_sample_key
    from (
        select sample_key from {{ ref('int_fit_sample') }}
        order by sample_key, user_id
        limit {{ segmentation_settings()['fit_sample_size'] }}
    ) as fit_sample
),

segment_moments as (
    select
        segment_id,
        count(*) as users,
    {%- for feature in features %}
        avg({{ feature }}) as mean__{{ feature }},
        var_pop({{ feature }}) as variance__{{ feature }}{{ ',' if not loop.last }}
    {%- endfor %}
    from labelled
    group by segment_id
),

sample_users as materialized (
    -- Filtered once: a median with a FILTER clause per feature scans every user again.
    select
        labelled.segment_id,
    {%- for feature in features %}
        labelled.{{ feature }}{{ ',' if not loop.last }}
    {%- endfor %}
    from labelled
    cross join sample_cut
    where labelled.sample_key <= sample_cut.max_sample_key
),

segment_medians as (
    select
        segment_id,
    {%- for feature in features %}
        median({{ feature }}) as median__{{ feature }}{{ ',' if not loop.last }}
    {%- endfor %}
    from sample_users
    group by segment_id
),

population_medians as (
    select
    {%- for feature in features %}
        median({{ feature }}) as median__{{ feature }}{{ ',' if not loop.last }}
    {%- endfor %}
    from sample_users
),

long_form as (
    {%- for feature in features %}
        select
            segment_moments.segment_id,
            segment_moments.users,
            '{{ feature }}' as feature,
            {{ loop.index }} as feature_order,
            segment_moments.mean__{{ feature }} as segment_mean,
            segment_moments.variance__{{ feature }} as segment_variance,
            segment_medians.median__{{ feature }} as segment_median,
            population_medians.median__{{ feature }} as population_median
        from segment_moments
        left join segment_medians on segment_moments.segment_id = segment_medians.segment_id
        cross join population_medians
        {{ 'union all' if not loop.last }}
    {%- endfor %}
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
        feature in ({{ "'" ~ (clustered | join("', '")) ~ "'" if clustered else 'null' }}) as is_cluster_feature,
        users,
        segment_mean,
        segment_median,
        population_mean,
        population_median,
        population_sd,
        z_score,
        index_vs_population,
        row_number() over (partition by segment_id order by abs(z_score) desc, feature_order) as distinctiveness_rank,
        '{{ invocation_id }}' as run_id
    from scored
)

select * from final
