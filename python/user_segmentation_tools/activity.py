"""Event and order logs that match the generated profiles, with the planted segments in the activity.

``user-segmentation generate ... --interactions events.csv --transactions orders.csv`` writes,
beside the profiles, one row per event and one row per order of the same users (ids
``1 .. rows``). Every user keeps the planted segment of the profiles' truth file
(:func:`user_segmentation_tools.generator.planted_segments`) and each segment has its own
activity pattern, so a segmentation of per-user activity aggregates recovers the truth
(``tests/python/test_activity_generator.py``: K-Means on nine standardized aggregates of
3,000 users, adjusted Rand index at least 0.9). With ``--profile-noise`` the profiles carry
no segment signal and the logs are the only place the segments are.

Files (CSV or Parquet by extension, the same values in both; sorted by user and time):

- events: ``user_id`` (int64), ``event_time`` (ISO-8601 text), ``event_type``, ``channel``, ``category``.
- orders: ``user_id``, ``order_id`` (int64: 1, 2, ... in file order), ``order_time`` (ISO-8601 text),
  ``amount`` (decimal, 2 decimals, >= 0), ``currency``, ``category``.

Times are the user's local wall-clock time with its zone: ``2026-11-27T19:04:31Z`` for the
80% of users in UTC, ``2026-11-27T19:04:31+02:00`` for the 20% (``ZONED_USER_SHARE``) with an
explicit offset (``ZONE_OFFSETS``, ``+00:00`` among them). The hour written is the local hour,
the one the time-of-day pattern applies to; the instant is the local time minus the offset.
Every event and order is before ``as_of`` (default ``2026-11-30T00:00:00Z``). Event types:
view, click, like, share, comment, search, and 1.5% rare others (``OTHER_EVENT_TYPES``:
add_to_cart, wishlist, video_play); channels web, app, email; categories ``CATEGORIES``.
Currency is per user: EUR 90%, GBP 5%, USD 3%, CHF 2% (amounts are on one scale whatever the
currency); 0.5% of orders have amount 0.00.

How a user's activity is drawn (the parameters per segment are in the tables below):

1. 3% of users (``NO_EVENTS_SHARE``) have no events and no orders; they are in the profiles.
2. An activity level ``L ~ Gamma(12, 1/12)`` (mean 1); sessions ``max(1, Poisson(m L))`` with
   ``m`` = mean events / events per session. The mean over all users (those without events
   included) is ``--events-per-user`` events (default 50).
3. Active days: ``round(sessions / sessions per active day)`` draws (with replacement) of a
   day in the ``span`` days that end ``lag`` days before the last day (``as_of``'s UTC date
   minus 2), ``lag = lag min + Exponential(lag mean)`` whole days; the first draw is in the
   last week, so the recency is about ``lag``. A draw is a weekend day with the weekend share.
4. Each session falls on one of the user's active days at a local hour drawn from the
   segment's hours (evening 18-23, night 0-6, the rest spread over 7-17) and holds
   ``1 + Poisson(events per session - 1)`` events, 1 s to 25 min apart (exponential, mean
   75 s). Sessions are moved later where needed so that more than 30 minutes (31) separate
   them: splitting a user's events at gaps over 30 minutes gives back exactly the sessions.
5. Orders: a user with events is a buyer with the segment's buyer share; a buyer places
   ``1 + Poisson(max(o L - 1, 0))`` orders, ``o`` scaled so that the mean over all users is
   about ``--events-per-user / 25`` (a little more where ``o L < 1``: a buyer orders at least
   once); each 1-15 minutes after the end of one of the user's sessions, amount
   ``LogNormal(log(median order value), 0.5)``.

| parameter | 1 weekend scrollers | 2 weekday professionals | 3 light users | 4 engaged responders |
|---|---|---|---|---|
| share of users (the profiles') | 34% | 28% | 22% | 16% |
| relative event volume | 1.0 | 0.7 | 0.2 | 2.0 |
| events per session (mean) | 10 | 4 | 1.5 | 3 |
| sessions per active day | 1.2 | 1.2 | 1.0 | 3.0 |
| activity span (days) | 84 | 84 | 168 | 56 |
| recency lag: min + exponential mean (days) | 0 + 2 | 0 + 3 | 35 + 35 | 0 + 1 |
| evening (local 18-23) / night (0-6) share | .40 / .10 | .05 / .02 | .40 / .05 | .85 / .05 |
| weekend share of active days | .85 | .05 | .40 | .25 |
| channel web / app / email | .15 / .80 / .05 | .60 / .15 / .25 | .40 / .25 / .35 | .25 / .65 / .10 |
| relative order volume | 0.8 | 1.2 | 0.25 | 2.5 |
| buyers among users with events | .97 | .985 | .85 | .99 |
| median order value (EUR) | 25 | 160 | 45 | 70 |

| segment | view | click | like | share | comment | search | top categories (the other 5 share the rest evenly) |
|---|---|---|---|---|---|---|---|
| 1 | .50 | .08 | .22 | .06 | .04 | .10 | fashion .30, beauty .22, sports .18 |
| 2 | .45 | .22 | .03 | .02 | .03 | .25 | electronics .35, books .25, travel .18 |
| 3 | .70 | .10 | .04 | .02 | .01 | .13 | home .35, food .25, books .15 |
| 4 | .30 | .20 | .20 | .10 | .12 | .08 | travel .30, food .22, sports .15 |

(Event types: 98.5% of events, in these proportions; categories: of events and orders.)

What that gives at the defaults (50,000 users, seed 3): per user means of events, active days,
events per active day and per session, evening and weekend share, median days since the last
event, orders, average order value (EUR), and the share of users without orders.

| segment | events | active days | per day | per session | evening | weekend | recency | orders | value | no orders |
|---|---|---|---|---|---|---|---|---|---|---|
| 1 | 55.7 | 3.4 | 17.3 | 10.0 | .40 | .85 | 7.4 | 1.5 | 28 | 5.9% |
| 2 | 39.0 | 5.8 | 7.1 | 4.0 | .06 | .05 | 6.3 | 2.3 | 180 | 4.6% |
| 3 | 11.2 | 5.0 | 2.4 | 1.5 | .40 | .40 | 71.2 | 0.8 | 51 | 17.1% |
| 4 | 110.5 | 11.5 | 10.0 | 3.0 | .83 | .25 | 3.1 | 4.7 | 79 | 4.0% |

Over all users: 50.1 events and 2.09 orders per user; 3.0% without events, 7.7% without orders.

Speed and memory: users are simulated in chunks of ``ACTIVITY_CHUNK_USERS`` (fewer when
they have more than ``ACTIVITY_CHUNK_EVENTS`` events together; vectorised numpy, no per-user
Python); events are formatted (timestamps from lookup tables) and written
with pyarrow's CSV or Parquet writer in slices of ``WRITE_SLICE_ROWS`` rows, so memory is
bounded by one chunk whatever ``rows``. Determinism: the output depends only on ``rows``,
``seed``, ``events_per_user`` and ``as_of`` (and these constants); each chunk draws from its
own streams, derived from the seed and the chunk's position: one for users and sessions,
one for event attributes, one for orders (the orders are the same whether or not the events
are written).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .generator import SEGMENTS, _format_of, planted_segments

__all__ = [
    "ACTIVITY_CHUNK_USERS",
    "ActivityCounts",
    "ActivityPattern",
    "CATEGORIES",
    "CHANNELS",
    "DEFAULT_AS_OF",
    "DEFAULT_EVENTS_PER_USER",
    "EVENTS_PER_ORDER",
    "EVENT_COLUMNS",
    "EVENT_TYPES",
    "NO_EVENTS_SHARE",
    "ORDER_COLUMNS",
    "OTHER_EVENT_TYPES",
    "PATTERNS",
    "WRITE_SLICE_ROWS",
    "ZONED_USER_SHARE",
    "ZONE_OFFSETS",
    "check_activity_options",
    "generate_activity",
    "parse_as_of",
]

ACTIVITY_CHUNK_USERS = 200_000
# Fewer users per chunk when they have more events than that would hold (--events-per-user above 50).
ACTIVITY_CHUNK_EVENTS = 10_000_000
MAX_EVENTS_PER_USER = 10_000
WRITE_SLICE_ROWS = 1_000_000
DEFAULT_EVENTS_PER_USER = 50.0
EVENTS_PER_ORDER = 25.0
DEFAULT_AS_OF = "2026-11-30T00:00:00Z"

EVENT_TYPES = ("view", "click", "like", "share", "comment", "search")
OTHER_EVENT_TYPES = ("add_to_cart", "wishlist", "video_play")
OTHER_EVENT_WEIGHTS = (0.6, 0.25, 0.15)
OTHER_EVENT_SHARE = 0.015
CHANNELS = ("web", "app", "email")
CATEGORIES = ("electronics", "fashion", "home", "sports", "books", "beauty", "travel", "food")
CURRENCIES = ("EUR", "GBP", "USD", "CHF")
CURRENCY_SHARES = (0.90, 0.05, 0.03, 0.02)
ZERO_AMOUNT_SHARE = 0.005
AMOUNT_SIGMA = 0.5

NO_EVENTS_SHARE = 0.03
ZONED_USER_SHARE = 0.20
# The explicit offsets of zoned users and how often each is drawn.
ZONE_OFFSETS = ("+00:00", "+01:00", "+02:00", "+03:00", "+05:30", "+09:00", "-03:00", "-05:00", "-08:00")
ZONE_WEIGHTS = (0.10, 0.25, 0.20, 0.05, 0.08, 0.07, 0.08, 0.10, 0.07)

LEVEL_SHAPE = 12.0  # Gamma(shape, 1/shape): the per-user activity level, mean 1, cv 0.29
MEAN_EVENT_GAP = 75.0  # seconds between the events of a session (exponential, then clipped)
MAX_EVENT_GAP = 25 * 60  # < 30 minutes: a session never splits
MIN_SESSION_SPACING = 31 * 60  # > 30 minutes: two sessions never merge
LAST_DAY_BEFORE_AS_OF = 2  # the last local day of activity is as_of's UTC day minus this
MAX_LAG_DAYS = 180

EVENT_COLUMNS = ("user_id", "event_time", "event_type", "channel", "category")
ORDER_COLUMNS = ("user_id", "order_id", "order_time", "amount", "currency", "category")


@dataclass(frozen=True)
class ActivityPattern:
    """The activity of one planted segment (see the table in the module docstring).

    ``events`` and ``orders`` are relative volumes: they are scaled so that the mean over all
    users is ``events_per_user`` events and ``events_per_user / EVENTS_PER_ORDER`` orders.
    """

    events: float
    events_per_session: float
    sessions_per_day: float
    span_days: int
    lag_min_days: int
    lag_mean_days: float
    evening_share: float
    night_share: float
    weekend_share: float
    channels: tuple[float, float, float]
    event_types: tuple[float, float, float, float, float, float]
    orders: float
    buyer_share: float
    order_value: float
    categories: dict[str, float]


def _category_mix(top: dict[str, float]) -> dict[str, float]:
    """The named shares, the rest of the mass spread evenly over the other categories."""
    rest = [name for name in CATEGORIES if name not in top]
    spare = (1.0 - sum(top.values())) / len(rest)
    return {name: top.get(name, spare) for name in CATEGORIES}


PATTERNS: tuple[ActivityPattern, ...] = (
    ActivityPattern(  # 1 weekend scrollers
        events=1.0,
        events_per_session=10.0,
        sessions_per_day=1.2,
        span_days=84,
        lag_min_days=0,
        lag_mean_days=2.0,
        evening_share=0.40,
        night_share=0.10,
        weekend_share=0.85,
        channels=(0.15, 0.80, 0.05),
        event_types=(0.50, 0.08, 0.22, 0.06, 0.04, 0.10),
        orders=0.8,
        buyer_share=0.97,
        order_value=25.0,
        categories=_category_mix({"fashion": 0.30, "beauty": 0.22, "sports": 0.18}),
    ),
    ActivityPattern(  # 2 weekday professionals
        events=0.7,
        events_per_session=4.0,
        sessions_per_day=1.2,
        span_days=84,
        lag_min_days=0,
        lag_mean_days=3.0,
        evening_share=0.05,
        night_share=0.02,
        weekend_share=0.05,
        channels=(0.60, 0.15, 0.25),
        event_types=(0.45, 0.22, 0.03, 0.02, 0.03, 0.25),
        orders=1.2,
        buyer_share=0.985,
        order_value=160.0,
        categories=_category_mix({"electronics": 0.35, "books": 0.25, "travel": 0.18}),
    ),
    ActivityPattern(  # 3 light users
        events=0.2,
        events_per_session=1.5,
        sessions_per_day=1.0,
        span_days=168,
        lag_min_days=35,
        lag_mean_days=35.0,
        evening_share=0.40,
        night_share=0.05,
        weekend_share=0.40,
        channels=(0.40, 0.25, 0.35),
        event_types=(0.70, 0.10, 0.04, 0.02, 0.01, 0.13),
        orders=0.25,
        buyer_share=0.85,
        order_value=45.0,
        categories=_category_mix({"home": 0.35, "food": 0.25, "books": 0.15}),
    ),
    ActivityPattern(  # 4 engaged responders
        events=2.0,
        events_per_session=3.0,
        sessions_per_day=3.0,
        span_days=56,
        lag_min_days=0,
        lag_mean_days=1.0,
        evening_share=0.85,
        night_share=0.05,
        weekend_share=0.25,
        channels=(0.25, 0.65, 0.10),
        event_types=(0.30, 0.20, 0.20, 0.10, 0.12, 0.08),
        orders=2.5,
        buyer_share=0.99,
        order_value=70.0,
        categories=_category_mix({"travel": 0.30, "food": 0.22, "sports": 0.15}),
    ),
)
assert len(PATTERNS) == len(SEGMENTS)


@dataclass(frozen=True)
class ActivityCounts:
    """What :func:`generate_activity` wrote."""

    users: int
    events: int
    orders: int
    users_without_events: int
    users_without_orders: int


def parse_as_of(text: str) -> int:
    """``as_of`` (ISO-8601; without a zone: UTC) as whole seconds since the epoch."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--as-of {text!r} is not an ISO-8601 time (e.g. {DEFAULT_AS_OF})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() // 1)


