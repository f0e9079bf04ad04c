{#- The pipeline's settings: the one path from vars to every reader. SQL models call
    segmentation_settings(); the Python models and the report read the same values from the
    model int_segmentation_settings (and the run history, segmentation_runs.settings_json). -#}

{% macro clustering_setting_names() %}
    {#- The settings that change the segmentation (with the features, they make the config hash). -#}
    {{ return([
        'k', 'k_min', 'k_max', 'seed', 'n_init', 'fit_sample_size', 'selection_sample_size',
        'silhouette_sample_size', 'stability_resamples', 'min_segment_share', 'feature_selection',
    ]) }}
{% endmacro %}

{% macro report_setting_names() %}
    {#- The settings that shape the profiles, the quality gates and the report. -#}
    {{ return([
        'min_segment_share_severity', 'min_cell_users', 'interest_index_threshold', 'report_top_traits',
        'histogram_bins', 'max_rejected_share', 'max_rejected_share_severity',
        'rule_min_precision', 'change_drifting_moved_share', 'change_reshaped_moved_share', 'change_drifting_sd', 'change_reshaped_sd',
    ]) }}
{% endmacro %}

{% macro segmentation_settings() %}
    {#- Every setting by name, from vars. -#}
    {%- set settings = {} -%}
    {%- for name in clustering_setting_names() + report_setting_names() -%}
        {%- do settings.update({name: var(name)}) -%}
        {#- A severity is read by test configs when dbt parses, before on-run-start's check. -#}
        {%- if name.endswith('_severity') and (var(name) | string | trim | lower) not in ['warn', 'error'] -%}
            {%- do exceptions.raise_compiler_error(
                'vars.' ~ name ~ ' must be one of warn | error, got ' ~ (var(name) | tojson)) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- The clustering features the sweep may never drop (vars.cluster_features.<name>.keep). -#}
    {#- (Read from the var itself: cluster_feature_specs validates it, at on-run-start.) -#}
    {%- set features = var('cluster_features') -%}
    {%- if features is string -%}{%- set features = fromyaml(features) -%}{%- endif -%}
    {%- set kept = [] -%}
    {%- for name, options in (features or {}).items() if options and options.get('keep') is sameas true -%}
        {%- do kept.append(name) -%}
    {%- endfor -%}
    {%- do settings.update({'kept_features': kept}) -%}
    {{ return(settings) }}
{% endmacro %}

{% macro clustering_config() %}
    {#- Everything that changes the segmentation; its hash identifies a configuration. -#}
    {%- set config = {'features': cluster_feature_specs()} -%}
    {%- for name in clustering_setting_names() -%}
        {%- do config.update({name: var(name)}) -%}
    {%- endfor -%}
    {{ return(config) }}
{% endmacro %}
