"""The SQL that scoring must agree with, mirrored in NumPy: the one place it is written twice.

:mod:`user_segmentation.scoring` labels records outside dbt. Everything it does to a record
before the distances is defined in SQL; this module restates exactly that, vectorised, one
function per SQL definition, and nothing else. Everything that is data (the levels, the
numeric ranges, the interests, the headers: ``vars.input_format``, read through
:mod:`user_segmentation.input_format`; the features, kinds, transforms, weights, means, sds
and centroids: the model row) is read, never restated.

=============================  =======================================================================
Python                         SQL it mirrors
=============================  =======================================================================
:func:`parse_numbers`          ``parse_number`` (macros/rejection_reason.sql): ``try_cast(x as double)``,
                               then again after ``clean_text``
:func:`canonical_levels`       ``canonical_level`` (macros/input_format.sql): exact ENUM cast, then the
                               level that ``lower(clean_text(x))`` spells
:func:`parse_interests`        ``cleaned_interests_sql`` / ``positions_to_mask`` (macros/typed_user_rows.sql)
:func:`value_reasons`          ``value_rejection_reasons`` / ``numeric_reasons`` (macros/rejection_reason.sql)
:func:`duplicate_reasons`      models/staging/user_file/base/base_user_profiles__duplicates.sql and
                               ``record_version`` (macros/typed_user_rows.sql)
:func:`reason_summary`         ``rejected_user_profiles.rejection_summary``
:data:`ENGINEERED`             ``engineered_feature`` (macros/engineered_features.sql)
:func:`feature_value`          ``feature_value_sql`` (macros/cluster_features.sql)
:func:`weighted_z`             ``z_value_sql`` (macros/cluster_features.sql)
:func:`nearest_centroids`      ``squared_distance_sql`` (macros/nearest_centroid.sql) and the ``nearest``
                               / ``runner_up`` steps of models/intermediate/int_labelled_users.sql
=============================  =======================================================================

Exactness. Plain decimal text is parsed by Arrow, which (like DuckDB) rounds correctly; any
other text (spaces, ``1_000``, ``+-1``, ``nan(1)``, ...) and any non-ASCII text that must be
case-folded is handed to DuckDB itself in one batch per call, with the very expression the
staging SQL uses, so rare spellings are read exactly as the build reads them. The arithmetic
follows the SQL's order of operations term by term (the squared distance is summed feature by
feature, left to right), so distances agree to the last bit except where NumPy's ``log``
(``log1p`` transform) differs from DuckDB's by an ulp. ``tests/python/test_scoring.py``
proves the agreement against a real ``dbt build``.

A whole-number ``User ID`` at or beyond 9.2e18 (``is_whole_number()``: ids must fit a BIGINT)
is ``not_an_integer``, as in the build. Where the build has no reason to mirror because it
stops instead: a whole ``Likes and Reactions`` / ``Followed Accounts`` outside the 64-bit
integer range makes DuckDB's ``::bigint`` fail; scoring rejects the record with the reason
``outside the 64-bit integer range``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .input_format import INTERESTS, LEVELS, NUMERIC_RULES

__all__ = [
    "ENGINEERED",
    "INT64_RANGE",
    "Interests",
    "Reason",
    "TypedRecords",
    "canonical_levels",
    "duckdb_lower",
    "duckdb_parse_numbers",
    "duplicate_reasons",
    "feature_value",
    "nearest_centroids",
    "parse_interests",
    "parse_numbers",
    "python_text",
    "quoted_value",
    "reason_summary",
    "texts",
    "type_records",
    "value_reasons",
    "weighted_z",
]

Reason = tuple[str, str, str]  # (column, code, detail), as the staging struct
# clean_text(): trim(x, E' \t\r\n')
CLEAN = " \t\r\n"
# DuckDB's double -> bigint cast accepts exactly [-2^63, 2^63).
INT64_RANGE = (-(2.0**63), 2.0**63)
# macro is_whole_number(): an id is whole only below this magnitude (it must fit a BIGINT).
ID_LIMIT = 9.2e18
# Text that is a plain decimal number: Arrow and DuckDB both read it, correctly rounded.
PLAIN_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_PLAIN = re.compile(PLAIN_NUMBER.replace("$", "\\Z"))
# Up to this many records a column is worked on value by value (cheaper than Arrow's calls).
SMALL_BATCH = 64

_DUCKDB = threading.local()


def _duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection per thread, for the rare values read by DuckDB itself."""
    con = getattr(_DUCKDB, "con", None)
    if con is None:
        con = _DUCKDB.con = duckdb.connect()
    return con