def check_activity_options(
    events_per_user: float, as_of: str, interactions: Path | None, transactions: Path | None, others: list[Path]
) -> None:
    """Raise ``ValueError`` for bad options before anything is written."""
    if not 0 < events_per_user <= MAX_EVENTS_PER_USER:
        raise ValueError(
            f"--events-per-user must be above 0 and at most {MAX_EVENTS_PER_USER:,}; got {events_per_user}"
        )
    parse_as_of(as_of)
    logs = [Path(path) for path in (interactions, transactions) if path]
    for path in logs:
        _format_of(path)
    resolved = [path.resolve() for path in [*logs, *map(Path, others)]]
    if len(set(resolved)) < len(resolved):
        raise ValueError("--out, --truth, --interactions and --transactions must be different files")


# ---------------------------------------------------------------------------------------
# Drawing


def _table(attribute: str) -> np.ndarray:
    return np.array([getattr(pattern, attribute) for pattern in PATTERNS], dtype=float)


# Categorical draws go through a lookup table: a uniform 16-bit number picks the level, so
# every share is a multiple of 1/65,536 (within 0.00002 of the table's value).
_LOOKUP_BITS = 16


def _lookup(rows) -> np.ndarray:
    """Per group (row), the level of each 16-bit number: an inverse cdf as a (groups, 65,536) table."""
    probabilities = np.asarray(rows, dtype=float)
    cdf = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    midpoints = (np.arange(2**_LOOKUP_BITS) + 0.5) / 2**_LOOKUP_BITS
    table = np.array([np.searchsorted(row, midpoints, side="right") for row in cdf])
    return np.minimum(table, probabilities.shape[1] - 1).astype(np.int8)


