"""Synthetic user profiles in the exact public format, with planted behavioural segments.

The project's embedded default (``seeds/raw_user_profiles.csv``) and every benchmark
input come from here. Each user belongs to one of a few planted segments that differ in
behaviour (hours online, likes, follows, CTR, conversion, ad interaction time) and lean
a little in demographics and interests; the ground truth can be written to a separate
file so tests can measure how well the clustering recovers it.

With ``profile_noise`` the planted segment is still drawn (the truth file is the same), but
every profile is drawn from one segment-free distribution instead: levels and interests
uniformly, behavioural values uniformly over the column's range (like the public data). The
profiles then carry no segment signal; only the activity logs do
(:mod:`user_segmentation_tools.activity`, which reuses the segment of each user through
:func:`planted_segments`).

Speed: the work is vectorised per chunk of ``CHUNK_ROWS`` users (numpy for the draws,
pyarrow for the interest strings) and streamed to DuckDB's writer, so 10 million rows go
to Parquet in seconds with memory bounded by one chunk. The output depends only on
``rows`` and ``seed``: each chunk has its own random stream derived from both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from user_segmentation.input_format import HEADERS, INTERESTS, LEVELS
from user_segmentation.sql import quote_identifier, quote_literal

__all__ = [
    "CHUNK_ROWS",
    "NOISE_SD",
    "PLANTED_SETS",
    "PlantedSegment",
    "RANGES",
    "SEGMENTS",
    "SIX_SEGMENTS",
    "generate",
    "generate_chunk",
    "planted_segments",
]

CHUNK_ROWS = 1_000_000

# Value ranges of the public format: (low, high, decimals).
RANGES: dict[str, tuple[float, float, int]] = {
    "likes_and_reactions": (101, 9973, 0),
    "followed_accounts": (10, 498, 0),
    "weekday_hours_online": (0.5, 5.0, 1),
    "weekend_hours_online": (1.0, 8.0, 1),
    "click_through_rate": (0.0, 0.25, 3),
    "conversion_rate": (0.0, 0.1, 3),
    "ad_interaction_seconds": (5, 179, 0),
}


@dataclass(frozen=True)
class PlantedSegment:
    """One planted segment: its share of users and its behavioural centre.

    ``centre`` gives, per behavioural column, the position inside the column's range
    (0 = minimum, 1 = maximum). ``leanings`` makes some demographic levels and interests
    more likely than the uniform draw (a weight above 1).
    """

    name: str
    share: float
    centre: dict[str, float]
    leanings: dict[str, dict[str, float]]
    interests: dict[str, float]


SEGMENTS: tuple[PlantedSegment, ...] = (
    PlantedSegment(
        name="weekend scrollers",
        share=0.34,
        centre={
            "likes_and_reactions": 0.55,
            "followed_accounts": 0.45,
            "weekday_hours_online": 0.15,
            "weekend_hours_online": 0.85,
            "click_through_rate": 0.75,
            "conversion_rate": 0.30,
            "ad_interaction_seconds": 0.40,
        },
        leanings={"age": {"18-24": 2.5, "25-34": 2.0}, "device_usage": {"Mobile Only": 3.0}},
        interests={"Gaming": 4.0, "Music Production": 3.0, "Fashion Modelling": 3.0},
    ),
    PlantedSegment(
        name="weekday professionals",
        share=0.28,
        centre={
            "likes_and_reactions": 0.25,
            "followed_accounts": 0.80,
            "weekday_hours_online": 0.85,
            "weekend_hours_online": 0.20,
            "click_through_rate": 0.35,
            "conversion_rate": 0.80,
            "ad_interaction_seconds": 0.55,
        },
        leanings={
            "income_level": {"80k-100k": 2.5, "100k+": 3.0},
            "education_level": {"Master": 2.0, "PhD": 2.0},
            "device_usage": {"Desktop Only": 3.0},
        },
        interests={"Software Engineering": 4.0, "Investing and Finance": 4.0, "Data Science": 3.0},
    ),
    PlantedSegment(
        name="light users",
        share=0.22,
        centre={
            "likes_and_reactions": 0.15,
            "followed_accounts": 0.20,
            "weekday_hours_online": 0.20,
            "weekend_hours_online": 0.20,
            "click_through_rate": 0.15,
            "conversion_rate": 0.15,
            "ad_interaction_seconds": 0.15,
        },
        leanings={"age": {"55-64": 2.5, "65+": 3.0}, "location": {"Rural": 2.0}},
        interests={"Gardening": 4.0, "Reading and Literature": 3.0, "Pet Care": 3.0},
    ),
    PlantedSegment(
        name="engaged responders",
        share=0.16,
        centre={
            "likes_and_reactions": 0.85,
            "followed_accounts": 0.50,
            "weekday_hours_online": 0.60,
            "weekend_hours_online": 0.60,
            "click_through_rate": 0.65,
            "conversion_rate": 0.60,
            "ad_interaction_seconds": 0.85,
        },
        leanings={"location": {"Urban": 2.0}, "device_usage": {"Mobile + Desktop": 3.0}},
        interests={"Travel and Adventure": 4.0, "Gourmet Cooking": 3.0, "Photography": 3.0},
    ),
)

# `generate --segments 6`: the four above plus two more, each at least 0.8 of the unit range away
# from every other centre (Euclidean, in the seven behavioural columns); shares renormalised.
SIX_SEGMENTS: tuple[PlantedSegment, ...] = (
    *SEGMENTS,
    PlantedSegment(
        name="late-night browsers",
        share=0.14,
        centre={
            "likes_and_reactions": 0.50,
            "followed_accounts": 0.15,
            "weekday_hours_online": 0.85,
            "weekend_hours_online": 0.85,
            "click_through_rate": 0.10,
            "conversion_rate": 0.10,
            "ad_interaction_seconds": 0.30,
        },
        leanings={"age": {"18-24": 2.0}, "device_usage": {"Tablet": 3.0}},
        interests={"Gaming": 3.0, "Music Production": 3.0},
    ),
    PlantedSegment(
        name="deal hunters",
        share=0.14,
        centre={
            "likes_and_reactions": 0.20,
            "followed_accounts": 0.50,
            "weekday_hours_online": 0.45,
            "weekend_hours_online": 0.50,
            "click_through_rate": 0.85,
            "conversion_rate": 0.85,
            "ad_interaction_seconds": 0.20,
        },
        leanings={"income_level": {"0-20k": 2.5, "20k-40k": 2.0}},
        interests={"Investing and Finance": 3.0, "Fashion Modelling": 3.0},
    ),
)
# The planted sets by their number of segments (`generate --segments`); 4 is the default.
PLANTED_SETS: dict[int, tuple[PlantedSegment, ...]] = {4: SEGMENTS, 6: SIX_SEGMENTS}
# Spread of each behavioural value around its segment centre, as a share of the range.
NOISE_SD = 0.08

# --profile-noise: the one segment-free distribution every profile is drawn from.
_NO_SEGMENT = (PlantedSegment(name="no segment", share=1.0, centre={}, leanings={}, interests={}),)


def _weights(levels: tuple[str, ...], leaning: dict[str, float]) -> np.ndarray:
    weights = np.array([leaning.get(level, 1.0) for level in levels], dtype=float)
    return weights / weights.sum()


def _draw_levels(
    rng: np.random.Generator, segment: np.ndarray, column: str, segments: tuple[PlantedSegment, ...] = SEGMENTS
) -> pa.Array:
    """Draw a categorical column: per segment, levels weighted by its leanings."""
    levels = LEVELS[column]
    codes = np.empty(segment.shape[0], dtype=np.int8)
    for index, planted in enumerate(segments):
        mask = segment == index
        probabilities = _weights(levels, planted.leanings.get(column, {}))
        codes[mask] = rng.choice(len(levels), size=int(mask.sum()), p=probabilities)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(levels)).cast(pa.string())


def _draw_behaviour(
    rng: np.random.Generator,
    segment: np.ndarray,
    column: str,
    noise: bool = False,
    segments: tuple[PlantedSegment, ...] = SEGMENTS,
) -> pa.Array:
    """Draw a numeric column around the segment centres, clipped and rounded to the format.

    ``noise``: uniformly over the range instead, whatever the segment.
    """
    low, high, decimals = RANGES[column]
    if noise:
        position = rng.random(segment.shape[0])
    else:
        centres = np.array([planted.centre[column] for planted in segments])
        position = np.clip(centres[segment] + rng.normal(0.0, NOISE_SD, segment.shape[0]), 0.0, 1.0)
    scale = 10**decimals
    # Work in whole units of the last decimal so that values print exactly (0.1, not 0.1000001).
    units = np.rint((low + position * (high - low)) * scale).astype(np.int64)
    if decimals == 0:
        return pa.array(units)
    return pa.array(units / scale)


def _draw_interests(
    rng: np.random.Generator, segment: np.ndarray, segments: tuple[PlantedSegment, ...] = SEGMENTS
) -> pa.Array:
    """1-4 distinct interests per user, weighted by segment, joined with ", "."""
    rows = segment.shape[0]
    weights = np.array([[planted.interests.get(name, 1.0) for name in INTERESTS] for planted in segments])
    # Weighted sampling without replacement: the k smallest exponential(1)/weight keys
    # (the "exponential race"); their order is random too, as in the public data.
    keys = rng.standard_exponential((rows, len(INTERESTS))).astype(np.float32)
    keys /= weights[segment].astype(np.float32)
    picked = np.argsort(keys, axis=1)[:, :4].astype(np.int32)
    counts = rng.integers(1, 5, size=rows)
    keep = np.arange(4)[None, :] < counts[:, None]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    names = pa.array(INTERESTS).take(pa.array(picked[keep]))
    lists = pa.ListArray.from_arrays(pa.array(offsets), names)
    return pc.binary_join(lists, ", ")


def _planted_set(segments: int) -> tuple[PlantedSegment, ...]:
    if segments not in PLANTED_SETS:
        raise ValueError(f"segments must be one of {sorted(PLANTED_SETS)}, not {segments}")
    return PLANTED_SETS[segments]


def _draw_segments(rng: np.random.Generator, rows: int, segments: int = 4) -> np.ndarray:
    """The planted segment (0-based) of each user: the first draw of a chunk's stream."""
    planted_set = _planted_set(segments)
    shares = np.array([planted.share for planted in planted_set])
    return rng.choice(len(planted_set), size=rows, p=shares / shares.sum())


