-- Nothing lost: every input record is a valid user or a rejected row, exactly once, and the
-- parsed table holds every record the reader saw (for a user file: the plugin's own count).
{{ config(severity='error') }}

with

parsed as (
    -- source_row_number is unique in the parsed table (its own unique test).
    select count(*) as parsed_rows
    from {{ ref('base_user_profiles__checked') }}
),

valid as (
    select source_row_number from {{ ref('stg_user_profiles') }}
),

rejected as (
    select source_row_number from {{ ref('rejected_user_profiles') }}
),

both_sides as (
    select source_row_number from valid
    union all
    select source_row_number from rejected
),

accounted as (
    -- Valid and rejected are cut from the parsed table by is_valid: disjoint subsets, so
    -- equal counts mean every parsed record is on exactly one side.
    select count(*) as accounted_rows
    from both_sides
),

read_by_plugin as (
    {%- if input_path() != '' %}
    {{ user_file_row_count(source('user_file', 'input_manifest')) }}
    {%- else %}
        select count(*) as rows_in_file from {{ ref('raw_user_profiles') }}
    {%- endif %}
),

final as (
    select
        parsed.parsed_rows,
        accounted.accounted_rows,
        read_by_plugin.rows_in_file
    from parsed
    cross join accounted
    cross join read_by_plugin
    where
        parsed.parsed_rows <> accounted.accounted_rows
        or parsed.parsed_rows <> read_by_plugin.rows_in_file
)

select * from final
