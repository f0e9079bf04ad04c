{{ config(materialized='table') }}
{#- Segment x numeric feature (every engineered and raw behavioural feature): users, mean,
    variance and median, and the population's median; segment_feature_profiles scores them.
    Means and variances are over all users, in one pass over the labelled users. Medians are
    exact over the fit sample (the vars.fit_sample_size users with the lowest sample_key): at
    millions of users an exact median over everybody costs more than the rest of the profile.
    A table of k x features rows: the mart reads it twice. -#}
{%- set features = numeric_features() %}

-- noqa: disable=LT02,LT05
with

labelled as {{ not_materialized() }} (
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
        avg({{ feature }}) as mean__{{ feature }}, var_pop({{ feature }}) as variance__{{ feature }}{{ ',' if not loop.last }}
    {%- endfor %}
    from labelled
    group by segment_id
),

sample_users as {{ materialized_cte() }} (
    -- Filtered once: a median with a FILTER clause per feature scans every user again.
    select
        labelled.segment_id,
    {%- for batch in features | batch(4) %}
    {%- set outer = loop %}
        {% for feature in batch %}labelled.{{ feature }}{{ ', ' if not (loop.last and outer.last) }}{% endfor %}
    {%- endfor %}
    from labelled
    cross join sample_cut
    where labelled.sample_key <= sample_cut.max_sample_key
),

segment_medians as (
    select
        segment_id,
    {%- for batch in features | batch(2) %}
    {%- set outer = loop %}
        {% for feature in batch %}median({{ feature }}) as median__{{ feature }}{{ ', ' if not (loop.last and outer.last) }}{% endfor %}
    {%- endfor %}
    from sample_users
    group by segment_id
),

population_medians as (
    select
    {%- for batch in features | batch(2) %}
    {%- set outer = loop %}
        {% for feature in batch %}median({{ feature }}) as median__{{ feature }}{{ ', ' if not (loop.last and outer.last) }}{% endfor %}
    {%- endfor %}
    from sample_users
),

long_form as (
    {%- for feature in features %}
        select
            segment_moments.segment_id, segment_moments.users, '{{ feature }}' as feature, {{ loop.index }} as feature_order,
            segment_moments.mean__{{ feature }} as segment_mean, segment_moments.variance__{{ feature }} as segment_variance,
            segment_medians.median__{{ feature }} as segment_median, population_medians.median__{{ feature }} as population_median
        from segment_moments
        left join segment_medians on segment_moments.segment_id = segment_medians.segment_id
        cross join population_medians
        {{- '\n        union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select * from long_form
)

select * from final
