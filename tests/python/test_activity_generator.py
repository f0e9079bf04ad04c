"""The event and order logs: their format, their users, determinism, and the planted segments in them.

One generation of 3,000 users (seed 42) serves most tests; the segments must be recoverable
from simple per-user activity aggregates computed here in pandas, and with --profile-noise
not from the profiles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from user_segmentation.cli import main
from user_segmentation.input_format import COLUMNS, HEADERS, LEVELS
from user_segmentation_tools import activity, generator
from user_segmentation_tools.activity import (
    CATEGORIES,
    CHANNELS,
    EVENT_COLUMNS,
    EVENT_TYPES,
    ORDER_COLUMNS,
    OTHER_EVENT_TYPES,
    ZONE_OFFSETS,
)
from user_segmentation_tools.generator import RANGES

USERS = 3000
SEED = 42
AS_OF = pd.Timestamp("2026-11-30T00:00:00Z")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
PROFILE_NUMERIC = [header for header, key in COLUMNS if key in RANGES]  # the seven behavioural columns, by their header


@dataclass
class Generated:
    folder: Path
    profiles: pd.DataFrame
    truth: pd.Series  # planted segment by user_id
    events: pd.DataFrame
    orders: pd.DataFrame

    def path(self, name: str) -> Path:
        return self.folder / name


def _generate(folder: Path, *extra: str, rows: int = USERS, seed: int = SEED, suffix: str = "csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    argv = ["generate", "--rows", str(rows), "--seed", str(seed), "--out", str(folder / "profiles.csv")]
    argv += ["--truth", str(folder / "truth.csv")]
    argv += ["--interactions", str(folder / f"events.{suffix}"), "--transactions", str(folder / f"orders.{suffix}")]
    assert main([*argv, *extra]) == 0
    return folder


def _load(folder: Path) -> Generated:
    events = pd.read_csv(folder / "events.csv", dtype={"event_time": str})
    orders = pd.read_csv(folder / "orders.csv", dtype={"order_time": str, "amount": str})
    return Generated(
        folder=folder,
        profiles=pd.read_csv(folder / "profiles.csv"),
        truth=pd.read_csv(folder / "truth.csv").set_index("user_id")["planted_segment"],
        events=events,
        orders=orders,
    )


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Generated:
    return _load(_generate(tmp_path_factory.mktemp("logs")))


def _utc(times: pd.Series) -> pd.Series:
    return pd.to_datetime(times, format="ISO8601", utc=True)


def activity_features(events: pd.DataFrame, orders: pd.DataFrame, as_of: pd.Timestamp = AS_OF) -> pd.DataFrame:
    """Per user with events: the simple activity aggregates a segmentation would use."""
    ev = events.assign(
        utc=_utc(events.event_time),
        local_hour=events.event_time.str[11:13].astype(int),
        local_date=pd.to_datetime(events.event_time.str[:10]),
    ).sort_values(["user_id", "utc"])
    ev["evening"] = ev.local_hour >= 18
    ev["weekend"] = ev.local_date.dt.day_of_week >= 5
    gap = ev.utc.diff()
    ev["session"] = ((ev.user_id != ev.user_id.shift()) | (gap > pd.Timedelta(minutes=30))).cumsum()
    by_user = ev.groupby("user_id")
    features = pd.DataFrame(
        {
            "events": by_user.size(),
            "active_days": by_user.local_date.nunique(),
            "sessions": by_user.session.nunique(),
            "recency_days": (as_of - by_user.utc.max()).dt.total_seconds() / 86400,
            "evening_share": by_user.evening.mean(),
            "weekend_share": by_user.weekend.mean(),
        }
    )
    spend = orders.assign(amount=orders.amount.astype(float)).groupby("user_id").amount.agg(["size", "sum"])
    features["orders"] = spend["size"].reindex(features.index).fillna(0)
    features["monetary"] = spend["sum"].reindex(features.index).fillna(0)
    features["events_per_day"] = features.events / features.active_days
    features["events_per_session"] = features.events / features.sessions
    return features


def _standardized(frame: pd.DataFrame) -> np.ndarray:
    values = frame.to_numpy(dtype=float)
    return (values - values.mean(axis=0)) / values.std(axis=0)


def _kmeans_ari(matrix: np.ndarray, truth: pd.Series) -> float:
    labels = KMeans(n_clusters=4, n_init=10, random_state=0).fit_predict(matrix)
    return adjusted_rand_score(truth.to_numpy(), labels)


# --- format -------------------------------------------------------------------------------


def test_columns_and_types(logs: Generated) -> None:
    assert tuple(logs.path("events.csv").read_text().splitlines()[0].split(",")) == EVENT_COLUMNS
    assert tuple(logs.path("orders.csv").read_text().splitlines()[0].split(",")) == ORDER_COLUMNS
    ev, od = logs.events, logs.orders
    assert ev.user_id.dtype == np.int64 and od.user_id.dtype == np.int64 and od.order_id.dtype == np.int64
    assert set(ev.event_type) >= set(EVENT_TYPES) and set(ev.event_type) <= set(EVENT_TYPES + OTHER_EVENT_TYPES)
    rare = ev.event_type.isin(OTHER_EVENT_TYPES).mean()
    assert 0.005 < rare < 0.03, rare
    assert set(ev.channel) == set(CHANNELS) and set(ev.category) == set(CATEGORIES)
    assert set(od.category) <= set(CATEGORIES)
    assert od.amount.str.fullmatch(r"\d+\.\d\d").all(), "amounts have exactly 2 decimals"
    assert (od.amount.astype(float) >= 0).all()
    assert (od.currency == "EUR").mean() > 0.8 and set(od.currency) <= {"EUR", "GBP", "USD", "CHF"}
    assert od.order_id.tolist() == list(range(1, len(od) + 1))
    # Sorted by user and time, in both files.
    for frame, column in ((ev, "event_time"), (od, "order_time")):
        key = pd.DataFrame({"user": frame.user_id, "t": _utc(frame[column])})
        assert key.equals(key.sort_values(["user", "t"], kind="stable")), column
    # DuckDB reads them without help: ids as BIGINT, times as TIMESTAMPTZ, amount as a number.
    con = duckdb.connect()
    described = con.execute(f"describe select * from read_csv('{logs.path('orders.csv')}')").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["order_id"] == "BIGINT" and types["order_time"].startswith("TIMESTAMP") and types["amount"] == "DOUBLE"


def test_volumes_follow_events_per_user(logs: Generated, tmp_path: Path) -> None:
    assert len(logs.events) / USERS == pytest.approx(50, rel=0.1)
    assert len(logs.orders) / USERS == pytest.approx(50 / 25, rel=0.2)
    small = _generate(tmp_path / "small", "--events-per-user", "10", rows=1000)
    events, orders = pd.read_csv(small / "events.csv"), pd.read_csv(small / "orders.csv")
    assert len(events) / 1000 == pytest.approx(10, rel=0.2)
    assert len(orders) / 1000 < 1.0  # about 10 / 25, more where a buyer's one order is the minimum


# --- users --------------------------------------------------------------------------------


def test_every_log_user_is_in_the_profiles_and_some_have_no_activity(logs: Generated) -> None:
    profile_ids = set(logs.profiles["User ID"])
    assert profile_ids == set(range(1, USERS + 1)) == set(logs.truth.index)
    assert set(logs.events.user_id) <= profile_ids and set(logs.orders.user_id) <= profile_ids
    assert set(logs.orders.user_id) <= set(logs.events.user_id), "who orders has events"
    without_events = profile_ids - set(logs.events.user_id)
    without_orders = profile_ids - set(logs.orders.user_id)
    assert 0.01 * USERS < len(without_events) < 0.06 * USERS  # NO_EVENTS_SHARE = 3%
    assert len(without_events) < len(without_orders) < 0.15 * USERS  # documented: 7.7% at the defaults
    # Users without events are in every segment, and in the profiles with their segment.
    assert set(logs.truth[sorted(without_events)]) == {1, 2, 3, 4}


# --- times --------------------------------------------------------------------------------


def test_times_are_iso_with_zones_and_before_as_of(logs: Generated) -> None:
    for times in (logs.events.event_time, logs.orders.order_time):
        assert times.str.match(ISO_TIME).all()
        assert (_utc(times) < AS_OF).all()
    ev = logs.events
    zone = ev.event_time.str[19:]
    assert set(zone) - {"Z"} <= set(ZONE_OFFSETS)
    zoned_users = ev.user_id[zone != "Z"].nunique() / ev.user_id.nunique()
    assert 0.1 < zoned_users < 0.3, zoned_users  # ZONED_USER_SHARE = 20%
    assert ev.groupby("user_id").event_time.agg(lambda t: t.str[19:].nunique()).max() == 1, "one zone per user"
    assert {"+02:00", "-05:00", "+05:30", "+00:00"} <= set(zone)
    # The written clock time is local: the instant is the local time minus the offset.
    offset_minutes = {"Z": 0} | {
        offset: (-1 if offset[0] == "-" else 1) * (int(offset[1:3]) * 60 + int(offset[4:6])) for offset in ZONE_OFFSETS
    }
    local = pd.to_datetime(ev.event_time.str[:19])
    expected = (local - pd.to_timedelta(zone.map(offset_minutes), unit="min")).dt.tz_localize("UTC")
    utc = _utc(ev.event_time)
    assert (expected == utc).all()
    # DuckDB normalises the zones to the same instants.
    con = duckdb.connect()
    (seconds,) = (
        con.execute(
            f"select epoch(event_time::timestamptz) from read_csv('{logs.path('events.csv')}', all_varchar = true)"
        )
        .fetchnumpy()
        .values()
    )
    assert np.array_equal(seconds, (utc - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy())


def test_sessions_split_cleanly_at_30_minutes(logs: Generated) -> None:
    """Within a user, consecutive events are at most 25 minutes apart or at least 31: none in between."""
    ev = logs.events.assign(utc=_utc(logs.events.event_time))
    gap = ev.groupby("user_id").utc.diff().dropna()
    assert (gap > pd.Timedelta(0)).all()
    assert not ((gap > pd.Timedelta(minutes=25)) & (gap < pd.Timedelta(minutes=31))).any()


def test_as_of_moves_the_window(tmp_path: Path) -> None:
    folder = _generate(tmp_path, "--as-of", "2025-03-01T12:00:00+01:00", rows=300)
    events = pd.read_csv(folder / "events.csv")
    latest = _utc(events.event_time).max()
    as_of = pd.Timestamp("2025-03-01T11:00:00Z")
    assert latest < as_of and latest > as_of - pd.Timedelta(days=7)


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_same_bytes_and_parquet_has_the_same_values(logs: Generated, tmp_path: Path) -> None:
    again = _generate(tmp_path / "again")
    for name in ("events.csv", "orders.csv", "profiles.csv", "truth.csv"):
        assert (again / name).read_bytes() == logs.path(name).read_bytes(), name
    other = _generate(tmp_path / "other", seed=SEED + 1, rows=500)
    assert (other / "events.csv").read_bytes()[:5000] != logs.path("events.csv").read_bytes()[:5000]
    parquet = _generate(tmp_path / "parquet", suffix="parquet")
    con = duckdb.connect()
    for name in ("events", "orders"):
        csv_rel = f"read_csv('{logs.path(name + '.csv')}', all_varchar = true)"
        pq_rel = f"(select columns(*)::varchar from read_parquet('{parquet / (name + '.parquet')}'))"
        differing = con.execute(
            f"select count(*) from ((from {csv_rel} except all from {pq_rel}) union all "
            f"(from {pq_rel} except all from {csv_rel}))"
        ).fetchone()[0]
        assert differing == 0, name


def test_adding_logs_leaves_the_profiles_unchanged(logs: Generated, tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    assert main(["generate", "--rows", str(USERS), "--seed", str(SEED), "--out", str(plain)]) == 0
    assert plain.read_bytes() == logs.path("profiles.csv").read_bytes()
    only_orders = tmp_path / "orders.csv"
    argv = ["generate", "--rows", str(USERS), "--seed", str(SEED), "--out", str(tmp_path / "p.csv")]
    assert main([*argv, "--transactions", str(only_orders)]) == 0
    assert only_orders.read_bytes() == logs.path("orders.csv").read_bytes(), "orders do not depend on --interactions"


def test_chunks_line_up_with_the_profiles(tmp_path: Path, monkeypatch) -> None:
    """Several profile chunks, activity chunks and write slices: ids, order ids and segments still line up."""
    monkeypatch.setattr(generator, "CHUNK_ROWS", 1000)
    monkeypatch.setattr(activity, "ACTIVITY_CHUNK_USERS", 300)
    monkeypatch.setattr(activity, "WRITE_SLICE_ROWS", 7000)
    folder = _generate(tmp_path, rows=2500)
    events, orders = pd.read_csv(folder / "events.csv"), pd.read_csv(folder / "orders.csv")
    truth = pd.read_csv(folder / "truth.csv").set_index("user_id")["planted_segment"]
    assert events.user_id.is_monotonic_increasing and orders.user_id.is_monotonic_increasing
    assert set(events.user_id) <= set(range(1, 2501)) and events.user_id.nunique() > 0.9 * 2500
    assert orders.order_id.tolist() == list(range(1, len(orders) + 1))
    evening = (events.event_time.str[11:13].astype(int) >= 18).groupby(truth[events.user_id].to_numpy()).mean()
    assert evening[4] > 0.7 and evening[2] < 0.15, evening  # engaged responders, weekday professionals


# --- planted segments -----------------------------------------------------------------------


def test_planted_segments_are_recoverable_from_activity_aggregates(logs: Generated) -> None:
    features = activity_features(logs.events, logs.orders)
    matrix = pd.DataFrame(
        {
            "log_events": np.log1p(features.events),
            "log_active_days": np.log1p(features.active_days),
            "events_per_day": features.events_per_day,
            "log_recency": np.log1p(features.recency_days),
            "evening_share": features.evening_share,
            "weekend_share": features.weekend_share,
            "events_per_session": features.events_per_session,
            "log_orders": np.log1p(features.orders),
            "log_monetary": np.log1p(features.monetary),
        }
    )
    truth = logs.truth[features.index]
    ari = _kmeans_ari(_standardized(matrix), truth)
    assert ari >= 0.9, ari
    # Each pattern is where the module docstring says it is.
    means = features.groupby(truth.to_numpy()).mean()
    assert means.weekend_share.idxmax() == 1 and means.weekend_share.idxmin() == 2
    assert means.evening_share.idxmax() == 4 and means.evening_share.idxmin() == 2
    assert means.recency_days.idxmax() == 3 and means.events.idxmax() == 4
    assert means.events_per_session.to_numpy() == pytest.approx([10, 4, 1.5, 3], rel=0.1)


def test_profile_noise_leaves_the_segments_only_in_the_logs(logs: Generated, tmp_path: Path) -> None:
    noisy = _load(_generate(tmp_path, "--profile-noise"))
    # The same users, segments and logs; only the profiles change.
    assert noisy.path("truth.csv").read_bytes() == logs.path("truth.csv").read_bytes()
    assert noisy.path("events.csv").read_bytes() == logs.path("events.csv").read_bytes()
    assert noisy.path("orders.csv").read_bytes() == logs.path("orders.csv").read_bytes()
    assert noisy.path("profiles.csv").read_bytes() != logs.path("profiles.csv").read_bytes()
    # Still the public format.
    profiles = noisy.profiles
    assert tuple(profiles.columns) == HEADERS
    for header, key in COLUMNS:
        if key in RANGES:
            low, high, _ = RANGES[key]
            assert profiles[header].between(low, high).all(), header
        elif key in LEVELS:
            assert set(profiles[header]) == set(LEVELS[key]), header
    truth = noisy.truth[profiles["User ID"]]
    assert _kmeans_ari(_standardized(profiles[PROFILE_NUMERIC]), truth) < 0.1
    # The same test finds the segments in the ordinary profiles, so it can tell.
    assert _kmeans_ari(_standardized(logs.profiles[PROFILE_NUMERIC]), truth) > 0.9
    # No level leans towards a segment any more.
    for column in ("Age", "Device Usage", "Income Level"):
        table = pd.crosstab(truth.to_numpy(), profiles[column].to_numpy(), normalize="index")
        assert (table.max() - table.min()).max() < 0.1, column


# --- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--events-per-user", "10"], "need --interactions or --transactions"),
        (["--interactions", "{tmp}/e.json"], "unknown output format"),
        (["--interactions", "{tmp}/p.csv"], "must be different files"),
        (["--interactions", "{tmp}/e.csv", "--events-per-user", "0"], "--events-per-user must be above 0"),
        (["--transactions", "{tmp}/o.csv", "--as-of", "yesterday"], "is not an ISO-8601 time"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(tmp_path: Path, capsys, extra, message) -> None:
    argv = ["generate", "--rows", "10", "--out", str(tmp_path / "p.csv")]
    assert main([*argv, *[part.format(tmp=tmp_path) for part in extra]]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()
