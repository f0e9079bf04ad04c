{{ config(materialized='table') }}
{#- Every event record of the interactions log (var interactions_path) that splits into its
    columns, typed, with the reasons its own values cannot be used (null when there are none).
    Times: event_time is the UTC instant, event_local_time the time as written (the user's wall
    clock). The one stored copy of the records, read once from the file, and kept narrow: no
    raw text (rejected_interactions reads the rejected records' text back from the file).
    Repeated events are found apart, in base_interactions__duplicates; malformed records are
    in rejected_interactions. -#}

{%- set file_records = ref('base_interactions__file_records') %}
{%- set malformed = ref('base_interactions__malformed') %}

-- noqa: disable=LT02
with

records as (
    -- Numbered as in the file: each record's number counts the malformed ones before it.
    {{ log_numbered_records('interactions', file_records, malformed) }}
),

typed as (
    select
        *,
        {{ parse_number('raw_user_id') }} as user_id_number,
        {{ iso_time_text('cast(raw_event_time as ' ~ dbt.type_string() ~ ')') }} as event_time_text,
        {{ canonical_event_type('raw_event_type') }} as event_type,
        {{ canonical_label('raw_channel') }} as channel,
        {{ canonical_label('raw_category') }} as category
    from records
),

timed as (
    select
        *,
        {{ instant_utc('event_time_text') }} as event_time
    from typed
),

validated as (
    select
        *,
        {{ wall_clock('event_time_text', 'event_time') }} as event_local_time,
        {{ user_id_from_number('user_id_number') }} as user_id,
        case
            when {{ is_whole_number('user_id_number') }}
                and {{ is_finite_time('event_time') }}
                and event_time <= current_timestamp::timestamp
                and event_type is not null
                then null
            else {{ reason_list(
                user_id_reasons()
                + time_reasons('event_time')
                + [rejection_reason('event_type is null', 'event_type', 'missing_value', "'missing'")]
            ) }}
        end as row_reasons
    from timed
),

final as (
    select
        source_row_number,
        user_id,
        event_time,
        event_local_time,
        event_type,
        channel,
        category,
        row_reasons
    from validated
)

select * from final
