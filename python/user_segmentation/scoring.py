"""Label new users one at a time with the published model, exactly as the build labels them.

>>> from user_segmentation.scoring import load_model
>>> model = load_model("warehouse/segmentation.duckdb")          # the latest model
>>> model.score([{"User ID": "7", "Age": "25-34", ...}])        # doctest: +SKIP

:func:`load_model` reads one row of ``segmentation_models`` (:func:`read_model_row`, the one
place that knows where the model lives) and precomputes everything scoring needs: per feature
its kind, source column, level, transform, weight and the model's OWN mean and sd (never the
new data's), which features are clustered, the centroids in weighted z-units in segment-id
order. :meth:`Model.score` then takes raw records in the public file's format (the 16 columns
under their header names, matched as staging matches them, values as text or numbers; a list
of dicts, a pandas DataFrame or a pyarrow Table), types, checks and canonicalises them as
staging does, computes the engineered features, standardises with the model's statistics and
labels each valid record with the nearest centroid over the clustered features (ties to the
lower segment id), with the runner-up and the margin. A record that staging would quarantine
gets no label and the reason staging's ``rejected_user_profiles.rejection_summary`` gives.
Everything that restates SQL is in :mod:`user_segmentation.sql_mirror`.

:func:`score_file` is ``user-segmentation score``: a CSV, Parquet or JSON-lines file (or
standard input), read as the build reads a file (:mod:`user_segmentation.input_file`), scored,
written as CSV.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import sql_mirror
from .input_format import COLUMNS, HEADER_BY_KEY, LEVELS, NUMERIC_RULES, normalise_header

__all__ = [
    "Feature",
    "JSON_SUFFIXES",
    "MODEL_TABLE",
    "Model",
    "OUTPUT_COLUMNS",
    "ScoringError",
    "load_model",
    "raw_columns",
    "read_model_row",
    "read_records",
    "score_file",
]

OUTPUT_COLUMNS = ("user_id", "segment_id", "segment_name", "distance", "runner_up_segment_id", "margin", "reason")
MODEL_TABLE = "segmentation_models"
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")


class ScoringError(ValueError):
    """Scoring cannot start: no warehouse, no model, an unknown model id, an unreadable file or
    missing columns. The message is one line that names the file, model, column or value."""


# ---------------------------------------------------------------- the model


def read_model_row(con: duckdb.DuckDBPyConnection, model_id: str | None = None) -> dict[str, Any]:
    """One row of ``segmentation_models`` as a dict: ``model_id``'s, or the latest (max
    ``created_at``; ties: the smaller id). The one place that knows where models live."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [MODEL_TABLE]
    ).fetchone()[0]
    if not found:
        raise ScoringError(
            f"the warehouse has no {MODEL_TABLE} table, so no published model: it was built by an older "
            "version of the project; run `dbt build`"
        )
    query = f"select * from {MODEL_TABLE}"
    params: list[Any] = []
    if model_id:
        query += " where model_id = ?"
        params.append(model_id)
    cursor = con.execute(query + " order by created_at desc, model_id limit 1", params)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        if not model_id:
            raise ScoringError(f"the warehouse has no published model ({MODEL_TABLE} is empty): run `dbt build`")
        known = [r[0] for r in con.execute(f"select model_id from {MODEL_TABLE} order by created_at desc").fetchall()]
        raise ScoringError(
            f"model {model_id!r} is not in {MODEL_TABLE}; the published models are: {', '.join(known) or 'none'}"
        )
    return dict(zip(names, row, strict=True))


