{#- Each segment's readable rule (int_segment_rules) scored on all users in SQL: users the
    rule covers, how many of them are in the segment (precision) and how much of the segment
    it covers (recall). The conditions are data, so they are read when this model compiles
    (after int_segment_rules has run) and written into the query as they are stored, over
    every labelled user with every feature (activity features included). A rule
    with precision below vars.rule_min_precision is flagged low fidelity. -#}
{%- set rules = [] %}
{%- set stored = load_relation(ref('int_segment_rules')) if execute else none %}
{%- if stored is not none %}
    {%- set rules = run_query('select segment_id, sql_condition from ' ~ stored ~ ' order by segment_id').rows %}
{%- endif %}

-- noqa: disable=LT02
with

rule_text as (
    select * from {{ ref('int_segment_rules') }}
),

users as (
    -- Every feature a rule may name: the stored ones, and the engineered ones computed here.
    select
        {%- for feature in engineered_features() %}
        {{ engineered_feature(feature) }} as {{ feature }},
        {%- endfor %}
        *
    from {{ ref('int_labelled_users') }}
),

coverage as (
    select
    {%- for rule in rules %}
        count(*) filter (where {{ rule[1] }}) as covered_{{ rule[0] }},
        count(*) filter (where ({{ rule[1] }}) and segment_id = {{ rule[0] }}) as hits_{{ rule[0] }},
        count(*) filter (where segment_id = {{ rule[0] }}) as members_{{ rule[0] }},
    {%- endfor %}
        count(*) as all_users
    from users
),

scored as (
    {%- for rule in rules %}
        select
            {{ rule[0] }} as segment_id,
            covered_{{ rule[0] }} as users_covered,
            hits_{{ rule[0] }} as users_covered_in_segment,
            members_{{ rule[0] }} as segment_users,
            all_users
        from coverage
        {{ 'union all' if not loop.last }}
    {%- else %}
        select
            null::integer as segment_id,
            null::bigint as users_covered,
            null::bigint as users_covered_in_segment,
            null::bigint as segment_users,
            all_users
        from coverage
        where false
    {%- endfor %}
),

final as (
    select
        rule_text.run_id,
        scored.segment_id::integer as segment_id,
        rule_text.rule_text,
        rule_text.sql_condition,
        rule_text.conditions::integer as conditions,
        scored.users_covered,
        scored.users_covered_in_segment,
        scored.segment_users,
        scored.users_covered_in_segment / nullif(scored.users_covered, 0) as rule_precision,
        scored.users_covered_in_segment / nullif(scored.segment_users, 0) as rule_recall,
        coalesce(scored.users_covered_in_segment / nullif(scored.users_covered, 0), 0)
        < {{ segmentation_settings().rule_min_precision }} as is_low_fidelity,
        rule_text.fit_precision,
        rule_text.fit_recall
    from scored
    inner join rule_text on scored.segment_id = rule_text.segment_id
)

select * from final
