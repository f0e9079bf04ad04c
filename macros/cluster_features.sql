{#- The clustering design, from vars: which features, transformed and weighted how.

    numeric_features(): the engineered and raw behavioural columns of int_user_features
    that may be clustered on, with a label for each direction (used in segment names).
    cluster_feature_specs(): the validated list the models and the Python step use:
    name, kind (numeric | indicator), transform, weight, source column, level, labels. -#}

{% macro cluster_feature_specs() %}
    {%- set specs = [] -%}
    {%- set known = numeric_features() -%}
    {%- set features = var('cluster_features') -%}
    {%- if features is string -%}{%- set features = fromyaml(features) -%}{%- endif -%}
    {%- set features = dict(features or {}) -%}
    {%- if activity_enabled() -%}
        {#- With an activity log its default features join (README "Activity: events and orders"). -#}
        {%- set activity = var('activity_cluster_features') -%}
        {%- if activity is string -%}{%- set activity = fromyaml(activity) -%}{%- endif -%}
        {%- for name, options in (activity or {}).items() if name not in features -%}
            {%- do features.update({name: options}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for name, options in features.items() -%}
        {%- set options = options or {} -%}
        {%- if name not in known -%}
            {%- do exceptions.raise_compiler_error(
                "vars.cluster_features: unknown feature '" ~ name ~ "'. Known features: "
                ~ (known.keys() | list | join(', '))
                ~ ('' if activity_enabled() else ' (the activity features need interactions_path or transactions_path)')) -%}
        {%- endif -%}
        {%- set transform = options.get('transform', 'none') or 'none' -%}
        {%- if transform not in ['none', 'log1p'] -%}
            {%- do exceptions.raise_compiler_error(
                "vars.cluster_features." ~ name ~ ": transform '" ~ transform ~ "' is not none or log1p") -%}
        {%- endif -%}
        {%- set weight = options.get('weight', 1.0) -%}
        {%- if weight is not number or weight <= 0 -%}
            {%- do exceptions.raise_compiler_error(
                "vars.cluster_features." ~ name ~ ": weight must be a number above 0, got " ~ weight) -%}
        {%- endif -%}
        {%- set keep = options.get('keep', false) -%}
        {%- if keep is not sameas true and keep is not sameas false -%}
            {%- do exceptions.raise_compiler_error(
                "vars.cluster_features." ~ name ~ ": keep must be true or false, got " ~ (keep | tojson)) -%}
        {%- endif -%}
        {%- do specs.append({
            'name': name, 'kind': 'numeric', 'transform': transform, 'weight': weight, 'keep': keep,
            'source_column': name, 'level': none,
            'high_label': known[name][0], 'low_label': known[name][1],
        }) -%}
    {%- endfor -%}
    {%- set categoricals = var('cluster_categoricals') -%}
    {%- if categoricals is string -%}{%- set categoricals = fromyaml(categoricals) -%}{%- endif -%}
    {%- set levels = profile_levels() -%}
    {%- for column, weight in (categoricals or {}).items() -%}
        {%- if column not in levels -%}
            {%- do exceptions.raise_compiler_error(
                "vars.cluster_categoricals: unknown column '" ~ column ~ "'. Known: "
                ~ (levels.keys() | list | join(', '))) -%}
        {%- endif -%}
        {%- if weight is not number or weight <= 0 -%}
            {%- do exceptions.raise_compiler_error(
                "vars.cluster_categoricals." ~ column ~ ": weight must be a number above 0, got " ~ weight) -%}
        {%- endif -%}
        {%- for level in levels[column] -%}
            {%- do specs.append({
                'name': column ~ '__' ~ (level | lower | replace('+', 'plus') | replace(' ', '_') | replace('-', '_')),
                'kind': 'indicator', 'transform': 'none', 'weight': weight, 'keep': false,
                'source_column': column, 'level': level,
                'high_label': 'Mostly ' ~ level, 'low_label': 'Few ' ~ level,
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if specs | length == 0 -%}
        {%- do exceptions.raise_compiler_error('vars.cluster_features and vars.cluster_categoricals are both empty: nothing to cluster on') -%}
    {%- endif -%}
    {{ return(specs) }}
{% endmacro %}

{% macro feature_value_sql(spec) -%}
    {#- The feature before standardisation: transformed numeric, or a 0/1 indicator. -#}
    {%- if spec.kind == 'indicator' -%}
        case when {{ spec.source_column }} = '{{ spec.level }}' then 1.0 else 0.0 end
    {%- elif spec.transform == 'log1p' -%}
        ln(1 + greatest({{ spec.source_column }}, 0))
    {%- else -%}
        {{ spec.source_column }}::double
    {%- endif -%}
{%- endmacro %}

{% macro feature_stats_columns(stats_relation) -%}
    {#- The stats table pivoted to one row: mean_<i>, sd_<i> per feature position. -#}
    select
        {%- for spec in cluster_feature_specs() %}
        max(case when feature_position = {{ loop.index }} then mean end) as mean_{{ loop.index }},
        max(case when feature_position = {{ loop.index }} then sd end) as sd_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ stats_relation }}
{%- endmacro %}

{% macro z_value_sql(spec, position, stats_alias='stats') -%}
    {#- z = (value - mean) / sd * weight, 0 for a constant feature; indicators: 0/1 * weight. -#}
    {%- if spec.kind == 'indicator' -%}
        ({{ feature_value_sql(spec) }}) * {{ spec.weight }}
    {%- else -%}
        {%- set sd = stats_alias ~ '.sd_' ~ position -%}
        case when {{ sd }} > 0 then ({{ feature_value_sql(spec) }} - {{ stats_alias }}.mean_{{ position }})
            / {{ sd }} * {{ spec.weight }} else 0 end
    {%- endif -%}
{%- endmacro %}

{% macro feature_matrix_columns(keep_columns, features_alias='features', stats_alias='stats', by_position=false) -%}
    {#- The select list of the matrix K-Means is fitted on and users are labelled with: the
        keep_columns of int_user_features, then one z column per clustering feature
        (z_value_sql), named z_<feature> (or z<position> with by_position), over features_alias
        cross joined with the one-row stats pivot (feature_stats_columns). -#}
    {%- for column in keep_columns %}
    {{ features_alias }}.{{ column }},
    {%- endfor %}
    {%- for spec in cluster_feature_specs() %}
    {{ z_value_sql(spec, loop.index, stats_alias) }}
        as {{ 'z' ~ loop.index if by_position else 'z_' ~ spec.name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