def _connect(db: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    path = Path(db)
    if not path.is_file():
        raise ScoringError(f"no warehouse at {path}: run `dbt build` first, or pass --db (or set SEGMENTATION_DB)")
    with path.open("rb") as handle:
        if handle.read(12)[8:12] != b"DUCK":  # a DuckDB database file has "DUCK" at bytes 8-11
            raise ScoringError(f"{path} is not a DuckDB warehouse: pass the database file `dbt build` wrote")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ScoringError(f"cannot open the warehouse {path}: {first}") from None


def load_model(db: str | os.PathLike | duckdb.DuckDBPyConnection, model_id: str | None = None) -> Model:
    """The published model ``model_id`` (default: the latest) of the warehouse ``db`` (a path or
    an open connection), ready to score."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        return Model.from_row(read_model_row(db, model_id))
    con = _connect(db)
    try:
        return Model.from_row(read_model_row(con, model_id))
    finally:
        con.close()


@dataclass(frozen=True)
class Feature:
    """One feature of a model: what it is made from, and the model's statistics for it."""

    name: str
    kind: str
    source: str
    level: str | None
    transform: str
    weight: float
    mean: float
    sd: float
    clustered: bool


@dataclass(frozen=True, eq=False)
class Model:
    """A published model, precomputed for scoring. Build with :func:`load_model`."""

    model_id: str
    run_id: str
    created_at: Any
    features: tuple[Feature, ...]
    segment_ids: np.ndarray  # ascending
    segment_names: np.ndarray  # object, in segment_ids order
    centroids: np.ndarray  # k x features, weighted z, rows in segment_ids order
    row: Mapping[str, Any]  # the model's row as read

    @property
    def k(self) -> int:
        return len(self.segment_ids)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    @property
    def clustered(self) -> np.ndarray:
        return np.array([f.clustered for f in self.features])

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Model:
        """Check a ``segmentation_models`` row and precompute what scoring needs."""
        model_id = str(row.get("model_id"))

        def bad(problem: str) -> ScoringError:
            return ScoringError(f"model {model_id}: {problem}")

        names = [str(f) for f in row["features"]]
        lists = {
            key: list(row[key])
            for key in ("feature_kinds", "source_columns", "feature_levels", "transforms", "weights", "means", "sds")
        }
        for key, values in lists.items():
            if len(values) != len(names):
                raise bad(f"{key} has {len(values)} entries for {len(names)} features")
        clustered = {str(f) for f in row["clustered_features"]}
        if not clustered <= set(names):
            raise bad(f"clustered_features {sorted(clustered - set(names))} are not among its features")
        features = []
        for i, name in enumerate(names):
            kind, source, level = lists["feature_kinds"][i], lists["source_columns"][i], lists["feature_levels"][i]
            transform = lists["transforms"][i]
            weight, mean, sd = (float(lists[key][i]) for key in ("weights", "means", "sds"))
            if kind == "indicator":
                if source not in LEVELS or level not in LEVELS[source]:
                    raise bad(f"feature {name}: {source} has no level {level!r} in vars.input_format.levels")
            elif kind == "numeric":
                if source not in NUMERIC_RULES and source not in sql_mirror.ENGINEERED:
                    raise bad(f"feature {name}: source column {source!r} is neither an input nor an engineered feature")
            else:
                raise bad(f"feature {name}: kind {kind!r} is not numeric or indicator")
            if transform not in ("none", "log1p"):
                raise bad(f"feature {name}: transform {transform!r} is not none or log1p")
            if not (np.isfinite(weight) and np.isfinite(mean) and np.isfinite(sd)):
                raise bad(f"feature {name}: weight, mean and sd must be finite numbers")
            features.append(Feature(name, kind, source, level, transform, weight, mean, sd, name in clustered))
        ids = np.array([int(i) for i in row["segment_ids"]], dtype=np.int32)
        centroids = np.array([[float(v) for v in c] for c in row["centroids_weighted_z"]], dtype=np.float64)
        segment_names = np.array(list(row["segment_names"]), dtype=object)
        if centroids.shape != (len(ids), len(names)) or len(segment_names) != len(ids):
            raise bad(f"{len(ids)} segments need {len(ids)} names and {len(ids)} x {len(names)} centroid values")
        if len(ids) < 2:
            raise bad(f"k = {len(ids)}: a model needs at least two segments")
        order = np.argsort(ids, kind="stable")
        return cls(
            model_id,
            str(row.get("run_id")),
            row.get("created_at"),
            tuple(features),
            ids[order],
            segment_names[order],
            np.ascontiguousarray(centroids[order]),
            dict(row),
        )

    # ------------------------------------------------------------ scoring

    def typed(self, records: Any, *, row_numbers: Sequence[int] | None = None, source: str = "records") -> _Checked:
        """The records typed and checked as staging does (what :meth:`score` labels)."""
        raw = raw_columns(records, source)
        typed = sql_mirror.type_records(raw)
        n = len(typed)
        numbers = np.arange(1, n + 1) if row_numbers is None else np.asarray(row_numbers, dtype=np.int64)
        if len(numbers) != n:
            raise ValueError(f"row_numbers has {len(numbers)} entries for {n} records")
        reasons = sql_mirror.value_reasons(typed)
        for row, reason in sql_mirror.duplicate_reasons(typed, numbers).items():
            reasons.setdefault(row, []).append(reason)
        valid = np.ones(n, dtype=bool)
        valid[list(reasons)] = False
        return _Checked(typed, valid, reasons)

    def _z(self, checked: _Checked, feature: Feature) -> np.ndarray:
        value = sql_mirror.feature_value(checked.typed, feature.kind, feature.source, feature.level, feature.transform)
        return sql_mirror.weighted_z(value, feature.kind, feature.weight, feature.mean, feature.sd)

    def weighted_z(self, records: Any) -> pd.DataFrame:
        """The records' row of the matrix: one column per feature, ``(transform(x) - mean) / sd
        * weight`` with the model's mean and sd (indicators: 0/1 * weight); NaN for a rejected record."""
        checked = self.typed(records)
        out = {}
        for feature in self.features:
            z = self._z(checked, feature)
            out[feature.name] = np.where(checked.valid, z, np.nan)
        return pd.DataFrame(out, columns=list(self.feature_names))

    def score(self, records: Any, *, row_numbers: Sequence[int] | None = None, source: str = "records") -> pd.DataFrame:
        """Label raw records; one output row per record, in order (columns :data:`OUTPUT_COLUMNS`).

        ``records``: a list of dicts (or one dict), a pandas DataFrame or a pyarrow Table, with
        the public file's 16 columns under their header names (matched ignoring case, spaces,
        underscores and punctuation, as staging matches them; extra columns ignored). A record
        staging would reject has no segment and a ``reason``; duplicate user ids are judged within
        the batch, as staging judges them within a file (``row_numbers``: the records' numbers
        those reasons cite; default 1, 2, ...). ``source`` names the records in a missing-column error.
        """
        checked = self.typed(records, row_numbers=row_numbers, source=source)
        z = [self._z(checked, f) if f.clustered else None for f in self.features]
        nearest, distance, runner_up, margin = sql_mirror.nearest_centroids(z, self.centroids, self.clustered)
        valid = checked.valid
        ids, usable = checked.typed.user_ids()
        names = self.segment_names[nearest]
        reason = np.full(len(valid), None, dtype=object)
        for row, reasons in checked.reasons.items():
            reason[row] = sql_mirror.reason_summary(reasons)
            names[row] = None
        return pd.DataFrame(
            {
                "user_id": pd.arrays.IntegerArray(ids, ~usable),
                "segment_id": pd.arrays.IntegerArray(self.segment_ids[nearest], ~valid),
                "segment_name": names,
                "distance": np.where(valid, distance, np.nan),
                "runner_up_segment_id": pd.arrays.IntegerArray(self.segment_ids[runner_up], ~valid),
                "margin": np.where(valid, margin, np.nan),
                "reason": reason,
            },
            copy=False,
        )


@dataclass
class _Checked:
    typed: sql_mirror.TypedRecords
    valid: np.ndarray
    reasons: dict[int, list[sql_mirror.Reason]]


# ---------------------------------------------------------------- records in


def _arrow(values: Any) -> pa.Array:
    """A column as an Arrow array: typed when the values share a type, else their text."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    try:
        array = pa.array(values, from_pandas=True)
        return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # mixed types: the values' text
        values = values.tolist() if isinstance(values, pd.Series) else list(values)
        return pa.array([None if _missing(v) else sql_mirror.python_text(v) for v in values], pa.large_string())


def _missing(value: Any) -> bool:
    """pandas' missing values: None, NaN, NA, NaT."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _match_columns(found: Iterable[str], source: str) -> dict[str, str]:
    """Staging's header matching: input column name -> the found key that holds it."""
    found = tuple(str(key) for key in found)
    columns = _matched(found)
    missing = [header for header, name in COLUMNS if name not in columns]
    if missing:
        shown = ", ".join(repr(k) for k in found) or "none"
        raise ScoringError(
            f"{source}: missing required column{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(m) for m in missing)
            + f". Columns found: {shown[:200]}"
        )
    return columns


def _matched(found: tuple[str, ...]) -> dict[str, str]:
    """As staging matches a header: the first key that spells a column holds it."""
    return {name: keys[0] for name, keys in _candidates(found).items()}


def raw_columns(records: Any, source: str = "records") -> dict[str, pa.Array]:
    """The records' 16 input columns (staging names) as Arrow arrays of the raw values."""
    if isinstance(records, Mapping):
        records = [records]
    if isinstance(records, pa.Table):
        columns = _match_columns(records.column_names, source)
        return {name: _arrow(records.column(key)) for name, key in columns.items()}
    if isinstance(records, pd.DataFrame):
        columns = _match_columns(records.columns, source)
        by_name = {str(c): c for c in records.columns}
        return {name: _arrow(records[by_name[key]]) for name, key in columns.items()}
    records = records if isinstance(records, Sequence) else list(records)
    if not records:
        return {name: pa.array([], pa.large_string()) for _, name in COLUMNS}
    first = records[0].keys()
    if all(record.keys() == first for record in records):
        keys = tuple(str(key) for key in first)
    else:
        keys = tuple(str(key) for key in dict.fromkeys(key for record in records for key in record))
    _match_columns(keys, source)
    out = {}
    for name, candidates in _candidates(keys).items():
        if len(candidates) == 1:
            values = [record.get(candidates[0]) for record in records]
        else:  # a list of dicts: each record's own spelling (the first that it has)
            values = [next((record[k] for k in candidates if k in record), None) for record in records]
        out[name] = _arrow(values)
    return out


@lru_cache(maxsize=64)
def _candidates(found: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Input column name -> every found key that spells it, in order."""
    spelled: dict[str, list[str]] = {}
    for key in found:
        match = HEADER_BY_KEY.get(normalise_header(key.lstrip("\ufeff")))
        if match is not None:
            spelled.setdefault(match[1], []).append(key)
    return {name: tuple(keys) for name, keys in spelled.items()}


# ---------------------------------------------------------------- files in, CSV out


def _read_table(path: str, encoding: str | None, shown: str) -> tuple[pa.Table, np.ndarray, list]:
    """A CSV or Parquet file read as the build reads it: (records, their numbers, malformed)."""
    from .input_file import InputFileError, inspect_input

    with tempfile.TemporaryDirectory(prefix="score-") as work:
        try:
            found = inspect_input(path, encoding, work)
            con = duckdb.connect()
            try:
                table = con.sql(found.read_sql).to_arrow_table()
            finally:
                con.close()
        except InputFileError as err:
            raise ScoringError(str(err).replace(repr(path), shown)) from None
        except duckdb.Error as err:
            first = (str(err).strip().splitlines() or [type(err).__name__])[0]
            raise ScoringError(f"Input file {shown}: cannot be read ({first})") from None
    number_column = "source_row_number" if "source_row_number" in table.column_names else "data_row_number"
    numbers = np.asarray(table.column(number_column), dtype=np.int64)
    order = np.argsort(numbers, kind="stable")
    table = table.take(pa.array(order))
    numbers = numbers[order]
    malformed = sorted(found.malformed, key=lambda r: r.source_row_number)
    if number_column == "data_row_number" and malformed:
        # Numbered as in the file: the good records fill the numbers the malformed ones leave.
        taken = {r.source_row_number for r in malformed}
        free = (n for n in range(1, len(numbers) + len(taken) + 1) if n not in taken)
        numbers = np.fromiter((next(free) for _ in range(len(numbers))), dtype=np.int64, count=len(numbers))
    renamed = pa.table({header: table.column(f"raw_{name}") for header, name in COLUMNS})
    return renamed, numbers, malformed


def _read_json_lines(text: str, shown: str) -> list[dict]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ScoringError(f"Input file {shown}: line {number} is not valid JSON ({err.msg})") from None
        if not isinstance(record, dict):
            raise ScoringError(f"Input file {shown}: line {number} is not a JSON object: {line.strip()[:80]!r}")
        records.append({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in record.items()})
    return records


def read_records(path: str, encoding: str | None = None, stdin: IO[bytes] | None = None) -> tuple[Any, Any, list]:
    """A file's records for :meth:`Model.score`: (records, their record numbers, malformed CSV
    records). ``-`` reads standard input: JSON lines when it starts with ``{``, else CSV."""
    if path == "-":
        data = (stdin or sys.stdin.buffer).read()
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return _json_records(data, "<stdin>")
        with tempfile.TemporaryDirectory(prefix="score-stdin-") as work:
            copy = Path(work) / "stdin.csv"
            copy.write_bytes(data)
            return _read_table(str(copy), encoding, "<stdin>")
    if Path(path).suffix.lower() in JSON_SUFFIXES:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise ScoringError(f"Input file {path!r}: cannot be read ({err.strerror})") from None
        return _json_records(data, repr(path))
    return _read_table(path, encoding, repr(path))


def _json_records(data: bytes, shown: str) -> tuple[list[dict], np.ndarray, list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScoringError(f"Input file {shown}: is not UTF-8 (byte {err.start})") from None
    records = _read_json_lines(text, shown)
    if not records:
        raise ScoringError(f"Input file {shown}: holds no records")
    return records, np.arange(1, len(records) + 1), []


def score_file(model: Model, path: str, out: IO[str], encoding: str | None = None) -> int:
    """``user-segmentation score``: score a file (``-``: standard input) and write CSV to ``out``.

    Malformed CSV records get no label and staging's reason (``record: ...``), in their place.
    Returns the number of records written."""
    records, numbers, malformed = read_records(path, encoding)
    shown = "<stdin>" if path == "-" else repr(path)
    scored = model.score(records, row_numbers=numbers, source=f"Input file {shown}")
    if malformed:
        bad = pd.DataFrame(
            {
                "user_id": pd.array([None] * len(malformed), dtype="Int64"),
                "reason": [f"record: {r.error_type.lower()}: {r.message}" for r in malformed],
            }
        )
        scored = pd.concat([scored, bad], ignore_index=True)[list(OUTPUT_COLUMNS)]
        order = np.argsort(np.concatenate([numbers, [r.source_row_number for r in malformed]]), kind="stable")
        scored = scored.iloc[order]
    scored.to_csv(out, index=False, lineterminator="\n")
    return len(scored)
