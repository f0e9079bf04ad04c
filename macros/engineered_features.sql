{#- The engineered engagement features, as SQL over a user's base columns. int_user_features
    computes them for the clustering; readers of int_labelled_users compute them again, since
    that table stores only the base columns (writing the five derived double columns cost
    about 1 s per 10 million users; recomputing them is arithmetic on columns already read). -#}

{% macro engineered_features() -%}
    {{ return([
        'weekly_hours_online', 'weekend_share_of_time', 'likes_per_followed_account',
        'conversions_per_impression', 'interest_count',
    ]) }}
{%- endmacro %}

{% macro engineered_feature(name, relation='') -%}
    {#- The SQL of one engineered feature; relation qualifies the base columns it reads. -#}
    {%- set p = relation ~ '.' if relation else '' -%}
    {%- if name == 'weekly_hours_online' -%}
        5 * {{ p }}weekday_hours_online + 2 * {{ p }}weekend_hours_online
    {%- elif name == 'weekend_share_of_time' -%}
        coalesce(
            2 * {{ p }}weekend_hours_online
            / nullif(5 * {{ p }}weekday_hours_online + 2 * {{ p }}weekend_hours_online, 0),
            0
        )
    {%- elif name == 'likes_per_followed_account' -%}
        {{ p }}likes_and_reactions / greatest({{ p }}followed_accounts, 1)
    {%- elif name == 'conversions_per_impression' -%}
        {{ p }}click_through_rate * {{ p }}conversion_rate
    {%- elif name == 'interest_count' -%}
        (bit_count({{ p }}interest_mask) + coalesce({{ list_length(p ~ "other_interests") }}, 0))::bigint
    {%- else -%}
        {%- do exceptions.raise_compiler_error('engineered_feature: unknown feature "' ~ name ~ '"') -%}
    {%- endif -%}
{%- endmacro %}