def duckdb_parse_numbers(values: list[str]) -> list[float | None]:
    """``parse_number`` by DuckDB itself: ``coalesce(try_cast(x as double), try_cast(clean_text(x) as double))``."""
    if not values:
        return []
    sql = (
        "select list_transform($1::varchar[], lambda x: "
        "coalesce(try_cast(x as double), try_cast(trim(x, E' \\t\\r\\n') as double)))"
    )
    return _duckdb().execute(sql, [values]).fetchone()[0]


def duckdb_lower(values: list[str]) -> list[str]:
    """DuckDB's ``lower()`` (for ASCII text it is ``str.lower``; other text goes to DuckDB)."""
    out = [v.lower() if v.isascii() else None for v in values]
    others = [v for v, low in zip(values, out, strict=True) if low is None]
    if others:
        lowered = iter(
            _duckdb().execute("select list_transform($1::varchar[], lambda x: lower(x))", [others]).fetchone()[0]
        )
        out = [low if low is not None else next(lowered) for low in out]
    return out


def python_text(value: object) -> str | None:
    """A value as DuckDB's ``::varchar`` writes it (numbers from Parquet or JSON, say)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return repr(float(value))  # shortest round trip, like DuckDB: 30.5, 1e-05, inf, nan
    return str(value)


def texts(column: pa.Array, rows: np.ndarray | Sequence[int] | None = None) -> list[str | None]:
    """The values of ``column`` (at ``rows``) as text, as staging's ``raw_<name>::varchar``."""
    taken = column if rows is None else column.take(pa.array(np.asarray(rows, dtype=np.int64)))
    values = taken.to_pylist()
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return values
    return [python_text(v) for v in values]


def quoted_value(text: str) -> str:
    """``quoted_value()``: the raw value quoted, cut to 60 characters."""
    return "'" + text[:60] + ("…" if len(text) > 60 else "") + "'"


def _blank(rows: np.ndarray, column: pa.Array) -> np.ndarray:
    """``is_blank()`` of the values at ``rows``: null, or only spaces, tabs and line breaks."""
    return np.array([v is None or v.strip(CLEAN) == "" for v in texts(column, rows)], dtype=bool)


def _is_text(column: pa.Array) -> bool:
    return pa.types.is_string(column.type) or pa.types.is_large_string(column.type)


