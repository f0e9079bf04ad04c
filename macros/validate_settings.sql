{#- Start-up check of every var in dbt_project.yml, run by on-run-start before any node: a
    bad setting stops the build with one compiler error that lists every problem, the
    setting's name and its allowed range (not a traceback from a model half-way through).
    The environment settings (SEGMENTATION_DB, SEGMENTATION_MEMORY_LIMIT,
    SEGMENTATION_STORAGE_VERSION) are checked earlier, in Python, by the dbt-duckdb plugin
    (user_segmentation.settings_check). -#}

{% macro _is_whole(value) %}
    {#- True for an integer (not a boolean), or text that is exactly an integer ("12"). -#}
    {%- if value is sameas true or value is sameas false or value is none -%}{{ return(false) }}{%- endif -%}
    {%- if value is integer -%}{{ return(true) }}{%- endif -%}
    {%- if value is string -%}
        {%- set text = value | trim -%}
        {%- set parsed = text | int(none) -%}
        {{ return(parsed is not none and parsed | string == text) }}
    {%- endif -%}
    {{ return(false) }}
{% endmacro %}

{% macro _is_real(value) %}
    {#- True for a number (not a boolean), or text that is a number ("0.05"). -#}
    {%- if value is sameas true or value is sameas false or value is none -%}{{ return(false) }}{%- endif -%}
    {%- if value is number -%}{{ return(true) }}{%- endif -%}
    {%- if value is string -%}
        {{ return((value | trim | float(none)) is not none and (value | trim | lower) not in ['nan', 'inf', '-inf', 'infinity']) }}
    {%- endif -%}
    {{ return(false) }}
{% endmacro %}

{% macro _check_whole(problems, name, minimum, maximum=none, note='') %}
    {#- vars.<name> must be an integer in [minimum, maximum]; returns the value or none. -#}
    {%- set value = var(name) -%}
    {%- set allowed = 'a whole number ' ~ ('from ' ~ minimum ~ ' to ' ~ maximum if maximum is not none else '>= ' ~ minimum) ~ note -%}
    {%- if not _is_whole(value) -%}
        {%- do problems.append('vars.' ~ name ~ ' must be ' ~ allowed ~ ', got ' ~ (value | tojson)) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set number = value | int -%}
    {%- if number < minimum or (maximum is not none and number > maximum) -%}
        {%- do problems.append('vars.' ~ name ~ ' must be ' ~ allowed ~ ', got ' ~ number) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(number) }}
{% endmacro %}

{% macro _check_choice(problems, name, choices) %}
    {%- set value = var(name) -%}
    {%- if value is not string or (value | trim | lower) not in choices -%}
        {%- do problems.append('vars.' ~ name ~ ' must be one of ' ~ (choices | join(' | ')) ~ ', got ' ~ (value | tojson)) -%}
    {%- endif -%}
{% endmacro %}

{% macro _check_unique_list(problems, where, values, non_empty=true) %}
    {#- A non-empty list of distinct, non-blank entries. -#}
    {%- if values is string or values is mapping or values is not iterable -%}
        {%- do problems.append(where ~ ' must be a list, got ' ~ (values | tojson)) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if non_empty and values | length == 0 -%}
        {%- do problems.append(where ~ ' must not be empty') -%}
    {%- endif -%}
    {%- set seen = [] -%}
    {%- for value in values -%}
        {%- if value is none or (value | string | trim) == '' -%}
            {%- do problems.append(where ~ ': entry ' ~ loop.index ~ ' is blank') -%}
        {%- elif value | string in seen -%}
            {%- do problems.append(where ~ ": '" ~ value ~ "' is listed twice (entries must be unique)") -%}
        {%- endif -%}
        {%- do seen.append(value | string) -%}
    {%- endfor -%}
{% endmacro %}

{% macro _check_input_format(problems) %}
    {#- The structure of vars.input_format: columns, levels, bands, interests, numeric_columns. -#}
    {%- set spec = var('input_format') -%}
    {%- if spec is not mapping -%}
        {%- do problems.append('vars.input_format must be a mapping with columns, levels, bands, interests and numeric_columns') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for key in ['columns', 'levels', 'bands', 'interests', 'numeric_columns'] if key not in spec -%}
        {%- do problems.append('vars.input_format.' ~ key ~ ' is missing') -%}
    {%- endfor -%}
    {%- set columns = spec.get('columns') or [] -%}
    {%- set headers, names = [], [] -%}
    {%- for column in columns -%}
        {%- if column is not mapping or not column.get('header') or not column.get('name') -%}
            {%- do problems.append('vars.input_format.columns entry ' ~ loop.index ~ ' must have a header and a name, got ' ~ (column | tojson)) -%}
        {%- else -%}
            {%- do headers.append(column['header']) -%}{%- do names.append(column['name']) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do _check_unique_list(problems, 'vars.input_format.columns (headers)', headers) -%}
    {%- do _check_unique_list(problems, 'vars.input_format.columns (names)', names) -%}
    {%- set levels = spec.get('levels') or {} -%}
    {%- if levels is not mapping -%}
        {%- do problems.append('vars.input_format.levels must be a mapping column -> {label, levels}') -%}
        {%- set levels = {} -%}
    {%- endif -%}
    {%- for dimension, entry in levels.items() -%}
        {%- if entry is not mapping or not entry.get('label') -%}
            {%- do problems.append('vars.input_format.levels.' ~ dimension ~ ' must have a label and a list of levels') -%}
        {%- endif -%}
        {%- do _check_unique_list(problems, 'vars.input_format.levels.' ~ dimension ~ '.levels',
            entry.get('levels') if entry is mapping else none) -%}
        {%- if names and dimension not in names -%}
            {%- do problems.append('vars.input_format.levels.' ~ dimension ~ ' is not one of vars.input_format.columns') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set bands = spec.get('bands') or {} -%}
    {%- for dimension, bounds in (bands.items() if bands is mapping else []) -%}
        {%- set known = levels[dimension].get('levels') or [] if levels.get(dimension) is mapping else [] -%}
        {%- for level, pair in (bounds.items() if bounds is mapping else []) -%}
            {%- set where = 'vars.input_format.bands.' ~ dimension ~ '.' ~ level -%}
            {%- if level not in known -%}
                {%- do problems.append(where ~ ': not a level of vars.input_format.levels.' ~ dimension) -%}
            {%- endif -%}
            {%- if pair is string or pair is not iterable or pair | length != 2 -%}
                {%- do problems.append(where ~ ' must be [min, max] (null = open-ended), got ' ~ (pair | tojson)) -%}
            {%- elif pair[0] is not none and pair[1] is not none and (not _is_real(pair[0]) or not _is_real(pair[1]) or pair[0] | float > pair[1] | float) -%}
                {%- do problems.append(where ~ ' must be numbers with min <= max, got ' ~ (pair | tojson)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set interests = spec.get('interests') -%}
    {%- do _check_unique_list(problems, 'vars.input_format.interests', interests) -%}
    {%- if interests is iterable and interests is not string and interests | length > 31 -%}
        {%- do problems.append('vars.input_format.interests: at most 31 interests (the bits of interest_mask), got ' ~ interests | length) -%}
    {%- endif -%}
    {%- set numeric = spec.get('numeric_columns') or {} -%}
    {%- for column, rule in (numeric.items() if numeric is mapping else []) -%}
        {%- set where = 'vars.input_format.numeric_columns.' ~ column -%}
        {%- if rule is not mapping -%}
            {%- do problems.append(where ~ ' must be {min, max, whole}') -%}
        {%- else -%}
            {%- for bound in ['min', 'max'] if rule.get(bound) is not none and not _is_real(rule.get(bound)) -%}
                {%- do problems.append(where ~ '.' ~ bound ~ ' must be a number or null, got ' ~ (rule.get(bound) | tojson)) -%}
            {%- endfor -%}
            {%- if _is_real(rule.get('min')) and _is_real(rule.get('max')) and rule['min'] | float > rule['max'] | float -%}
                {%- do problems.append(where ~ ': min (' ~ rule['min'] ~ ') must be <= max (' ~ rule['max'] ~ ')') -%}
            {%- endif -%}
            {%- if rule.get('whole', false) is not sameas true and rule.get('whole', false) is not sameas false -%}
                {%- do problems.append(where ~ '.whole must be true or false, got ' ~ (rule.get('whole') | tojson)) -%}
            {%- endif -%}
            {%- if names and column not in names -%}
                {%- do problems.append(where ~ ' is not one of vars.input_format.columns') -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}

{% macro _check_feature_catalog(problems) %}
    {%- set catalog = var('feature_catalog') -%}
    {%- if catalog is not mapping or catalog | length == 0 -%}
        {%- do problems.append('vars.feature_catalog must be a non-empty mapping feature -> {label, unit, decimals, high, low}') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for name, entry in catalog.items() -%}
        {%- set where = 'vars.feature_catalog.' ~ name -%}
        {%- if entry is not mapping -%}
            {%- do problems.append(where ~ ' must be {label, unit, decimals, high, low}') -%}
        {%- else -%}
            {%- for key in ['label', 'unit', 'high', 'low'] if not entry.get(key) -%}
                {%- do problems.append(where ~ '.' ~ key ~ ' is missing or blank') -%}
            {%- endfor -%}
            {%- set inputs = entry.get('inputs') -%}
            {%- if inputs is not none and (inputs is string or inputs is not iterable or inputs | length == 0
                or inputs | reject('string') | list | length > 0) -%}
                {%- do problems.append(where ~ '.inputs must be a non-empty list of input column names, got ' ~ (inputs | tojson)) -%}
            {%- endif -%}
            {%- if not _is_whole(entry.get('decimals')) or entry.get('decimals') | int < 0 or entry.get('decimals') | int > 10 -%}
                {%- do problems.append(where ~ '.decimals must be a whole number from 0 to 10, got ' ~ (entry.get('decimals') | tojson)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}

{% macro validate_settings() %}
    {#- on-run-start: every var checked, all problems reported at once, before any node runs. -#}
    {%- if execute -%}
        {%- set problems = [] -%}
        {#- k: auto or a whole number >= 2; k_min..k_max for the sweep. -#}
        {%- set k_text = var('k') | string | trim | lower -%}
        {%- set fixed_k = none -%}
        {%- if k_text != 'auto' -%}
            {%- if _is_whole(var('k')) and var('k') | int >= 2 and var('k') | int <= 100 -%}
                {%- set fixed_k = var('k') | int -%}
            {%- else -%}
                {%- do problems.append("vars.k must be 'auto' or a whole number from 2 to 100, got " ~ (var('k') | tojson)) -%}
            {%- endif -%}
        {%- endif -%}
        {%- set k_min = _check_whole(problems, 'k_min', 2, 100) -%}
        {%- set k_max = _check_whole(problems, 'k_max', 2, 100) -%}
        {%- if k_min is not none and k_max is not none and k_min > k_max -%}
            {%- do problems.append('vars.k_min and vars.k_max must satisfy 2 <= k_min <= k_max <= 100, got k_min = '
                ~ k_min ~ ' and k_max = ' ~ k_max) -%}
        {%- endif -%}
        {#- Every sample must hold more users than the largest k fitted (a silhouette needs
            at least k + 1 users), and at least 10 so the metrics mean something. -#}
        {%- set k_high = fixed_k if fixed_k is not none else (k_max if k_max is not none else 2) -%}
        {%- set sample_minimum = [10, k_high + 1] | max -%}
        {%- for name in ['fit_sample_size', 'selection_sample_size', 'silhouette_sample_size'] -%}
            {%- do _check_whole(problems, name, sample_minimum, none,
                ' (at least 10, and more than the largest k = ' ~ k_high ~ ')') -%}
        {%- endfor -%}
        {%- do _check_whole(problems, 'seed', 0, 4294967295) -%}
        {%- do _check_whole(problems, 'n_init', 1, 1000) -%}
        {#- Stability is the agreement of at least 2 bootstrap fits; 0 turns it off (NaN). -#}
        {%- set resamples = var('stability_resamples') -%}
        {%- if not _is_whole(resamples) or resamples | int == 1 or resamples | int < 0 or resamples | int > 100 -%}
            {%- do problems.append('vars.stability_resamples must be 0 (no stability score) or a whole number from 2 to 100, got '
                ~ (resamples | tojson)) -%}
        {%- endif -%}
        {%- set share = var('min_segment_share') -%}
        {%- if not _is_real(share) or share | float < 0 or share | float >= 1 -%}
            {%- do problems.append('vars.min_segment_share must be a number with 0 <= min_segment_share < 1, got ' ~ (share | tojson)) -%}
        {%- endif -%}
        {%- do _check_choice(problems, 'min_segment_share_severity', ['warn', 'error']) -%}
        {%- do _check_choice(problems, 'feature_selection', ['relevance', 'none']) -%}
        {%- do _check_whole(problems, 'min_cell_users', 1) -%}
        {%- set threshold = var('interest_index_threshold') -%}
        {%- if not _is_real(threshold) or threshold | float <= 0 -%}
            {%- do problems.append('vars.interest_index_threshold must be a number > 0 (100 = as common as among all users), got '
                ~ (threshold | tojson)) -%}
        {%- endif -%}
        {%- do _check_whole(problems, 'report_top_traits', 1) -%}
        {%- do _check_whole(problems, 'histogram_bins', 1, 200) -%}
        {%- set rejected = var('max_rejected_share') -%}
        {%- if not _is_real(rejected) or rejected | float < 0 or rejected | float > 1 -%}
            {%- do problems.append('vars.max_rejected_share must be a number with 0 <= max_rejected_share <= 1, got ' ~ (rejected | tojson)) -%}
        {%- endif -%}
        {%- do _check_choice(problems, 'max_rejected_share_severity', ['warn', 'error']) -%}
        {%- set precision = var('rule_min_precision') -%}
        {%- if not _is_real(precision) or precision | float < 0 or precision | float > 1 -%}
            {%- do problems.append('vars.rule_min_precision must be a number from 0 to 1, got ' ~ (precision | tojson)) -%}
        {%- endif -%}
        {#- Labelling with a published model (README "Scoring with the published model"). -#}
        {%- set refit = var('refit') -%}
        {%- if not (refit is sameas true or refit is sameas false or (refit is string and (refit | trim | lower) in ['true', 'false'])) -%}
            {%- do problems.append('vars.refit must be true or false, got ' ~ (refit | tojson)) -%}
        {%- endif -%}
        {%- if var('model_id') is not none and var('model_id') is not string -%}
            {%- do problems.append('vars.model_id must be text: empty (the latest published model) or a model_id of segmentation_models, got '
                ~ (var('model_id') | tojson)) -%}
        {%- endif -%}
        {%- for name in ['change_drifting_moved_share', 'change_reshaped_moved_share', 'change_drifting_sd', 'change_reshaped_sd'] -%}
            {%- set value = var(name) -%}
            {%- if not _is_real(value) or value | float <= 0 -%}
                {%- do problems.append('vars.' ~ name ~ ' must be a number > 0, got ' ~ (value | tojson)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if _is_real(var('change_drifting_moved_share')) and _is_real(var('change_reshaped_moved_share'))
            and var('change_drifting_moved_share') | float > var('change_reshaped_moved_share') | float -%}
            {%- do problems.append('vars.change_drifting_moved_share must be at most change_reshaped_moved_share') -%}
        {%- endif -%}
        {#- The input: a path (text; the plugin checks the file) and an encoding input_file.py reads. -#}
        {%- if var('input_path') is not none and var('input_path') is not string -%}
            {%- do problems.append('vars.input_path must be text: empty (the embedded sample) or a .csv/.parquet path, got '
                ~ (var('input_path') | tojson)) -%}
        {%- endif -%}
        {%- do _check_choice(problems, 'input_encoding', var('input_format')['encodings'].keys() | list) -%}
        {%- for name in ['cluster_features', 'cluster_categoricals'] -%}
            {%- set value = var(name) -%}
            {%- if value is string -%}{%- set value = fromyaml(value) -%}{%- endif -%}
            {%- if value is not none and value is not mapping -%}
                {%- do problems.append('vars.' ~ name ~ ' must be a mapping (see README Configuration), got ' ~ (var(name) | tojson)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do _check_input_format(problems) -%}
        {%- do _check_feature_catalog(problems) -%}
        {%- if problems -%}
            {%- do exceptions.raise_compiler_error(
                'Invalid configuration (' ~ problems | length ~ ' problem' ~ ('s' if problems | length > 1 else '')
                ~ '; nothing was built):\n  - ' ~ (problems | join('\n  - '))
                ~ '\nSet the vars in dbt_project.yml or with --vars (README "Configuration").') -%}
        {%- endif -%}
        {#- The clustering features last: cluster_feature_specs() raises its own messages. -#}
        {%- do cluster_feature_specs() -%}
    {%- endif -%}
    {#- Renders no SQL: an empty hook is skipped. -#}
{% endmacro %}
