{#- Mean and standard deviation of each clustering feature over all valid users (with an
    activity log: the users with activity, the ones the fit learns from), computed once
    (a stats table joined to the users is much cheaper than a window over all rows). With
    vars.refit: false they are the published model's (scoring_model()), so new users are
    standardised exactly as the users the model was fitted on. -#}
{%- set specs = cluster_feature_specs() %}
{%- set model = scoring_model() %}

-- noqa: disable=LT02
with

features as (
    select * from {{ ref('int_user_features') }}
    {%- if activity_enabled() %}
    where {{ fitted_on_activity() }}
    {%- endif %}
),

moments as (
    select
        count(*) as users,
    {%- for spec in specs %}
        avg({{ feature_value_sql(spec) }}) as mean_{{ loop.index }},
        coalesce(stddev_pop({{ feature_value_sql(spec) }}), 0) as sd_{{ loop.index }}{{ ',' if not loop.last }}
    
    
    {%- endfor %}
    from features
),

final as (
    {%- for spec in specs %}
        select
            {{ loop.index }} as feature_position,
            '{{ spec.name }}' as feature,
            '{{ spec.kind }}' as feature_kind,
            '{{ spec.source_column }}' as source_column,
            {{ "'" ~ spec.level ~ "'" if spec.level else 'null' }}::string as feature_level,
            '{{ spec.transform }}' as transform,
            {{ spec.weight }}::double as weight,
            {%- set catalog = feature_catalog().get(spec.name, {}) %}
            {%- set column_label = spec.source_column | replace('_', ' ') | capitalize %}
            {%- set label = catalog.get('label', spec.name) if spec.kind == 'numeric' else column_label %}
            {{ sql_string(label) }} as feature_label,
            '{{ spec.high_label }}' as high_label,
            '{{ spec.low_label }}' as low_label,
            users,
            {%- if model is none %}
            mean_{{ loop.index }} as mean,
            sd_{{ loop.index }} as sd,
            {%- else %}
            {%- set position = model.features.index(spec.name) %}
            {{ model.means[position] }}::double as mean,
            {{ model.sds[position] }}::double as sd,
            {%- endif %}
            '{{ invocation_id }}' as run_id
        from moments
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