def generate_chunk(
    rows: int, first_user_id: int, seed: int, chunk_index: int, profile_noise: bool = False, segments: int = 4
) -> pa.Table:
    """One chunk of users with ids ``first_user_id ..``; returns (profiles + truth) columns.

    ``profile_noise``: the same planted segments (truth), but profiles without their signal.
    ``segments``: how many segments are planted (a key of :data:`PLANTED_SETS`).
    """
    rng = np.random.default_rng([seed, chunk_index])
    segment = _draw_segments(rng, rows, segments)
    # With profile_noise every user is drawn as the one segment-free "segment" 0.
    if profile_noise:
        drawn, planted_set = np.zeros(rows, dtype=np.int64), _NO_SEGMENT
    else:
        drawn, planted_set = segment, _planted_set(segments)

    def levels(column: str) -> pa.Array:
        return _draw_levels(rng, drawn, column, planted_set)

    def behaviour(column: str) -> pa.Array:
        return _draw_behaviour(rng, drawn, column, noise=profile_noise, segments=planted_set)

    columns = {
        "User ID": pa.array(np.arange(first_user_id, first_user_id + rows, dtype=np.int64)),
        "Age": levels("age"),
        "Gender": levels("gender"),
        "Location": levels("location"),
        "Language": levels("language"),
        "Education Level": levels("education_level"),
        "Likes and Reactions": behaviour("likes_and_reactions"),
        "Followed Accounts": behaviour("followed_accounts"),
        "Device Usage": levels("device_usage"),
        "Time Spent Online (hrs/weekday)": behaviour("weekday_hours_online"),
        "Time Spent Online (hrs/weekend)": behaviour("weekend_hours_online"),
        "Click-Through Rates (CTR)": behaviour("click_through_rate"),
        "Conversion Rates": behaviour("conversion_rate"),
        "Ad Interaction Time (sec)": behaviour("ad_interaction_seconds"),
        "Income Level": levels("income_level"),
        "Top Interests": _draw_interests(rng, drawn, planted_set),
    }
    assert tuple(columns) == HEADERS
    columns["planted_segment"] = pa.array(segment.astype(np.int16) + 1)
    return pa.table(columns)