def _hour_probabilities(pattern: ActivityPattern) -> np.ndarray:
    hours = np.arange(24)
    evening, night = (hours >= 18), (hours <= 6)
    day = ~(evening | night)
    return np.where(
        evening,
        pattern.evening_share / evening.sum(),
        np.where(
            night, pattern.night_share / night.sum(), (1 - pattern.evening_share - pattern.night_share) / day.sum()
        ),
    )


@dataclass(frozen=True)
class _Tables:
    """Per-segment parameters as arrays indexed by the 0-based segment."""

    events: np.ndarray
    events_per_session: np.ndarray
    sessions_per_day: np.ndarray
    span_weeks: np.ndarray
    lag_min_days: np.ndarray
    lag_mean_days: np.ndarray
    weekend_share: np.ndarray
    orders: np.ndarray
    buyer_share: np.ndarray
    log_order_value: np.ndarray
    hour: np.ndarray  # lookup tables (see _lookup)
    channel: np.ndarray
    event_type: np.ndarray
    category: np.ndarray
    currency: np.ndarray
    zone: np.ndarray


def _tables() -> _Tables:
    shares = np.array([planted.share for planted in SEGMENTS])
    shares = shares / shares.sum()
    events, orders = _table("events"), _table("orders")
    base_types = np.array([pattern.event_types for pattern in PATTERNS])
    base_types = base_types / base_types.sum(axis=1, keepdims=True) * (1 - OTHER_EVENT_SHARE)
    other = np.outer(np.ones(len(PATTERNS)), np.array(OTHER_EVENT_WEIGHTS) * OTHER_EVENT_SHARE)
    return _Tables(
        # Relative volumes over all users, including those without events (or orders).
        events=events / (shares @ events) / (1 - NO_EVENTS_SHARE),
        events_per_session=_table("events_per_session"),
        sessions_per_day=_table("sessions_per_day"),
        span_weeks=np.ceil(_table("span_days") / 7),
        lag_min_days=_table("lag_min_days"),
        lag_mean_days=_table("lag_mean_days"),
        weekend_share=_table("weekend_share"),
        # Mean orders per buyer: per user with events, over the segment's share of buyers.
        orders=orders / (shares @ orders) / (1 - NO_EVENTS_SHARE) / _table("buyer_share"),
        buyer_share=_table("buyer_share"),
        log_order_value=np.log(_table("order_value") * 100),
        hour=_lookup([_hour_probabilities(pattern) for pattern in PATTERNS]),
        channel=_lookup([pattern.channels for pattern in PATTERNS]),
        event_type=_lookup(np.hstack([base_types, other])),
        category=_lookup([[pattern.categories[name] for name in CATEGORIES] for pattern in PATTERNS]),
        currency=_lookup([CURRENCY_SHARES]),
        # Zone 0 is UTC ("Z"), zone i the offset ZONE_OFFSETS[i - 1].
        zone=_lookup([[1 - ZONED_USER_SHARE, *(ZONED_USER_SHARE * np.array(ZONE_WEIGHTS) / sum(ZONE_WEIGHTS))]]),
    )


