{#- vars.refit: false labels with a published model instead of fitting (README "Scoring with the
    published model"). The model comes from segmentation_models as the last published build
    left it: vars.model_id, or the latest when that is empty. -#}

{% macro refit_enabled() %}
    {%- set value = var('refit', true) -%}
    {%- if value is string -%}{%- set value = value | trim | lower not in ['false', '0', 'no'] -%}{%- endif -%}
    {{ return(value is sameas true or value == 1) }}
{% endmacro %}

{% macro scoring_model() %}
    {#- none when the build refits; else {model_id, k, features, means, sds} of the model to
        label with, or a compile error that says what is missing. -#}
    {%- if refit_enabled() or not execute -%}{{ return(none) }}{%- endif -%}
    {%- set models = published_relation('segmentation_models') -%}
    {%- if models is none -%}
        {%- do exceptions.raise_compiler_error(
            'vars.refit is false, but there is no published model to label with: the published '
            ~ 'warehouse has no segmentation_models table yet. Run a build with refit: true first.') -%}
    {%- endif -%}
    {%- set wanted = var('model_id', '') or '' -%}
    {%- set rows = run_query(
        'select model_id, k, to_json(features)::varchar, to_json(means)::varchar, to_json(sds)::varchar from '
        ~ models ~ (" where model_id = '" ~ (wanted | replace("'", "''")) ~ "'" if wanted else '')
        ~ ' order by created_at desc, model_id limit 1').rows -%}
    {%- if rows | length == 0 -%}
        {%- set known = run_query('select string_agg(model_id, \', \' order by created_at desc) from ' ~ models).rows[0][0] -%}
        {%- do exceptions.raise_compiler_error(
            'vars.model_id ' ~ (wanted | tojson) ~ ' is not in segmentation_models; the published models are: '
            ~ (known or 'none')) -%}
    {%- endif -%}
    {%- set model = {
        'model_id': rows[0][0], 'k': rows[0][1] | int, 'features': fromjson(rows[0][2]),
        'means': fromjson(rows[0][3]), 'sds': fromjson(rows[0][4]),
    } -%}
    {%- set wanted_features = cluster_feature_specs() | map(attribute='name') | list -%}
    {%- set missing = model.features | reject('in', wanted_features) | list -%}
    {%- set extra = wanted_features | reject('in', model.features) | list -%}
    {%- if missing or extra -%}
        {%- do exceptions.raise_compiler_error(
            'The published model ' ~ model.model_id ~ ' clusters on ' ~ (model.features | join(', '))
            ~ '; this build has ' ~ (wanted_features | join(', '))
            ~ (' (not in this build: ' ~ (missing | join(', ')) ~ ')' if missing else '')
            ~ (' (not in the model: ' ~ (extra | join(', ')) ~ ')' if extra else '')
            ~ '. Label with a model of the same features (vars.model_id), or refit.') -%}
    {%- endif -%}
    {{ return(model) }}
{% endmacro %}