def _float64(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A float64 Arrow array as (values, null mask); nulls become NaN."""
    numbers = values.to_numpy(zero_copy_only=False)
    if values.null_count == 0:
        return numbers, np.zeros(len(values), dtype=bool)
    return numbers, np.asarray(values.is_null(), dtype=bool)


def parse_numbers(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``parse_number()`` over a column: (float64 values, True where the SQL gives null).

    Typed numbers (Parquet, JSON, DataFrames) are their value (a double, as DuckDB casts them).
    Text: plain decimal numbers by Arrow (one cast when every value is one: the usual case)
    or, in a small batch, by ``float``; both round correctly, as DuckDB does. Any other text
    by DuckDB's own cast.
    """
    kind = column.type
    n = len(column)
    if pa.types.is_null(kind):
        return np.full(n, np.nan), np.ones(n, dtype=bool)
    if not _is_text(column):
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)):
            return parse_numbers(pc.cast(column, pa.large_string()))
        return _float64(pc.cast(column, pa.float64(), safe=False))  # a bigint above 2^53 rounds, as in DuckDB
    out = np.full(n, np.nan)
    null = np.ones(n, dtype=bool)
    if n <= SMALL_BATCH:
        values = column.to_pylist()
        rest = []
        for row, text in enumerate(values):
            if text is not None and _PLAIN.match(text):
                out[row], null[row] = float(text), False
            elif text is not None:
                rest.append(row)
        odd = [values[row] for row in rest]
    else:
        try:
            return _float64(pc.cast(column, pa.float64()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        plain = np.asarray(pc.fill_null(pc.match_substring_regex(column, PLAIN_NUMBER), False), dtype=bool)
        rows = np.flatnonzero(plain)
        if len(rows):
            out[rows] = _float64(pc.cast(column.take(pa.array(rows)), pa.float64()))[0]
            null[rows] = False
        rest = np.flatnonzero(~plain & ~np.asarray(column.is_null(), dtype=bool)).tolist()
        odd = column.take(pa.array(rest, pa.int64())).to_pylist()
    for row, value in zip(rest, duckdb_parse_numbers(odd), strict=True):
        if value is not None:
            out[row], null[row] = value, False
    return out, null


def _text_dictionary(column: pa.Array) -> tuple[np.ndarray, list[str | None]]:
    """(index of each row's distinct value, the distinct values as text): work per distinct value."""
    if len(column) <= SMALL_BATCH or not _is_text(column):
        values = texts(column)
        positions: dict[str | None, int] = {}
        indices = np.fromiter((positions.setdefault(v, len(positions)) for v in values), np.int64, len(values))
        return indices, list(positions)
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    return np.asarray(encoded.indices, dtype=np.int64), encoded.dictionary.to_pylist()


def canonical_levels(column: pa.Array, levels: Sequence[str]) -> np.ndarray:
    """``canonical_level()``: each row's level as its position in ``levels`` (-1: null or unknown)."""
    indices, distinct = _text_dictionary(column)
    exact = {level: position for position, level in enumerate(levels)}
    folded = {level.lower(): position for position, level in enumerate(levels)}
    codes = np.full(len(distinct), -1, dtype=np.int64)
    unmatched = [(i, v.strip(CLEAN)) for i, v in enumerate(distinct) if v is not None and v not in exact]
    for i, value in enumerate(distinct):
        if value in exact:
            codes[i] = exact[value]
    for (i, _), low in zip(unmatched, duckdb_lower([v for _, v in unmatched]), strict=True):
        codes[i] = folded.get(low, -1)
    return codes[indices]


@dataclass
class Interests:
    """Interests as staging types them, per record: ``interest_mask`` and ``other_interests``."""

    masks: np.ndarray  # interest_mask: bit i - 1 = the i-th known interest
    other_counts: np.ndarray  # len(other_interests), 0 for null
    _others: list[tuple[str, ...] | None]  # other_interests (sorted) per distinct text
    _indices: np.ndarray  # the distinct text of each record

    def others(self, row: int) -> tuple[str, ...] | None:
        """``other_interests`` of one record: the unknown interests, sorted (None: none)."""
        return self._others[int(self._indices[row])]


def parse_interests(column: pa.Array) -> Interests:
    """``cleaned_interests_sql()``: split on commas, trim, match known interests ignoring case,
    keep unknown ones as written (trimmed), drop empty items, de-duplicate; the known ones as
    the bitmask (``positions_to_mask``), the others sorted, null when there are none. (The
    fast path of ``typed_user_rows`` for canonical text gives the same by construction.)
    Worked out once per distinct text."""
    indices, distinct = _text_dictionary(column)
    lookup = {interest.lower(): interest for interest in INTERESTS}
    bit = {interest: 1 << position for position, interest in enumerate(INTERESTS)}
    split = [[item.strip(CLEAN) for item in (value or "").split(",")] for value in distinct]
    lowered = iter(duckdb_lower([item for items in split for item in items]))
    masks = np.zeros(len(distinct), dtype=np.int64)
    counts = np.zeros(len(distinct), dtype=np.int64)
    others: list[tuple[str, ...] | None] = []
    for i, items in enumerate(split):
        cleaned = {lookup.get(next(lowered), item) for item in items} - {""}
        masks[i] = sum(bit[item] for item in cleaned if item in bit)
        unknown = tuple(sorted(item for item in cleaned if item not in bit))
        counts[i] = len(unknown)
        others.append(unknown or None)
    return Interests(masks[indices], counts[indices], others, indices)


@dataclass
class TypedRecords:
    """The staging columns of ``base_user_profiles__typed`` for a batch of raw records.

    ``raw``: raw column name (``user_id``, ``age``, ...) -> Arrow array of the raw values.
    """

    raw: dict[str, pa.Array]
    user_id_number: np.ndarray
    user_id_null: np.ndarray
    numbers: dict[str, np.ndarray]
    number_null: dict[str, np.ndarray]
    levels: dict[str, np.ndarray]
    _interests: Interests | None = None

    def __len__(self) -> int:
        return len(self.user_id_number)

    @property
    def interests(self) -> Interests:
        """``interest_mask`` and ``other_interests``, parsed on first use (few features need them)."""
        if self._interests is None:
            self._interests = parse_interests(self.raw["top_interests"])
        return self._interests

    def user_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """``user_id_from_number()``: (int64 ids, True where the id is a whole number in range)."""
        number = self.user_id_number
        with np.errstate(invalid="ignore"):
            usable = np.isfinite(number) & (number == np.floor(number)) & (np.abs(number) < ID_LIMIT)
        return np.where(usable, number, 0).astype(np.int64), usable


def type_records(raw: dict[str, pa.Array]) -> TypedRecords:
    """``typed_user_rows()``: numbers parsed, levels canonical (interests when first needed)."""
    user_id_number, user_id_null = parse_numbers(raw["user_id"])
    numbers, number_null = {}, {}
    for column in NUMERIC_RULES:
        numbers[column], number_null[column] = parse_numbers(raw[column])
    levels = {dimension: canonical_levels(raw[dimension], names) for dimension, names in LEVELS.items()}
    return TypedRecords(raw, user_id_number, user_id_null, numbers, number_null, levels)


def value_reasons(typed: TypedRecords) -> dict[int, list[Reason]]:
    """``value_rejection_reasons()``: record -> every reason its own values cannot be used, in
    the SQL's order, for the records that have one. As in the SQL, a record whose values all
    pass costs one vectorised test; only the others are looked at reason by reason."""
    with np.errstate(invalid="ignore"):
        number = typed.user_id_number
        suspect = ~(np.isfinite(number) & (number == np.floor(number)))
        suspect |= (number < INT64_RANGE[0]) | (number >= INT64_RANGE[1])
        for dimension in LEVELS:
            suspect |= typed.levels[dimension] < 0
        for column, rule in NUMERIC_RULES.items():
            value = typed.numbers[column]
            suspect |= ~np.isfinite(value)  # null, nan and inf included
            if rule.whole:
                suspect |= (value != np.floor(value)) | (value < INT64_RANGE[0]) | (value >= INT64_RANGE[1])
            if rule.minimum is not None:
                suspect |= value < rule.minimum
            if rule.maximum is not None:
                suspect |= value > rule.maximum
    rows = np.flatnonzero(suspect)
    if not len(rows):
        return {}
    reasons: dict[int, list[Reason]] = {}
    for flags, column, code, detail, raw in _value_checks(typed, rows):
        hits = np.flatnonzero(flags)
        if not len(hits):
            continue
        values = texts(raw, rows[hits]) if detail is not None else [None] * len(hits)
        for row, value in zip(rows[hits].tolist(), values, strict=True):
            text = "missing" if detail is None else detail(quoted_value(value))
            reasons.setdefault(row, []).append((column, code, text))
    return reasons


def _value_checks(typed: TypedRecords, rows: np.ndarray) -> list[tuple[np.ndarray, str, str, Any, pa.Array]]:
    """The checks of ``value_rejection_reasons()`` in its order, over the records at ``rows``:
    (flags, column, code, detail of the quoted raw value or None for 'missing', raw column)."""
    checks: list[tuple[np.ndarray, str, str, Any, pa.Array]] = []
    with np.errstate(invalid="ignore"):
        raw = typed.raw["user_id"]
        blank = _blank(rows, raw)
        number = typed.user_id_number[rows]
        # is_whole_number(): finite, whole, and small enough for a BIGINT id.
        whole = np.isfinite(number) & (number == np.floor(number)) & (np.abs(number) < ID_LIMIT)
        checks.append((typed.user_id_null[rows] & blank, "user_id", "missing_value", None, raw))
        checks.append((~whole & ~blank, "user_id", "not_an_integer", "not a whole number: ".__add__, raw))
        for dimension in LEVELS:
            raw = typed.raw[dimension]
            unknown = typed.levels[dimension][rows] < 0
            blank = _blank(rows, raw)
            checks.append((unknown & blank, dimension, "missing_value", None, raw))
            checks.append((unknown & ~blank, dimension, "unknown_level", "unknown level: ".__add__, raw))
        for column, rule in NUMERIC_RULES.items():
            raw = typed.raw[column]
            value, null = typed.numbers[column][rows], typed.number_null[column][rows]
            blank = _blank(rows, raw)
            finite = np.isfinite(value)
            checks.append((null & blank, column, "missing_value", None, raw))
            checks.append(((null & ~blank) | (~null & ~finite), column, "not_a_number", "not a number: ".__add__, raw))
            if rule.whole:
                checks.append((finite & (value != np.floor(value)), column, "not_a_whole_number",
                               "not a whole number: ".__add__, raw))  # fmt: skip
            if rule.minimum is not None:
                code = "negative" if rule.minimum == 0 else "out_of_range"
                checks.append((value < rule.minimum, column, code, f"below {rule.minimum}: ".__add__, raw))
            if rule.maximum is not None:
                checks.append((finite & (value > rule.maximum), column, "out_of_range",
                               lambda q, m=rule.maximum, h=rule.hint: f"above {m}: {q}{h}", raw))  # fmt: skip
            if rule.whole:
                outside = finite & (value == np.floor(value)) & ((value < INT64_RANGE[0]) | (value >= INT64_RANGE[1]))
                checks.append((outside, column, "out_of_range", "outside the 64-bit integer range: ".__add__, raw))
    return checks


def _record_version(typed: TypedRecords, row: int) -> str:
    """``record_version()`` before its md5: the typed values (raw text where a value did not
    type), ``concat_ws('|', ...)``, which skips nulls."""
    parts: list[str | None] = []
    for dimension, names in LEVELS.items():
        code = int(typed.levels[dimension][row])
        if code >= 0:
            parts.append(names[code])
        else:
            raw = texts(typed.raw[dimension], [row])[0]
            parts.append(None if raw is None else duckdb_lower([raw.strip(CLEAN)])[0])
    for column in NUMERIC_RULES:
        if not typed.number_null[column][row]:
            parts.append(repr(float(typed.numbers[column][row])))  # DuckDB's double::varchar
        else:
            parts.append(texts(typed.raw[column], [row])[0])
    others = typed.interests.others(row)
    parts.append(str(int(typed.interests.masks[row])))
    parts.append(None if others is None else ",".join(others))
    return "|".join(p for p in parts if p is not None)


def duplicate_reasons(typed: TypedRecords, row_numbers: np.ndarray) -> dict[int, Reason]:
    """base_user_profiles__duplicates: the reason of each record whose whole-number user id is
    repeated in the batch. Identical copies: the first is kept, the repeats are
    ``exact_duplicate``; copies that differ: every one is ``conflicting_duplicate``."""
    ids, usable = typed.user_ids()
    candidates = np.flatnonzero(usable)
    if len(candidates) < 2:
        return {}
    order = candidates[np.argsort(ids[candidates], kind="stable")]
    sorted_ids = ids[order]
    repeated = np.zeros(len(order), dtype=bool)
    same = sorted_ids[1:] == sorted_ids[:-1]
    repeated[1:] |= same
    repeated[:-1] |= same
    found: dict[int, Reason] = {}
    groups: dict[int, list[int]] = {}
    for row in order[repeated].tolist():
        groups.setdefault(int(ids[row]), []).append(row)
    for user_id, rows in groups.items():
        rows.sort(key=lambda r: row_numbers[r])
        versions = {_record_version(typed, row) for row in rows}
        numbers = [int(row_numbers[r]) for r in rows]
        if len(versions) > 1:
            listed = ", ".join(str(n) for n in numbers)
            detail = f"user_id {user_id} has different values in rows {listed}; every copy is quarantined"
            found.update({row: ("user_id", "conflicting_duplicate", detail) for row in rows})
        else:
            detail = f"repeats row {numbers[0]} exactly; the first copy is kept"
            found.update({row: ("user_id", "exact_duplicate", detail) for row in rows[1:]})
    return found


def reason_summary(reasons: Sequence[Reason]) -> str:
    """``rejected_user_profiles.rejection_summary``: ``column: detail``, joined by ``; ``."""
    return "; ".join(f"{column}: {detail}" for column, _, detail in reasons)


# engineered_feature(): name -> its formula over a reader of the base columns of
# int_user_features (float64 arrays; interest_mask and other_interest_count included).
ENGINEERED: dict[str, Callable[[Callable[[str], np.ndarray]], np.ndarray]] = {
    "weekly_hours_online": lambda c: 5 * c("weekday_hours_online") + 2 * c("weekend_hours_online"),
    # coalesce(2 * weekend / nullif(weekly, 0), 0)
    "weekend_share_of_time": lambda c: _share(2 * c("weekend_hours_online"), ENGINEERED["weekly_hours_online"](c)),
    "likes_per_followed_account": lambda c: c("likes_and_reactions") / np.maximum(c("followed_accounts"), 1),
    "conversions_per_impression": lambda c: c("click_through_rate") * c("conversion_rate"),
    # bit_count(interest_mask) + coalesce(len(other_interests), 0)
    "interest_count": lambda c: np.bitwise_count(c("interest_mask")) + c("other_interest_count"),
}


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole == 0, 0.0, part / whole)


def _base_column(typed: TypedRecords, name: str) -> np.ndarray:
    """A base column of int_user_features for the engineered formulas."""
    if name == "interest_mask":
        return typed.interests.masks
    if name == "other_interest_count":
        return typed.interests.other_counts
    return typed.numbers[name]


def feature_value(typed: TypedRecords, kind: str, source: str, level: str | None, transform: str) -> np.ndarray:
    """``feature_value_sql()``: the feature before standardisation (a 0/1 indicator, or the
    numeric column or engineered feature, ``log1p``: ``ln(1 + greatest(x, 0))``)."""
    if kind == "indicator":
        return (typed.levels[source] == LEVELS[source].index(level)).astype(np.float64)
    if source in ENGINEERED:
        value = ENGINEERED[source](lambda name: _base_column(typed, name))
    else:
        value = typed.numbers[source]
    value = np.asarray(value, dtype=np.float64)
    if transform == "log1p":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log(1 + np.maximum(value, 0))
    return value


def weighted_z(value: np.ndarray, kind: str, weight: float, mean: float, sd: float) -> np.ndarray:
    """``z_value_sql()``: ``(value - mean) / sd * weight``, 0 for a constant feature (sd 0);
    an indicator is ``value * weight``, not standardised."""
    if kind == "indicator":
        return value * weight
    if not sd > 0:
        return np.zeros_like(value)
    with np.errstate(invalid="ignore", over="ignore"):
        return (value - mean) / sd * weight


def nearest_centroids(
    z: Sequence[np.ndarray | None], centroids: np.ndarray, clustered: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """int_labelled_users: (nearest index, its distance, runner-up index, margin) per row.

    ``z``: one weighted-z array per feature (None where the feature is not clustered);
    ``centroids``: k x features, rows in ascending segment-id order. The squared distance is
    ``(z * w - c)^2`` summed over the features in order, w = 1 for a clustered feature and 0
    for one that is not (the term is then ``c^2``). Ties go to the lower segment id, for the
    nearest and for the runner-up.
    """
    k = centroids.shape[0]
    n = next((len(v) for v in z if v is not None), 0)
    squared = np.zeros((n, k))
    with np.errstate(invalid="ignore", over="ignore"):
        for position, values in enumerate(z):
            if clustered[position]:
                term = values[:, None] - centroids[None, :, position]
                squared += term * term
            else:
                squared += centroids[:, position] * centroids[:, position]
        nearest = np.argmin(squared, axis=1)
        rows = np.arange(n)
        nearest_squared = squared[rows, nearest]
        squared[rows, nearest] = np.inf
        runner_up = np.argmin(squared, axis=1)
        runner_up_squared = squared[rows, runner_up]
        distance = np.sqrt(nearest_squared)
        margin = np.sqrt(runner_up_squared) - distance
    return nearest, distance, runner_up, margin
