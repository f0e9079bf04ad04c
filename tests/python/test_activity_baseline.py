"""The pandas baseline of the activity features on small hand-built logs, every value worked out by hand.

The profiles are users 4, 2, 1, 5, 3 (in that order); user 99 is in the logs only.

- User 1: five events on Monday 2 November (UTC, one written without a zone), in the file out
  of order; in time order 30, 31, 30 and 31 minutes apart: three sessions (a gap of exactly
  30 minutes does not split). No orders.
- User 2: zoned events whose local date, hour and weekday differ from UTC's: Friday 23:30 at
  -05:00 (Saturday 04:30 UTC), Saturday 00:10 at -05:00, Monday 01:00 at +09:00 (Sunday 16:00
  UTC) and Sunday 16:20 UTC, 20 minutes after the previous instant. One order of 0.00.
- User 3: orders only. User 4: nothing at all.
- User 5: 17:59:59 and 18:00:00 UTC (the evening starts at 18), Saturday 23:59:59 at +01:00,
  then an event and an order after the cut-off used below; its last order is the latest
  instant of the profile users (the default as_of).
- User 99 (not a profile user): the earliest and the latest rows and the most events of one
  category; none of them may count.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from user_segmentation_tools.activity_baseline import (
    BASE_FEATURES,
    activity_features_pandas,
    category_slug,
    main,
    parse_times,
    profile_user_ids,
)

EVENTS = """user_id,event_time,event_type,channel,category
1,2026-11-02T11:01:00Z,view,web,home & garden
1,2026-11-02T10:00:00Z,view,web,books
1,2026-11-02T10:30:00Z,click,web,books
1,2026-11-02T11:31:00,view,app,books
1,2026-11-02T12:02:00+00:00,view,app,home & garden
2,2026-11-06T23:30:00-05:00,view,app,fashion
2,2026-11-07T00:10:00-05:00,like,app,fashion
2,2026-11-09T01:00:00+09:00,view,app,books
2,2026-11-08T16:20:00Z,view,web,books
5,2026-11-03T17:59:59Z,search,web,electronics
5,2026-11-03T18:00:00Z,view,web,electronics
5,2026-11-14T23:59:59+01:00,view,app,books
5,2026-11-20T10:00:00Z,view,app,electronics
99,2026-10-01T00:00:00Z,view,web,toys
99,2026-10-01T00:01:00Z,view,web,toys
99,2026-10-01T00:02:00Z,view,web,toys
99,2026-12-31T00:00:00Z,view,web,toys
"""
ORDERS = """user_id,order_id,order_time,amount,currency,category
2,1,2026-11-08T16:30:00Z,0.00,EUR,books
3,2,2026-11-04T09:00:00+02:00,10.50,EUR,books
3,3,2026-11-10T12:00:00Z,4.25,EUR,books
5,4,2026-11-03T18:10:00Z,20.00,GBP,electronics
5,5,2026-11-21T12:00:00+01:00,99.99,EUR,electronics
99,6,2026-12-31T00:00:00Z,1000.00,EUR,toys
"""
USERS = [4, 2, 1, 5, 3]
# The explicit cut-off: exactly user 5's Saturday 23:59:59+01:00 event (that event counts).
CUT = "2026-11-14T22:59:59"


def days(d: float = 0, h: float = 0, m: float = 0, s: float = 0) -> float:
    return d + h / 24 + m / 1440 + s / 86400


@pytest.fixture()
def logs(tmp_path: Path) -> tuple[Path, Path]:
    events, orders = tmp_path / "events.csv", tmp_path / "orders.csv"
    events.write_text(EVENTS)
    orders.write_text(ORDERS)
    return events, orders


def expect(frame: pd.DataFrame, user: int, **values: float) -> None:
    """The user's features equal the given values (floats to 1e-9)."""
    got = frame.loc[user]
    for name, value in values.items():
        assert got[name] == pytest.approx(value, abs=1e-9), f"user {user} {name}: {got[name]} != {value}"


def test_times_zoned_and_unzoned_give_utc_instants_and_the_local_time_as_written() -> None:
    instant, local = parse_times(pd.Series(["2026-11-06T23:30:00-05:00", "2026-11-02T11:31:00", "2026-11-02T12:02Z"]))
    utc = ("2026-11-07 04:30", "2026-11-02 11:31", "2026-11-02 12:02")
    assert list(instant) == [pd.Timestamp(t, tz="UTC") for t in utc]
    assert list(local) == [pd.Timestamp(t) for t in ("2026-11-06 23:30", "2026-11-02 11:31", "2026-11-02 12:02")]


def test_slug_lowercases_and_joins_non_alphanumeric_runs() -> None:
    assert category_slug("  Home & Garden!") == "home_garden"
    assert category_slug("Books") == "books"
    assert category_slug("e-Books 2.0") == "e_books_2_0"