def _draw(rng: np.random.Generator, table: np.ndarray, group: np.ndarray | None = None, rows: int = 0) -> np.ndarray:
    """One categorical draw per row from the lookup table of its group (one group: ``rows`` draws)."""
    number = rng.integers(0, 2**_LOOKUP_BITS, group.shape[0] if group is not None else rows, dtype=np.uint16)
    if group is None:
        return table[0][number]
    return table[group, number]


def _first_index(counts: np.ndarray) -> np.ndarray:
    """Where each group starts in the concatenation of groups of these sizes."""
    first = np.zeros(counts.shape[0], dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    return first


@dataclass
class _Chunk:
    """The simulated activity of one chunk of users (times are local wall-clock seconds)."""

    first_user_id: int
    users: int
    segment: np.ndarray  # per user, 0-based
    zone: np.ndarray  # per user: 0 = UTC ("Z"), i = ZONE_OFFSETS[i - 1]
    # Sessions (in order of user and time) and events (in order of session and time); the
    # attributes of events are drawn when they are written, one slice at a time.
    session_user: np.ndarray | None = None
    session_start: np.ndarray | None = None
    session_channel: np.ndarray | None = None
    event_session: np.ndarray | None = None
    event_offset: np.ndarray | None = None  # seconds after the start of the session
    order_user: np.ndarray | None = None
    order_local: np.ndarray | None = None
    order_cents: np.ndarray | None = None
    order_currency: np.ndarray | None = None
    order_category: np.ndarray | None = None
    users_with_events: int = 0
    users_with_orders: int = 0


def _zone_seconds() -> np.ndarray:
    seconds = [0]
    for offset in ZONE_OFFSETS:
        sign = -1 if offset[0] == "-" else 1
        seconds.append(sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60))
    return np.array(seconds, dtype=np.int64)


