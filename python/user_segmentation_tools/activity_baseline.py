"""Per-user activity features in pandas, the way a notebook computes them: the benchmark's baseline.

:func:`activity_features_pandas` reads an event log and an order log (CSV or Parquet, the
columns of :mod:`user_segmentation_tools.activity`) and returns one row per profile user with
the features the dbt models compute in SQL from the same logs (the same definitions; clean
input is assumed: no quarantine of bad rows here).

- Time: a value with ``Z`` or an offset (``+02:00``) is normalised to UTC for the instant; a
  value without a zone is taken as UTC. The *local* wall-clock time is the time as written.
- Counted rows: those of users in ``user_ids`` with an instant at or before ``as_of``.
  ``as_of`` defaults to the latest event or order instant of those users. The window starts
  at the earliest counted instant ``W``; ``window_days = (as_of - W) / 1 day`` (0 when nothing
  is counted).
- ``events``; ``active_days`` (distinct local dates); ``events_per_active_day``.
- ``sessions``: in order of instant, a session starts at the user's first event and at every
  event more than ``session_gap_minutes`` after the previous one (a gap of exactly that many
  minutes does not split); ``mean_session_events = events / sessions``.
- ``days_since_last_event`` and ``days_since_last_order``: ``(as_of - last instant) / 1 day``;
  ``window_days + 1`` for a user without any.
- ``evening_share_of_events`` (local hour 18-23) and ``weekend_share_of_events`` (local
  Saturday or Sunday).
- ``orders``, ``monetary_value`` (sum of ``amount``), ``average_order_value``.
- ``category_share__<slug>``: for each of the ``top_categories`` categories with the most counted
  events (ties by name), the share of the user's events in it (:func:`category_slug`).
- ``has_activity``: at least one counted event or order.

Every ratio is 0 when its denominator is 0. ``python -m user_segmentation_tools.activity_baseline
EVENTS ORDERS PROFILES`` computes the features for the profile file's users and prints a
one-line summary (``user-segmentation bench --events-per-user`` runs it so that its time and
memory are measured alone); ``--out`` also writes the features (CSV or Parquet).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from user_segmentation.input_format import normalise_header

from .generator import _format_of

__all__ = [
    "BASE_FEATURES",
    "DEFAULT_SESSION_GAP_MINUTES",
    "DEFAULT_TOP_CATEGORIES",
    "activity_features_pandas",
    "category_slug",
    "main",
    "parse_times",
    "profile_user_ids",
    "summary_line",
]

DEFAULT_SESSION_GAP_MINUTES = 30
DEFAULT_TOP_CATEGORIES = 5
# The features before the category shares, in output order (has_activity comes last).
BASE_FEATURES = (
    "events",
    "active_days",
    "events_per_active_day",
    "sessions",
    "mean_session_events",
    "days_since_last_event",
    "evening_share_of_events",
    "weekend_share_of_events",
    "orders",
    "monetary_value",
    "average_order_value",
    "days_since_last_order",
)
# A trailing zone designator: Z, or an offset +HH:MM / -HHMM.
_ZONE_SUFFIX = r"(?:Z|[+-]\d\d:?\d\d)$"
_DAY = pd.Timedelta(days=1)


def category_slug(name: str) -> str:
    """``'Home & Garden'`` -> ``'home_garden'``: lower case, non-alphanumeric runs as ``_``, no edge ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def parse_times(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO-8601 texts -> (UTC instant, local wall-clock time as written, without a zone)."""
    instant = pd.to_datetime(text, format="ISO8601", utc=True)
    local = pd.to_datetime(text.str.replace(_ZONE_SUFFIX, "", regex=True), format="ISO8601")
    return instant, local


def _utc(moment) -> pd.Timestamp:
    """A time (text, datetime or Timestamp; without a zone: UTC) as a UTC Timestamp."""
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _read_log(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """The named columns of a CSV or Parquet log; ``columns`` maps each to its CSV dtype."""
    path = Path(path)
    if _format_of(path) == "parquet":
        return pd.read_parquet(path, columns=list(columns))
    return pd.read_csv(path, usecols=list(columns), dtype=columns)


def profile_user_ids(path: Path) -> np.ndarray:
    """The ``User ID`` column (header matched as the input format does) of a CSV or Parquet profile file."""
    path = Path(path)
    if _format_of(path) == "parquet":
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
    else:
        names = list(pd.read_csv(path, nrows=0).columns)
    matches = [name for name in names if normalise_header(name) == "userid"]
    if not matches:
        raise ValueError(f"{path}: no User ID column among {names}")
    frame = (
        pd.read_parquet(path, columns=matches[:1])
        if _format_of(path) == "parquet"
        else pd.read_csv(path, usecols=matches[:1], dtype={matches[0]: "int64"})
    )
    return frame[matches[0]].to_numpy(dtype=np.int64)


def _counted(frame: pd.DataFrame, time_column: str, ids: pd.Index) -> pd.DataFrame:
    """The rows of profile users, with their instant and local time parsed."""
    frame = frame[frame["user_id"].isin(ids)].copy()
    frame["instant"], frame["local"] = parse_times(frame[time_column])
    return frame.drop(columns=[time_column])


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole, 0 where whole is 0."""
    return (part / whole.where(whole > 0)).fillna(0.0)


def _event_features(events: pd.DataFrame, session_gap_minutes: float) -> pd.DataFrame:
    """Per user with events: counts, sessions, active days, last instant, evening and weekend counts."""
    events = events.sort_values(["user_id", "instant"], kind="stable")
    gap = events.groupby("user_id", sort=False)["instant"].diff()
    events["new_session"] = gap.isna() | (gap > pd.Timedelta(minutes=session_gap_minutes))
    events["evening"] = events["local"].dt.hour >= 18
    events["weekend"] = events["local"].dt.day_of_week >= 5
    events["local_date"] = events["local"].dt.floor("D")
    return events.groupby("user_id").agg(
        events=("instant", "size"),
        active_days=("local_date", "nunique"),
        sessions=("new_session", "sum"),
        last_event=("instant", "max"),
        evening_events=("evening", "sum"),
        weekend_events=("weekend", "sum"),
    )


def _category_counts(events: pd.DataFrame, top_categories: int) -> pd.DataFrame:
    """Per user, events in each of the ``top_categories`` most frequent categories (columns in rank order)."""
    if top_categories <= 0 or "category" not in events or events.empty:
        return pd.DataFrame(index=pd.Index([], name="user_id"))
    totals = events["category"].value_counts()
    totals = totals[totals > 0]
    ranked = sorted(totals.items(), key=lambda item: (-item[1], str(item[0])))[:top_categories]
    top = [str(name) for name, _ in ranked]
    chosen = events[events["category"].isin(top)]
    counts = chosen.groupby(["user_id", "category"], observed=True).size().unstack(fill_value=0)
    counts.columns = [str(name) for name in counts.columns]
    return counts.reindex(columns=top, fill_value=0)


def activity_features_pandas(
    events_path: Path | str,
    orders_path: Path | str,
    user_ids: Sequence[int] | np.ndarray,
    as_of: str | dt.datetime | pd.Timestamp | None = None,
    session_gap_minutes: float = DEFAULT_SESSION_GAP_MINUTES,
    top_categories: int = DEFAULT_TOP_CATEGORIES,
) -> pd.DataFrame:
    """One row per profile user (index ``user_id``, in ``user_ids`` order): the activity features.

    The definitions are in the module docstring. ``as_of`` without a zone is UTC; None: the
    latest event or order of the profile users.
    """
    ids = pd.Index(np.asarray(user_ids, dtype=np.int64), name="user_id")
    events = _counted(
        _read_log(events_path, {"user_id": "int64", "event_time": "str", "category": "str"}), "event_time", ids
    )
    orders = _counted(
        _read_log(orders_path, {"user_id": "int64", "order_time": "str", "amount": "float64"}), "order_time", ids
    )
    if as_of is None:
        latest = [frame["instant"].max() for frame in (events, orders) if not frame.empty]
        cut = max(latest) if latest else None
    else:
        cut = _utc(as_of)
    if cut is not None:
        events = events[events["instant"] <= cut]
        orders = orders[orders["instant"] <= cut]
    earliest = [frame["instant"].min() for frame in (events, orders) if not frame.empty]
    window_days = (cut - min(earliest)) / _DAY if earliest else 0.0

    per_event = _event_features(events, session_gap_minutes).reindex(ids)
    orders = orders.assign(amount=orders["amount"].astype("float64"))
    per_order = orders.groupby("user_id").agg(
        orders=("instant", "size"), monetary_value=("amount", "sum"), last_order=("instant", "max")
    )
    per_order = per_order.reindex(ids)

    n_events = per_event["events"].fillna(0).astype("int64")
    n_orders = per_order["orders"].fillna(0).astype("int64")
    sessions = per_event["sessions"].fillna(0).astype("int64")
    active_days = per_event["active_days"].fillna(0).astype("int64")
    monetary = per_order["monetary_value"].astype("float64").fillna(0.0)
    features = pd.DataFrame(
        {
            "events": n_events,
            "active_days": active_days,
            "events_per_active_day": _share(n_events, active_days),
            "sessions": sessions,
            "mean_session_events": _share(n_events, sessions),
            "days_since_last_event": ((cut - per_event["last_event"]) / _DAY).fillna(window_days + 1),
            "evening_share_of_events": _share(per_event["evening_events"].fillna(0), n_events),
            "weekend_share_of_events": _share(per_event["weekend_events"].fillna(0), n_events),
            "orders": n_orders,
            "monetary_value": monetary,
            "average_order_value": _share(monetary, n_orders),
            "days_since_last_order": ((cut - per_order["last_order"]) / _DAY).fillna(window_days + 1),
        },
        index=ids,
    )
    counts = _category_counts(events, top_categories).reindex(ids, fill_value=0)
    for name in counts.columns:
        features[f"category_share__{category_slug(name)}"] = _share(counts[name], n_events)
    features["has_activity"] = (n_events + n_orders) > 0
    return features


def summary_line(features: pd.DataFrame, seconds: float) -> str:
    """The one line the benchmark parses: ``activity_baseline key=value ...``."""
    return (
        f"activity_baseline users={len(features)} events={int(features['events'].sum())} "
        f"orders={int(features['orders'].sum())} users_with_activity={int(features['has_activity'].sum())} "
        f"features={features.shape[1]} seconds={seconds:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m user_segmentation_tools.activity_baseline EVENTS ORDERS PROFILES``: print the summary."""
    parser = argparse.ArgumentParser(
        prog="python -m user_segmentation_tools.activity_baseline", description=__doc__.splitlines()[0]
    )
    parser.add_argument("events", help="event log (.csv or .parquet)")
    parser.add_argument("orders", help="order log (.csv or .parquet)")
    parser.add_argument("profiles", help="profile file (.csv or .parquet): its User ID column")
    parser.add_argument("--as-of", help="ISO-8601 (default: the latest event or order)")
    parser.add_argument("--session-gap-minutes", type=float, default=DEFAULT_SESSION_GAP_MINUTES)
    parser.add_argument("--top-categories", type=int, default=DEFAULT_TOP_CATEGORIES)
    parser.add_argument("--out", help="also write the features here (.csv or .parquet)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    features = activity_features_pandas(
        args.events,
        args.orders,
        profile_user_ids(Path(args.profiles)),
        as_of=args.as_of,
        session_gap_minutes=args.session_gap_minutes,
        top_categories=args.top_categories,
    )
    seconds = time.perf_counter() - started
    if args.out:
        out = Path(args.out)
        if _format_of(out) == "parquet":
            features.to_parquet(out)
        else:
            features.to_csv(out)
    print(summary_line(features, seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