def test_default_as_of_is_the_latest_profile_user_row(logs: tuple[Path, Path]) -> None:
    features = activity_features_pandas(*logs, USERS, top_categories=3)
    assert list(features.index) == USERS and features.index.name == "user_id"
    # as_of: user 5's order at 2026-11-21 11:00 UTC (user 99's December rows do not count);
    # the window starts at user 1's first event, 2026-11-02 10:00 UTC (not user 99's October).
    window = days(19, h=1)
    expect(
        features,
        1,
        events=5,
        active_days=1,
        events_per_active_day=5,
        sessions=3,
        mean_session_events=5 / 3,
        days_since_last_event=days(19, m=-62),
        evening_share_of_events=0,
        weekend_share_of_events=0,
        orders=0,
        monetary_value=0,
        average_order_value=0,
        days_since_last_order=window + 1,
    )
    # Local dates Nov 6, 7, 9, 8 (UTC would say 7, 7, 8, 8); local Friday 23:30 is an evening
    # weekday event, Saturday 00:10 and Sunday 16:20 are the weekend ones.
    expect(
        features,
        2,
        events=4,
        active_days=4,
        events_per_active_day=1,
        sessions=3,
        mean_session_events=4 / 3,
        days_since_last_event=days(12, h=18, m=40),
        evening_share_of_events=0.25,
        weekend_share_of_events=0.5,
        orders=1,
        monetary_value=0,
        average_order_value=0,
        days_since_last_order=days(12, h=18, m=30),
    )
    expect(
        features,
        3,
        events=0,
        active_days=0,
        events_per_active_day=0,
        sessions=0,
        mean_session_events=0,
        days_since_last_event=window + 1,
        evening_share_of_events=0,
        weekend_share_of_events=0,
        orders=2,
        monetary_value=14.75,
        average_order_value=7.375,
        days_since_last_order=days(10, h=23),
    )
    expect(features, 4, events=0, sessions=0, orders=0, monetary_value=0, average_order_value=0)
    expect(features, 4, days_since_last_event=window + 1, days_since_last_order=window + 1)
    expect(
        features,
        5,
        events=4,
        active_days=3,
        events_per_active_day=4 / 3,
        sessions=3,
        mean_session_events=4 / 3,
        days_since_last_event=days(1, h=1),
        evening_share_of_events=0.5,
        weekend_share_of_events=0.25,
        orders=2,
        monetary_value=119.99,
        average_order_value=59.995,
        days_since_last_order=0,
    )
    assert features["has_activity"].to_dict() == {4: False, 2: True, 1: True, 5: True, 3: True}


def test_category_shares_of_the_top_categories_ties_by_name(logs: tuple[Path, Path]) -> None:
    # Counted events per category: books 6, electronics 3, fashion 2, home & garden 2 (toys, 4,
    # are user 99's). Top 3: the fashion / home & garden tie goes to fashion.
    features = activity_features_pandas(*logs, USERS, top_categories=3)
    shares = [c for c in features.columns if c.startswith("category_share__")]
    assert shares == ["category_share__books", "category_share__electronics", "category_share__fashion"]
    assert list(features.columns) == [*BASE_FEATURES, *shares, "has_activity"]
    expect(features, 1, category_share__books=3 / 5, category_share__electronics=0, category_share__fashion=0)
    expect(features, 2, category_share__books=0.5, category_share__fashion=0.5)
    expect(features, 5, category_share__books=0.25, category_share__electronics=0.75)
    expect(features, 3, category_share__books=0, category_share__electronics=0, category_share__fashion=0)
    every = activity_features_pandas(*logs, USERS)
    assert "category_share__home_garden" in every.columns and "category_share__toys" not in every.columns
    expect(every, 1, category_share__home_garden=2 / 5)


def test_as_of_cuts_later_rows_and_keeps_a_row_exactly_at_it(logs: tuple[Path, Path]) -> None:
    features = activity_features_pandas(*logs, USERS, as_of=CUT, top_categories=3)
    window = days(12, h=12, m=59, s=59)
    expect(
        features,
        5,
        events=3,
        active_days=2,
        sessions=2,
        days_since_last_event=0,
        evening_share_of_events=2 / 3,
        weekend_share_of_events=1 / 3,
        orders=1,
        monetary_value=20,
        average_order_value=20,
        days_since_last_order=days(11, h=4, m=49, s=59),
    )
    expect(features, 1, days_since_last_event=days(12, h=10, m=57, s=59), days_since_last_order=window + 1)
    expect(features, 2, days_since_last_event=days(6, h=6, m=39, s=59), days_since_last_order=days(6, h=6, m=29, s=59))
    expect(features, 3, days_since_last_order=days(4, h=10, m=59, s=59), days_since_last_event=window + 1)
    expect(features, 4, days_since_last_event=window + 1, days_since_last_order=window + 1)
    # The same instant written with an offset gives the same features.
    zoned = activity_features_pandas(*logs, USERS, as_of="2026-11-14T23:59:59+01:00", top_categories=3)
    pd.testing.assert_frame_equal(zoned, features)