def _session_days(
    rng: np.random.Generator, t: _Tables, segment: np.ndarray, n_sessions: np.ndarray, end_day: np.ndarray
) -> np.ndarray:
    """The local day (days since the epoch) of each session, sessions grouped by user.

    Active days are ``round(sessions / sessions per day)`` draws with replacement: the first in
    the user's last week, the others in the span; a weekend day with the weekend share.
    """
    users = segment.shape[0]
    n_slots = np.where(n_sessions > 0, np.maximum(1, np.rint(n_sessions / t.sessions_per_day[segment])), 0)
    n_slots = n_slots.astype(np.int64)
    slot_user = np.repeat(np.arange(users), n_slots)
    slot_first = _first_index(n_slots)
    slot_segment = segment[slot_user]
    slots = slot_user.shape[0]
    week = np.floor(rng.random(slots) * t.span_weeks[slot_segment]).astype(np.int64)
    week[slot_first[n_slots > 0]] = 0
    weekend = rng.random(slots) < t.weekend_share[slot_segment]
    weekday = np.where(weekend, 5 + (rng.random(slots) < 0.5), np.floor(rng.random(slots) * 5)).astype(np.int64)
    slot_end = end_day[slot_user]
    # 1970-01-01 was a Thursday: the weekday (Monday = 0) of epoch day d is (d + 3) % 7.
    slot_day = slot_end - 7 * week - ((slot_end + 3 - weekday) % 7)
    session_user = np.repeat(np.arange(users), n_sessions)
    pick = np.floor(rng.random(session_user.shape[0]) * n_slots[session_user]).astype(np.int64)
    return slot_day[slot_first[session_user] + pick]