def _chunk_sizes(rows: int):
    """(chunk index, first user id, users) of each chunk: the one layout profiles and logs share."""
    for chunk_index, start in enumerate(range(0, rows, CHUNK_ROWS)):
        yield chunk_index, start + 1, min(CHUNK_ROWS, rows - start)


def _chunks(rows: int, seed: int, profile_noise: bool = False, segments: int = 4):
    for chunk_index, first_user_id, size in _chunk_sizes(rows):
        yield generate_chunk(size, first_user_id, seed, chunk_index, profile_noise, segments)


def planted_segments(rows: int, seed: int, segments: int = 4):
    """Yield ``(chunk_index, first_user_id, segment)`` per chunk: the profiles' planted segments.

    ``segment`` is 0-based (the truth file's ``planted_segment`` minus 1). It is the same
    draw :func:`generate_chunk` makes, without drawing the profiles.
    """
    for chunk_index, first_user_id, size in _chunk_sizes(rows):
        yield chunk_index, first_user_id, _draw_segments(np.random.default_rng([seed, chunk_index]), size, segments)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ValueError(f"{path}: unknown output format {suffix!r}; use .csv or .parquet")


def generate(
    rows: int, seed: int, out: Path, truth: Path | None = None, *, profile_noise: bool = False, segments: int = 4
) -> int:
    """Write ``rows`` users to ``out`` (CSV or Parquet by extension); optionally the truth.

    The truth file has two columns, ``user_id`` and ``planted_segment`` (1-based); it does
    not depend on ``profile_noise`` (see the module docstring). ``segments`` planted segments:
    4 (the default, :data:`SEGMENTS`) or 6 (:data:`SIX_SEGMENTS`). Returns the number of rows written.
    """
    import duckdb

    if rows < 1:
        raise ValueError("rows must be at least 1")
    _planted_set(segments)
    out_format = _format_of(Path(out))
    truth_format = _format_of(Path(truth)) if truth else None
    schema = generate_chunk(1, 1, seed, 0).schema
    reader = pa.RecordBatchReader.from_batches(
        schema, (batch for table in _chunks(rows, seed, profile_noise, segments) for batch in table.to_batches())
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.register("generated", reader)
    header_list = ", ".join(quote_identifier(header) for header in HEADERS)
    options = "format csv, header true" if out_format == "csv" else "format parquet, compression zstd"
    if truth:
        Path(truth).parent.mkdir(parents=True, exist_ok=True)
        # One pass over the stream: land it once, then write both files from the table.
        con.execute("create temp table generated_rows as select * from generated")
        source = "generated_rows"
    else:
        source = "generated"
    con.execute(f"copy (select {header_list} from {source}) to {quote_literal(out)} ({options})")
    if truth:
        truth_options = "format csv, header true" if truth_format == "csv" else "format parquet"
        con.execute(
            'copy (select "User ID" as user_id, planted_segment from generated_rows'
            f" order by user_id) to {quote_literal(truth)} ({truth_options})"
        )
    con.close()
    return rows