def test_session_gap_is_a_parameter_and_splits_only_above_it(logs: tuple[Path, Path]) -> None:
    # User 1's gaps in time order: 30, 31, 30, 31 minutes.
    assert activity_features_pandas(*logs, [1], session_gap_minutes=31).loc[1, "sessions"] == 1
    assert activity_features_pandas(*logs, [1], session_gap_minutes=29.99).loc[1, "sessions"] == 5
    assert activity_features_pandas(*logs, [1]).loc[1, "sessions"] == 3


def test_parquet_logs_give_the_same_features(logs: tuple[Path, Path], tmp_path: Path) -> None:
    events, orders = tmp_path / "events.parquet", tmp_path / "orders.parquet"
    pd.read_csv(logs[0], dtype={"event_time": "str"}).to_parquet(events)
    pd.read_csv(logs[1], dtype={"order_time": "str"}).to_parquet(orders)
    pd.testing.assert_frame_equal(
        activity_features_pandas(events, orders, USERS), activity_features_pandas(*logs, USERS)
    )


def test_command_reads_the_profile_ids_and_prints_one_summary_line(logs, tmp_path: Path, capsys) -> None:
    profiles = tmp_path / "profiles.csv"
    profiles.write_text("User ID,Age\n" + "".join(f"{user},30\n" for user in USERS))
    assert list(profile_user_ids(profiles)) == USERS
    out = tmp_path / "features.csv"
    assert main([str(logs[0]), str(logs[1]), str(profiles), "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert len(line.splitlines()) == 1 and line.startswith("activity_baseline ")
    fields = dict(part.split("=") for part in line.split()[1:])
    assert (fields["users"], fields["events"], fields["orders"], fields["users_with_activity"]) == ("5", "13", "5", "4")
    assert float(fields["seconds"]) > 0
    written = pd.read_csv(out, index_col="user_id")
    assert list(written.index) == USERS and written.loc[2, "sessions"] == 3


def test_generated_logs_agree_with_text_arithmetic_and_the_planted_sessions(tmp_path: Path) -> None:
    """On the generator's logs (every zone offset), against the local fields read off the text
    (date: characters 0-9, hour: 11-12) and the generator's events per session by segment."""
    from user_segmentation_tools.activity import DEFAULT_AS_OF, generate_activity
    from user_segmentation_tools.generator import generate

    events, orders, truth = tmp_path / "events.csv", tmp_path / "orders.csv", tmp_path / "truth.csv"
    generate(2000, 42, tmp_path / "profiles.csv", truth)
    generate_activity(2000, 42, events, orders, events_per_user=20)
    users = profile_user_ids(tmp_path / "profiles.csv")
    features = activity_features_pandas(events, orders, users, as_of=DEFAULT_AS_OF)

    text = pd.read_csv(events, dtype={"event_time": "str"})
    local_date = pd.to_datetime(text.event_time.str[:10])
    by_user = text.assign(
        date=local_date,
        evening=text.event_time.str[11:13].astype(int) >= 18,
        weekend=local_date.dt.day_of_week >= 5,
    ).groupby("user_id")
    active = features[features.events > 0]
    assert len(active) > 1900 and active.index.isin(by_user.size().index).all()
    pd.testing.assert_series_equal(active.events, by_user.size().reindex(active.index), check_names=False)
    pd.testing.assert_series_equal(active.active_days, by_user.date.nunique().reindex(active.index), check_names=False)
    for share, column in (("evening_share_of_events", "evening"), ("weekend_share_of_events", "weekend")):
        expected = by_user[column].mean().reindex(active.index)
        assert (active[share] - expected).abs().max() < 1e-12
    spend = pd.read_csv(orders).groupby("user_id").amount.sum()
    assert (features.monetary_value.reindex(spend.index) - spend).abs().max() < 1e-9
    # Sessions are planted more than 30 minutes apart with events at most 25 minutes apart: the
    # split gives back the generator's mean events per session (10, 4, 1.5, 3 by segment).
    segment = pd.read_csv(truth).set_index("user_id").planted_segment.reindex(active.index)
    per_session = active.events.groupby(segment).sum() / active.sessions.groupby(segment).sum()
    assert per_session.to_numpy() == pytest.approx([10, 4, 1.5, 3], rel=0.05)
