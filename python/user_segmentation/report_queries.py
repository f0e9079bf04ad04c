"""The report's SQL: one named query per thing it reads, values passed as bound ``$name`` parameters.

No query is assembled from strings: each is written out here and run by
:func:`user_segmentation.report` with ``con.execute(QUERY, {"name": value})``. Only aggregates
leave the warehouse, and every one comes from a published table (the marts, and the
quarantine ``rejected_user_profiles``, ``rejected_interactions`` and ``rejected_transactions``):
the histograms are counted by the build (``segmentation_feature_histograms``), the activity grid
by ``segment_activity_hours``.
"""

from __future__ import annotations

__all__ = [
    "ACTIVITY_FEATURE_PROFILES",
    "ACTIVITY_HOURS",
    "ACTIVITY_RECONCILIATION",
    "ACTIVITY_REJECTED_BY_REASON",
    "CATEGORY_PROFILES",
    "CENTROID_DRIFT",
    "CHANGES",
    "CLUSTER_FEATURE_PROFILES",
    "FEATURE_RELEVANCE",
    "FEATURE_STATS",
    "HISTOGRAMS",
    "INTEREST_AFFINITY",
    "K_SELECTION",
    "REJECTED_BY_REASON",
    "REJECTED_TOTAL",
    "RUN",
    "RUN_IDS",
    "SEGMENTS",
    "TABLE_COLUMNS",
    "TARGETING",
    "TOP_INTERESTS_OF_ALL_USERS",
    "TRANSITIONS",
]

TABLE_COLUMNS = """
select table_name, column_name
from information_schema.columns
where table_schema = 'main'
"""

# Every run id of every table that carries one (a table with no rows yields no row).
RUN_IDS = """
select distinct 'dim_segments' as table_name, run_id from dim_segments
union all select distinct 'segment_feature_profiles', run_id from segment_feature_profiles
union all select distinct 'segment_category_profiles', run_id from segment_category_profiles
union all select distinct 'segment_interest_affinity', run_id from segment_interest_affinity
union all select distinct 'segment_targeting', run_id from segment_targeting
union all select distinct 'segmentation_k_selection', run_id from segmentation_k_selection
union all select distinct 'segmentation_features', run_id from segmentation_features
union all select distinct 'segmentation_feature_histograms', run_id from segmentation_feature_histograms
union all select distinct 'segmentation_feature_relevance', run_id from segmentation_feature_relevance
union all select distinct 'segment_rules', run_id from segment_rules
union all select distinct 'segment_activity_hours', run_id from segment_activity_hours
"""

RUN = """
select * from segmentation_runs
where run_id = $run_id
"""

# Each segment with its recommendations in one line (segment_targeting holds one row each).
SEGMENTS = """
with targeting as (
    select segment_id, string_agg(recommendation, '; ' order by recommendation_order) as targeting_summary
    from segment_targeting
    group by segment_id
)

select
    segments.*,
    targeting.targeting_summary,
    rules.rule_text,
    rules.rule_precision,
    rules.rule_recall,
    rules.users_covered as rule_users_covered,
    rules.is_low_fidelity as rule_is_low_fidelity
from dim_segments as segments
left join targeting on segments.segment_id = targeting.segment_id
left join segment_rules as rules on segments.segment_id = rules.segment_id
order by segments.segment_id
"""

# "Since the last build": this build's row of segmentation_changes (none on a first build),
# its moves, and its centroid drift.
CHANGES = """
select * from segmentation_changes
where run_id = $run_id
"""

TRANSITIONS = """
select previous_segment_id, segment_id, movement, users
from segment_transitions
where run_id = $run_id
order by previous_segment_id nulls last, segment_id nulls last
"""

CENTROID_DRIFT = """
select segment_id, feature, previous_centroid_value, centroid_value, drift_sd
from segment_centroid_drift
where run_id = $run_id and previous_run_id is not null
order by segment_id, feature
"""

K_SELECTION = """
select * from segmentation_k_selection
order by k
"""

# The chosen k's features: which ones the segments separate, and which were dropped as noise.
FEATURE_RELEVANCE = """
select * from segmentation_feature_relevance
where is_chosen_k
order by is_clustered desc, explained_share desc, feature_position
"""

FEATURE_STATS = """
select * from segmentation_features
order by feature_position
"""

CLUSTER_FEATURE_PROFILES = """
select segment_id, feature, z_score
from segment_feature_profiles
where is_cluster_feature
order by feature_order, segment_id
"""

CATEGORY_PROFILES = """
select * from segment_category_profiles
order by dimension_order, level_order
"""

INTEREST_AFFINITY = """
select * from segment_interest_affinity
order by segment_id, rank_in_segment
"""

TOP_INTERESTS_OF_ALL_USERS = """
select interest, any_value(population_users) as users, any_value(population_share) as share
from segment_interest_affinity
group by interest
having any_value(population_users) >= $min_cell_users
order by users desc, interest
limit $limit
"""

TARGETING = """
select * from segment_targeting
order by segment_id, recommendation_order
"""

REJECTED_BY_REASON = """
select reason.code as code, reason."column" as column_name, count(distinct source_row_number) as rows_
from (select source_row_number, unnest(rejection_reasons) as reason from rejected_user_profiles)
group by all
order by rows_ desc, code, column_name
"""

REJECTED_TOTAL = """
select count(*) as rows_ from rejected_user_profiles
"""

# Users per equal-width bin of every numeric input column, counted by the build.
HISTOGRAMS = """
select feature, bin, bin_low, bin_high, users
from segmentation_feature_histograms
order by feature_order, bin
"""

# The activity logs: where every record went (one row per log; input_path null when not given).
ACTIVITY_RECONCILIATION = """
select * from segmentation_activity_reconciliation
order by activity_log
"""

# Events per segment x local weekday x local hour (only the cells with events).
ACTIVITY_HOURS = """
select segment_id, local_weekday, local_hour, events, share_of_segment_events
from segment_activity_hours
order by segment_id, local_weekday, local_hour
"""

# The RFM and engagement figures of every segment, with all users' mean and the index.
ACTIVITY_FEATURE_PROFILES = """
select segment_id, feature, segment_mean, population_mean, index_vs_population
from segment_feature_profiles
where list_contains($features, feature)
order by segment_id, feature
"""

# Rejected event and order records counted by log, reason and column (never the records).
ACTIVITY_REJECTED_BY_REASON = """
with reasons as (
    select 'interactions' as activity_log, source_row_number, unnest(rejection_reasons) as reason
    from rejected_interactions
    union all
    select 'transactions', source_row_number, unnest(rejection_reasons)
    from rejected_transactions
)

select
    activity_log,
    reason.code as code,
    reason."column" as column_name,
    count(distinct source_row_number) as rows_
from reasons
group by all
order by activity_log, rows_ desc, code, column_name
"""