def _session_starts(
    rng: np.random.Generator, t: _Tables, session_segment: np.ndarray, session_user: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Local start (seconds since the epoch) of each session at one of the segment's hours, in order per user."""
    hour = _draw(rng, t.hour, session_segment).astype(np.int64)
    start = day * 86400 + hour * 3600 + rng.integers(0, 3600, day.shape[0])
    return start[np.lexsort((start, session_user))]  # session_user is sorted already


def _session_events(
    rng: np.random.Generator, t: _Tables, session_segment: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per event its session and its seconds after the session's start; per session its duration."""
    size = 1 + rng.poisson(t.events_per_session[session_segment] - 1)
    session_first = _first_index(size)
    event_session = np.repeat(np.arange(session_segment.shape[0], dtype=np.int32), size)
    gap = rng.standard_exponential(event_session.shape[0], dtype=np.float32)
    gap *= np.float32(MEAN_EVENT_GAP)
    np.clip(np.rint(gap, out=gap), 1, MAX_EVENT_GAP, out=gap)
    # Seconds since the session's first event: a running sum less its value at the session's
    # start, in int32 to halve the memory. The running sum may wrap around; the difference is
    # still exact (arithmetic modulo 2**32), as a session lasts far less than 2**31 seconds.
    within = gap.astype(np.int32)
    del gap
    within[session_first] = 0
    np.cumsum(within, out=within)
    within -= np.repeat(within[session_first], size)
    duration = within[session_first + size - 1].astype(np.int64)
    return event_session, within, duration


def _spaced(start: np.ndarray, duration: np.ndarray, session_user: np.ndarray, n_sessions: np.ndarray) -> np.ndarray:
    """Move sessions later where needed so that at least ``MIN_SESSION_SPACING`` separates them.

    ``x_j = max(start_j, x_(j-1) + length_(j-1))`` is ``C_j`` plus the running maximum of
    ``start - C`` over the user's sessions, ``C_j`` being the sum of the lengths before ``j``:
    a per-user cumulative maximum (each user's values lifted above the previous user's).
    """
    length = duration + MIN_SESSION_SPACING
    before = np.cumsum(length) - length
    before -= before[_first_index(n_sessions)[session_user]]
    base = int(start.min()) if start.shape[0] else 0
    group = session_user.astype(np.int64) << 32
    return np.maximum.accumulate(start - base - before + group) - group + before + base


def _simulate(
    segment: np.ndarray,
    first_user_id: int,
    streams: tuple[np.random.Generator, np.random.Generator, np.random.Generator],
    tables: _Tables,
    events_per_user: float,
    as_of: int,
    with_events: bool,
) -> _Chunk:
    """Simulate the chunk's users; the orders always (cheap), the events' arrays only ``with_events``."""
    sessions_rng, events_rng, orders_rng = streams
    t = tables
    users = segment.shape[0]
    user_index = np.arange(users)

    # Users: who is active, how much, in which zone, how recently.
    active = sessions_rng.random(users) >= NO_EVENTS_SHARE
    level = sessions_rng.gamma(LEVEL_SHAPE, 1 / LEVEL_SHAPE, users)
    mean_sessions = events_per_user * t.events[segment] / t.events_per_session[segment] * level
    n_sessions = np.where(active, np.maximum(1, sessions_rng.poisson(mean_sessions)), 0)
    zone = _draw(sessions_rng, t.zone, rows=users)
    offset = _zone_seconds()[zone]
    lag = t.lag_min_days[segment] + np.floor(sessions_rng.exponential(t.lag_mean_days[segment]))
    end_day = as_of // 86400 - LAST_DAY_BEFORE_AS_OF - np.minimum(lag, MAX_LAG_DAYS).astype(np.int64)

    # Sessions, in order of user and time; their events.
    session_user = np.repeat(user_index.astype(np.int32), n_sessions)
    session_segment = segment[session_user]
    day = _session_days(sessions_rng, t, segment, n_sessions, end_day)
    start = _session_starts(sessions_rng, t, session_segment, session_user, day)
    del day
    event_session, within, duration = _session_events(sessions_rng, t, session_segment)
    moved = _spaced(start, duration, session_user, n_sessions)
    del start
    # Nothing may reach as_of (a session moved very late, in a zone west of UTC): move the
    # user's whole history back by whole weeks, which keeps weekdays, hours and order. A
    # user's last session ends last (sessions are in order and do not overlap).
    user_first_session = _first_index(n_sessions)
    last = (user_first_session + n_sessions - 1)[active]
    excess = np.zeros(users, dtype=np.int64)
    excess[active] = moved[last] + duration[last] - offset[active] - as_of + 1
    weeks_back = -(-np.maximum(excess, 0) // (7 * 86400))
    moved -= weeks_back[session_user] * 7 * 86400

    chunk = _Chunk(first_user_id=first_user_id, users=users, segment=segment, zone=zone)
    chunk.users_with_events = int(active.sum())
    if with_events:
        chunk.session_user = session_user
        chunk.session_start = moved
        chunk.session_channel = _draw(events_rng, t.channel, session_segment)
        chunk.event_session = event_session
        chunk.event_offset = within
    del event_session, within, session_segment

    # Orders.
    buyer = active & (orders_rng.random(users) < t.buyer_share[segment])
    mean_orders = events_per_user / EVENTS_PER_ORDER * t.orders[segment] * level
    n_orders = np.where(buyer, 1 + orders_rng.poisson(np.maximum(mean_orders - 1, 0)), 0)
    currency = _draw(orders_rng, t.currency, rows=users)
    order_user = np.repeat(user_index, n_orders)
    n_order = order_user.shape[0]
    pick = np.floor(orders_rng.random(n_order) * n_sessions[order_user]).astype(np.int64)
    session = user_first_session[order_user] + pick
    ended = moved[session] + duration[session]
    placed = ended + orders_rng.integers(60, 901, n_order)
    placed = np.where(placed - offset[order_user] >= as_of, ended, placed)
    order = np.lexsort((placed, order_user))
    order_segment = segment[order_user]
    cents = np.rint(np.exp(t.log_order_value[order_segment] + orders_rng.normal(0, AMOUNT_SIGMA, n_order)))
    cents = np.where(orders_rng.random(n_order) < ZERO_AMOUNT_SHARE, 0, cents).astype(np.int64)
    category = _draw(orders_rng, t.category, order_segment)
    chunk.order_user = order_user
    chunk.order_local = placed[order]
    chunk.order_cents = cents  # drawn i.i.d. per order: their order within a user does not matter
    chunk.order_currency = currency[order_user]
    chunk.order_category = category
    chunk.users_with_orders = int((n_orders > 0).sum())
    return chunk


# ---------------------------------------------------------------------------------------
# Formatting and writing


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers as an (n, width) uint8 array."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers % 10 + ord("0")).astype(np.uint8)


def _time_of_day_table() -> np.ndarray:
    """``HH:MM:SS`` of every second of the day, as a (86400, 8) uint8 array."""
    second = np.arange(86400, dtype=np.int64)
    table = np.full((86400, 8), ord(":"), dtype=np.uint8)
    table[:, 0:2] = _digits(second // 3600, 2)
    table[:, 3:5] = _digits(second // 60 % 60, 2)
    table[:, 6:8] = _digits(second % 60, 2)
    return table


class _TimeFormatter:
    """Local wall-clock seconds + zone code -> ISO-8601 text, from lookup tables (no strftime)."""

    def __init__(self) -> None:
        self._time_of_day = _time_of_day_table()
        self._suffix = pa.array(["Z", *ZONE_OFFSETS])

    @staticmethod
    def _date_table(first_day: int, last_day: int) -> np.ndarray:
        epoch = dt.date(1970, 1, 1)
        text = "".join((epoch + dt.timedelta(days=day)).strftime("%Y-%m-%dT") for day in range(first_day, last_day + 1))
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(-1, 11)

    def __call__(self, local: np.ndarray, zone: np.ndarray) -> pa.Array:
        rows = local.shape[0]
        if rows == 0:
            return pa.array([], pa.string())
        day = local // 86400
        first_day = int(day.min())
        body = np.empty((rows, 19), dtype=np.uint8)
        body[:, :11] = self._date_table(first_day, int(day.max()))[day - first_day]
        body[:, 11:] = self._time_of_day[local - day * 86400]
        offsets = np.arange(0, 19 * (rows + 1), 19, dtype=np.int32)
        text = pa.Array.from_buffers(pa.string(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(body)])
        return pc.binary_join_element_wise(text, self._suffix.take(pa.array(zone)), "")


def _labels(codes: np.ndarray, names: tuple[str, ...]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(names))


def _decimal_cents(cents: np.ndarray) -> pa.Array:
    """Non-negative cents as decimal(12, 2): the 128-bit little-endian unscaled values."""
    words = np.zeros((cents.shape[0], 2), dtype=np.int64)
    words[:, 0] = cents
    return pa.Array.from_buffers(pa.decimal128(12, 2), cents.shape[0], [None, pa.py_buffer(words.ravel())])


_LABEL = pa.dictionary(pa.int8(), pa.string())
EVENT_SCHEMA = pa.schema(
    [("user_id", pa.int64()), ("event_time", pa.string()), ("event_type", _LABEL), ("channel", _LABEL)]
    + [("category", _LABEL)]
)
ORDER_SCHEMA = pa.schema(
    [("user_id", pa.int64()), ("order_id", pa.int64()), ("order_time", pa.string())]
    + [("amount", pa.decimal128(12, 2)), ("currency", _LABEL), ("category", _LABEL)]
)
assert tuple(EVENT_SCHEMA.names) == EVENT_COLUMNS and tuple(ORDER_SCHEMA.names) == ORDER_COLUMNS


class _Sink:
    """A CSV (plain header, no quoting: no value needs it) or Parquet (zstd) file, written in parts."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import pyarrow.csv as pa_csv
        import pyarrow.parquet as pq

        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = None
        if _format_of(path) == "csv":
            self._file = pa.OSFile(str(path), "wb")
            self._file.write((",".join(schema.names) + "\n").encode("ascii"))
            options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
            self._writer = pa_csv.CSVWriter(self._file, schema, write_options=options)
        else:
            self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()
        if self._file is not None:
            self._file.close()


def _slices(rows: int):
    for start in range(0, rows, WRITE_SLICE_ROWS):
        yield slice(start, min(rows, start + WRITE_SLICE_ROWS))


def _write_events(sink: _Sink, chunk: _Chunk, times: _TimeFormatter, rng: np.random.Generator, t: _Tables) -> int:
    """Write the chunk's events a slice at a time, drawing their type and category on the way."""
    rows = chunk.event_session.shape[0]
    for part in _slices(rows):
        session = chunk.event_session[part]
        user = chunk.session_user[session]
        segment = chunk.segment[user]
        sink.write(
            pa.table(
                [
                    pa.array(user.astype(np.int64) + chunk.first_user_id),
                    times(chunk.session_start[session] + chunk.event_offset[part], chunk.zone[user]),
                    _labels(_draw(rng, t.event_type, segment), EVENT_TYPES + OTHER_EVENT_TYPES),
                    _labels(chunk.session_channel[session], CHANNELS),
                    _labels(_draw(rng, t.category, segment), CATEGORIES),
                ],
                schema=EVENT_SCHEMA,
            )
        )
    return rows


def _write_orders(sink: _Sink, chunk: _Chunk, times: _TimeFormatter, first_order_id: int) -> int:
    rows = chunk.order_user.shape[0]
    for part in _slices(rows):
        user = chunk.order_user[part]
        sink.write(
            pa.table(
                [
                    pa.array(user + chunk.first_user_id),
                    pa.array(np.arange(first_order_id + part.start, first_order_id + part.stop, dtype=np.int64)),
                    times(chunk.order_local[part], chunk.zone[user]),
                    _decimal_cents(chunk.order_cents[part]),
                    _labels(chunk.order_currency[part], CURRENCIES),
                    _labels(chunk.order_category[part], CATEGORIES),
                ],
                schema=ORDER_SCHEMA,
            )
        )
    return rows


# Domain separator of the activity streams, so that they never coincide with the profiles'.
_ACTIVITY_STREAM = 0xAC7


def generate_activity(
    rows: int,
    seed: int,
    interactions: Path | None = None,
    transactions: Path | None = None,
    *,
    events_per_user: float = DEFAULT_EVENTS_PER_USER,
    as_of: str = DEFAULT_AS_OF,
) -> ActivityCounts:
    """Write the event log to ``interactions`` and the order log to ``transactions`` (either may be None).

    The users are those of ``generate(rows, seed, ...)``, with the same planted segments.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    check_activity_options(events_per_user, as_of, interactions, transactions, [])
    as_of_seconds = parse_as_of(as_of)
    tables = _tables()
    times = _TimeFormatter()
    sinks: dict[str, _Sink] = {}
    events = orders = with_events = with_orders = 0
    try:
        if interactions:
            sinks["events"] = _Sink(Path(interactions), EVENT_SCHEMA)
        if transactions:
            sinks["orders"] = _Sink(Path(transactions), ORDER_SCHEMA)
        step = max(1, min(ACTIVITY_CHUNK_USERS, int(ACTIVITY_CHUNK_EVENTS // events_per_user)))
        for chunk_index, first_user_id, segment in planted_segments(rows, seed):
            for part, start in enumerate(range(0, segment.shape[0], step)):
                key = [seed, chunk_index, part, _ACTIVITY_STREAM]
                streams = tuple(np.random.default_rng([*key, stream]) for stream in range(3))
                chunk = _simulate(
                    segment[start : start + step],
                    first_user_id + start,
                    streams,
                    tables,
                    events_per_user,
                    as_of_seconds,
                    with_events="events" in sinks,
                )
                with_events += chunk.users_with_events
                with_orders += chunk.users_with_orders
                if "events" in sinks:
                    events += _write_events(sinks["events"], chunk, times, streams[1], tables)
                if "orders" in sinks:
                    orders += _write_orders(sinks["orders"], chunk, times, orders + 1)
                else:
                    orders += chunk.order_user.shape[0]
                del chunk
    finally:
        for sink in sinks.values():
            sink.close()
    return ActivityCounts(
        users=rows,
        events=events,
        orders=orders,
        users_without_events=rows - with_events,
        users_without_orders=rows - with_orders,
    )
