{#- Nearest-centroid labelling in SQL (int_labelled_users). The centroids arrive as one row
    (int_segment_centroid_slots), one column c<slot>_<position> per segment slot and feature,
    cross joined to every user; a slot without a segment (k below the highest k allowed) is
    null and never nearest. -#}

{% macro segment_slots() %}
    {#- Segment ids 1..k for the highest k the settings allow (the fit numbers segments 1..k). -#}
    {{ return(range(1, clustering_k_high() + 1) | list) }}
{% endmacro %}

{% macro squared_distance_sql(slot, centroid_alias='centroids') -%}
    {#- Squared distance from a user's z row (z<position>, times w_<position>: 0 for a feature
        the segments were not fitted on) to the centroid in slot, four terms a line; x * x, not
        power(x, 2), which costs twice as much at millions of rows. -#}
    {%- for batch in range(1, cluster_feature_specs() | length + 1) | batch(4) -%}
    {%- set outer = loop -%}
    {%- for position in batch -%}
    {%- set term = 'z' ~ position ~ ' * ' ~ centroid_alias ~ '.w_' ~ position ~ ' - ' ~ centroid_alias ~ '.c' ~ slot ~ '_' ~ position -%}
    ({{ term }}) * ({{ term }}){{ ' +' if not (loop.last and outer.last) }}{{ ' ' if not loop.last }}
    {%- endfor -%}
    {{ '\n            ' if not outer.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro slot_distances(prefix='squared_distance_', except_slot=none) -%}
    {#- The slots' distance columns, comma-separated (all, or all but except_slot). -#}
    {%- set names = [] -%}
    {%- for slot in segment_slots() if slot != except_slot -%}
        {%- do names.append(prefix ~ slot) -%}
    {%- endfor -%}
    {%- for batch in names | batch(4) -%}
    {{ batch | join(', ') }}{{ ',\n            ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
