{#- Every valid user, labelled by the nearest centroid in SQL (centroids inlined as literals,
    ties to the lower id), with the base behavioural columns, demographics and the interests
    (as a bitmask): the one stored copy the profile marts aggregate, so they need no join back
    to the users. The engineered features are not stored: readers compute them with
    engineered_feature() (at 10 million users the write, not the labelling, is the cost).
    previous_segment_id comes from this table as the last build left it. -#}
{%- set keep = ['user_id', 'sample_key', 'interest_mask', 'other_interests']
    + (numeric_features().keys() | reject('in', engineered_features()) | list)
    + (profile_levels().keys() | list) %}
{%- set previous = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}

with

labelled as (
    {{ labelled_users_sql(keep) }}
),

final as (
    select
        labelled.*,
        {%- if previous is not none and execute %}
        previous_labels.segment_id as previous_segment_id,
        {%- else %}
            null::integer as previous_segment_id,
        {%- endif %}
        -- A one-value ENUM, not text: the same id on every row, but 1 byte instead of a string
        -- per user (text cost 1.3 s per 10 million rows to write). It reads as text.
        '{{ invocation_id }}'::enum('{{ invocation_id }}') as run_id
    from labelled
    {%- if previous is not none and execute %}
    left join {{ previous }} as previous_labels
        on labelled.user_id = previous_labels.user_id
    {%- endif %}
)

select * from final
